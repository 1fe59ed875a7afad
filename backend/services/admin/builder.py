"""The policy builder: the rule file as a form, and the form's edits written back into the same file.

    open_form(text, previous=None)
                            -> {"ok", "error", "sections": [...], "readonly": [...], "check": ...}; each row's
                               "stale" lists the figures its sentence quotes that its fields no longer say
                               (`previous`: the text before an edit, builder_stale)
    apply(text, edits)      -> the new text (each edit changes one value, adds, removes or links one rule)
    sentences(policy, text) -> the written policy sentence by sentence, with the rules implementing each

The TOML text stays the single source: every edit goes through tomlkit (builder_doc), so comments, rule
order and every line the edit does not touch come back byte-identical. A rule the builder has no form for
is listed read-only with the reason, to be edited in the advanced view.
"""
from __future__ import annotations

import json

from backend.policy import PolicyError, load_policy_text
from backend.policy.model import CONDITIONS
from backend.services.admin import builder_doc as doc_
from backend.services.admin import builder_fields as bf
from backend.services.admin import builder_stale
from backend.services.admin import builder_values as bv
from backend.services.admin import builder_words as words
from backend.services.admin.builder_edits import ADD_TABLES, ADVANCED, BuilderError, apply  # noqa: F401
from backend.services.admin.builder_sentences import sentences  # noqa: F401  (the service's three calls)
from backend.services.decisions import policies

# ------------------------------------------------------------------ reading

def open_form(text: str, previous: str | None = None) -> dict:
    try:
        check = policies.check_text(text)
    except RecursionError:  # the engine's TOML reader (tomllib) recurses once per nesting level
        check = {"ok": False, "name": None, "version": None, "problems": []}
    try:
        document = doc_.parse(text)
        if not check["ok"] and not check["problems"]:
            raise doc_.Unreadable("arrays or tables nested too deeply")
    except doc_.Unreadable as exc:
        return {"ok": False, "error": f"The file is not valid TOML ({exc}): fix it in the advanced view.",
                "sections": [], "readonly": [], "check": check, "file_notes": []}
    policy = _policy(text) if check["ok"] else None
    notes = words.place(text, check["problems"], policy)
    condition_words = tuple(policy.conditions) if policy is not None else _words(document)
    rows, readonly = [], []
    tables = doc_.tables(document)
    for ref, table in tables:
        rows.append(_row(ref, table, condition_words, notes))
    builder_stale.stale_rows(rows, tables, previous)
    readonly.extend(_unknown_tables(document))
    _protection_waives(rows)
    sections = []
    for key, title, description in bf.SECTIONS:
        sections.append({"key": key, "title": title, "description": description,
                         "rows": [r for r in rows if r["section"] == key], "add": _add_form(key, condition_words)})
    return {"ok": True, "error": None, "sections": sections, "readonly": readonly, "check": check,
            "file_notes": notes.get((None, None), [])}


def _protection_waives(rows: list) -> None:
    """Return protection's row says which fees it waives (each fee's own "Waived with return protection")."""
    waived = [r["title"] or r["id"] for r in rows if r["table"] == "fees"
              and any(f["path"] == ["waived_by_protection"] and f["raw"] is True for f in r["fields"])]
    for row in rows:
        if row["table"] == "protection":
            row["info"].append("Waives: " + (", ".join(waived) if waived else "no fee yet") +
                               " (tick “Waived with return protection” on a fee to change this).")


def _policy(text: str):
    try:
        return load_policy_text(text, "policy.toml")
    except PolicyError:
        return None


def _words(document) -> tuple:
    declared = document.get("policy", {}).get("conditions", []) if hasattr(document, "get") else []
    return tuple(dict.fromkeys([*CONDITIONS, *[str(w) for w in declared]]))


def _row(ref: dict, table, condition_words: tuple, notes: dict) -> dict:
    name = ref["table"]
    data = doc_.plain(table) if hasattr(table, "unwrap") else dict(table)
    section = bf.section_of(name, data)
    fields = []
    row_notes = list(notes.get((name, ref.get("_index", ref.get("index"))), []))
    for f in bf.fields_for(name, section, data, condition_words):
        fields.append(_field_view(f, data, row_notes))
    if name == "rules":
        _attach_window_parts(fields, data)
    covered = bf.covered(name, data)
    extras = []
    for key, value in data.items():
        if key in bf.INFO_KEYS or _listed_apart(name, key) or name == "policy" and key in ("name", "seed"):
            continue
        if isinstance(value, dict) and key.endswith("when"):  # when, offered_when, gift_when, members_when
            extras.extend({"key": f"{key}.{k}", "toml": f"{key}.{k} = {doc_.render(v)}", "reason": ADVANCED}
                          for k, v in value.items() if (key, k) not in covered)
        elif (key,) not in covered:
            extras.append({"key": key, "toml": f"{key} = {table[key].as_string().strip()}", "reason": ADVANCED})
    return {"ref": _public(ref), "ref_json": json.dumps(_public(ref)), "table": name, "section": section,
            "id": data.get("id"), "title": data.get("title", ""), "text": data.get("text", ""),
            "has_info": name in bf.TITLED, "title_editable": name != "policy.delivery_fallback" or "title" in data,
            "heading": _HEADINGS.get(name, ""), "fields": fields, "extras": extras,
            "notes": [n for n in row_notes if not n.get("placed")], "readonly": False, "reason": None, "info": [],
            "text_rows": min(6, max(2, len(str(data.get("text", ""))) // 100 + 1))}


_HEADINGS = {"policy.delivery_fallback": "Delivery never confirmed (fallback)", "policy": "Store"}


def _listed_apart(name: str, key: str) -> bool:
    """A sub-table the builder knows ([shipping.rates], [policy.delivery_fallback]) is a row of its own; an
    unknown one ([shipping.zones]) stays listed under its parent, to be edited in the advanced view."""
    return f"{name}.{key}" in doc_.SINGLES + doc_.ARRAYS


def _public(ref: dict) -> dict:
    return {k: v for k, v in ref.items() if not k.startswith("_")}


def _field_view(f: bf.Field, data: dict, row_notes: list) -> dict:
    value = data
    for part in f.path:
        value = value.get(part) if isinstance(value, dict) else None
    mine = [n for n in row_notes if n.get("field") and tuple(n["field"][:len(f.path)]) == f.path[:len(n["field"])]
            and n["field"][0] == f.path[0] and len(f.path) <= 2]
    for n in mine:
        n["placed"] = True
    choices = list(f.choices)  # a value the file has that the builder does not know (a newer word) stays offered
    choices += [v for v in (value if isinstance(value, list) else [value]) if isinstance(v, str) and choices
                and v not in choices]
    return {"path": list(f.path), "path_json": json.dumps(list(f.path)), "label": f.label, "kind": f.kind,
            "choices": choices, "default": f.default, "hint": f.hint, "notes": mine,
            "value": bv.display(f.kind, value), "raw": value}


def _attach_window_parts(fields: list, data: dict) -> None:
    """Each resolution's window field carries its days / from / until parts, drawn on one line."""
    windows = data.get("windows") if isinstance(data.get("windows"), dict) else {}
    for view in fields:
        if view["kind"] != "window":
            continue
        res = view["path"][1]
        current = windows.get(res, "inherit")
        view["state"] = "inherit" if current == "inherit" else ("no" if current is False else "allowed")
        spec = current if isinstance(current, dict) else {}
        view["parts"] = [_field_view(f, data, []) for f in bf.FIELDS["rules"]
                         if f.path[:2] == ("windows", res) and len(f.path) == 3]
        for part in view["parts"]:
            part["value"] = bv.display(part["kind"], spec.get(part["path"][2]))


def _unknown_tables(document) -> list[dict]:
    """Top-level sections the builder has no form for (a newer clause shape): listed, read-only."""
    known = {n.split(".")[0] for n in doc_.ARRAYS + doc_.SINGLES} | {"policy"}
    out = []
    for key, value in document.items():
        if key in known:
            continue
        entries = value if isinstance(value, list) else [value]
        for entry in entries:
            rid = entry.get("id") if hasattr(entry, "get") else None
            title = entry.get("title") if hasattr(entry, "get") else None
            out.append({"table": key, "id": rid, "title": title or key,
                        "text": entry.get("text", "") if hasattr(entry, "get") else "",
                        "readonly": True, "reason": f"The builder has no form for [{key}] rules yet: {ADVANCED}."})
    return out


def _add_form(section: str, condition_words: tuple) -> dict | None:
    if section not in ADD_TABLES:
        return None
    name, preset = ADD_TABLES[section]
    fields = [_field_view(f, preset, []) for f in bf.fields_for(name, section, preset, condition_words)
              if f.path != ("class",)]
    if name == "rules":
        _attach_window_parts(fields, preset)
    return {"section": section, "fields": fields}
