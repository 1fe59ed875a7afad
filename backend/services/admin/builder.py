"""The policy builder: the rule file as a form, and the form's edits written back into the same file.

    open_form(text)         -> {"ok", "error", "sections": [...], "readonly": [...], "check": ...}
    apply(text, edits)      -> the new text (each edit changes one value, adds, removes or links one rule)
    sentences(policy, text) -> the written policy sentence by sentence, with the rules implementing each

The TOML text stays the single source: every edit goes through tomlkit (builder_doc), so comments, rule
order and every line the edit does not touch come back byte-identical. A rule the builder has no form for
is listed read-only with the reason, to be edited in the advanced view.
"""
from __future__ import annotations

import json
import re

from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Table

from backend.errors import ValidationError
from backend.policy import PolicyError, load_policy_text
from backend.policy.model import CONDITIONS
from backend.services.admin import builder_doc as doc_
from backend.services.admin import builder_fields as bf
from backend.services.admin import builder_words as words
from backend.services.admin.builder_sentences import sentences  # noqa: F401  (part of this service)
from backend.services.decisions import policies

ADD_TABLES = {"windows": ("rules", {}), "final_sale": ("rules", {"class": "final_sale"}),
              "credit_only": ("rules", {"class": "credit_only"}), "conditions": ("return_rules", {}),
              "fees": ("fees", {}), "bonus": ("bonus_credit", {}), "regions": ("blocks", {})}
ADVANCED = "edit in advanced view"


class BuilderError(ValidationError):
    code = "invalid_edit"


# ------------------------------------------------------------------ reading

def open_form(text: str) -> dict:
    check = policies.check_text(text)
    try:
        document = doc_.parse(text)
    except TOMLKitError as exc:
        return {"ok": False, "error": f"The file is not valid TOML ({exc}): fix it in the advanced view.",
                "sections": [], "readonly": [], "check": check}
    policy = _policy(text)
    notes = words.place(text, check["problems"], policy)
    condition_words = tuple(policy.conditions) if policy is not None and hasattr(policy, "conditions") else _words(document)
    rows, readonly = [], []
    for index_ref, (ref, table) in enumerate(doc_.tables(document)):
        rows.append(_row(ref, table, condition_words, notes))
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
        if key in bf.INFO_KEYS or _listed_apart(table, key) or name == "policy" and key in ("name", "seed"):
            continue
        if isinstance(value, dict) and key in ("when", "offered_when"):
            extras.extend({"key": f"{key}.{k}", "toml": f"{key}.{k} = {doc_.render(v)}", "reason": ADVANCED}
                          for k, v in value.items() if (key, k) not in covered)
        elif (key,) not in covered:
            extras.append({"key": key, "toml": f"{key} = {table[key].as_string().strip()}", "reason": ADVANCED})
    return {"ref": _public(ref), "ref_json": json.dumps(_public(ref)), "table": name, "section": section,
            "id": data.get("id"), "title": data.get("title", ""), "text": data.get("text", ""),
            "has_info": name in bf.TITLED, "fields": fields, "extras": extras,
            "notes": [n for n in row_notes if not n.get("placed")], "readonly": False, "reason": None,
            "summary": _summary(name, data), "info": []}


def _listed_apart(table, key: str) -> bool:
    """A sub-table or list of tables ([shipping.rates], [policy.delivery_fallback]) is a row of its own."""
    return isinstance(table.get(key), (Table, AoT))


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
    return {"path": list(f.path), "path_json": json.dumps(list(f.path)), "label": f.label, "kind": f.kind,
            "choices": list(f.choices), "default": f.default, "hint": f.hint, "notes": mine,
            "value": bf.display(f.kind, value), "raw": value}


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
            part["value"] = bf.display(part["kind"], spec.get(part["path"][2]))


def _summary(name: str, data: dict) -> str:
    return {"rules": "line rule", "fees": "fee"}.get(name, name.replace("_", " "))


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


# ------------------------------------------------------------------ writing

def apply(text: str, edits: list) -> str:
    try:
        document = doc_.parse(text)
    except TOMLKitError as exc:
        raise BuilderError(f"the policy is not valid TOML ({exc}); fix it in the advanced view") from None
    if not isinstance(edits, list) or not edits:
        raise BuilderError("expected a list of edits", details=[{"field": "edits", "message": "a non-empty list"}])
    for i, edit in enumerate(edits):
        if not isinstance(edit, dict) or edit.get("op") not in _OPS:
            raise BuilderError("unknown edit", details=[{"field": f"edits[{i}].op",
                                                         "message": f"one of {', '.join(_OPS)}"}])
        try:
            _OPS[edit["op"]](document, edit)
        except bf.FieldError as exc:
            raise BuilderError(str(exc), details=[{"field": f"edits[{i}]." + ".".join(map(str, edit.get("path") or [])),
                                                   "message": str(exc)}]) from None
    return document.as_string()


def _table(document, edit):
    ref = edit.get("ref")
    table = doc_.find(document, ref) if isinstance(ref, dict) else None
    if table is None:
        raise bf.FieldError(f"no rule {json.dumps(ref)} in this policy (reload the builder)")
    return ref, table


def _field_for(ref: dict, table, path: list) -> bf.Field:
    path = tuple(path or ())
    if path in (("title",), ("text",), ("message",)) and ref["table"] != "policy":
        return bf.Field(path, path[0], "text", always=frozenset({"*"}))
    for f in bf.FIELDS.get(ref["table"], ()):
        if f.path == path:
            return f
    raise bf.FieldError(f"the builder cannot change {'.'.join(path) or 'that'} here: {ADVANCED}")


def _set(document, edit) -> None:
    ref, table = _table(document, edit)
    f = _field_for(ref, table, edit.get("path"))
    current = _current(table, f.path)
    value = bf.convert(f, edit.get("value"), current)
    if value == current or (value is bf.REMOVE and (current is None or current == f.default
                                                           or isinstance(f.default, tuple) and current == list(f.default))):
        return  # an unchanged field leaves its line as written
    _write(table, f.path, value)


def _current(table, path):
    node = doc_.plain(table)
    for part in path:
        node = node.get(part) if isinstance(node, dict) else None
    return node


def _write(table, path: tuple, value) -> None:
    top = path[0]
    if len(path) == 1:
        doc_.remove_key(table, top) if value is bf.REMOVE else doc_.set_key(table, top, value)
        return
    data = doc_.plain(table[top]) if top in table else {}
    if not isinstance(data, dict):
        raise bf.FieldError(f"{top} is not a table here: {ADVANCED}")
    node = data
    for part in path[1:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    if value is bf.REMOVE:
        node.pop(path[-1], None)
    else:
        node[path[-1]] = value
    if path[0] == "windows" and len(path) == 3 and "days" in node and "from" not in node:
        node["from"] = "delivery"  # a window counts from an anchor; delivery is what the presets use
    _prune(data)
    if not data:
        doc_.remove_key(table, top)
    else:
        doc_.set_key(table, top, data, after="text")


def _prune(data: dict) -> None:
    for key in list(data):
        if isinstance(data[key], dict):
            _prune(data[key])
            if not data[key]:
                del data[key]


def _add(document, edit) -> None:
    section = edit.get("section")
    if section not in ADD_TABLES:
        raise bf.FieldError(f"the builder cannot add rules to '{section}'")
    name, preset = ADD_TABLES[section]
    title, sentence = (str(edit.get(k) or "").strip() for k in ("title", "text"))
    if not title or not sentence:
        raise bf.FieldError("a new rule needs a title and the sentence of your policy it implements")
    values = {"id": _new_id(document, title), "title": title, "text": sentence}
    body: dict = {}
    ref = {"table": name}
    for item in edit.get("values") or []:
        f = _field_for(ref, None, item.get("path"))
        value = bf.convert(f, item.get("value"), None)
        if value is not bf.REMOVE:
            _put(body, f.path, value)
    if "when" in body:
        values["when"] = body.pop("when")
    values.update(preset)
    values.update(body)
    doc_.append_rule(document, name, values)


def _put(data: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        data = data.setdefault(part, {})
    data[path[-1]] = value


def _new_id(document, title: str) -> str:
    base = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40].strip("-") or "rule"
    taken = {str(t.get("id")) for _, t in doc_.tables(document) if hasattr(t, "get")}
    found, n = base, 2
    while found in taken:
        found, n = f"{base}-{n}", n + 1
    return found


def _remove(document, edit) -> None:
    if not doc_.remove_rule(document, edit.get("ref") or {}):
        raise bf.FieldError("only a rule of a [[...]] list can be removed here")


def _link(document, edit) -> None:
    ref, table = _table(document, edit)
    sentence = " ".join(str(edit.get("sentence") or "").split())
    if not sentence:
        raise bf.FieldError("choose a sentence to link")
    current = str(table.get("text") or "")
    if edit.get("mode") == "append" and current:
        sentence = current if sentence in current else f"{current} {sentence}"
    doc_.set_key(table, "text", sentence)


def _override(document, edit) -> None:
    ref, table = _table(document, edit)
    earlier = str(edit.get("rule") or "")
    current = list(doc_.plain(table["overrides"])) if "overrides" in table else []
    if earlier and earlier not in current:
        doc_.set_key(table, "overrides", [*current, earlier])


_OPS = {"set": _set, "add": _add, "remove": _remove, "link": _link, "override": _override}
