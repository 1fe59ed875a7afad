"""The builder's edits, applied to the rule file through tomlkit (builder_doc).

    apply(text, edits) -> the new text

Edits: {"op": "set", "ref", "path", "value"} one field; {"op": "add", "section", "title", "text", "values"}
a new rule after the last of its kind; {"op": "remove", "ref"}; {"op": "link", "ref", "sentence", "mode":
"replace" | "append"} a sentence of the written policy as the rule's text; {"op": "override", "ref", "rule"}
the later rule wins on purpose. A field left as it was leaves its line as written.
"""
from __future__ import annotations

import json
import re


from backend.errors import ValidationError
from backend.services.admin import builder_doc as doc_
from backend.services.admin import builder_fields as bf
from backend.services.admin import builder_values as bv

ADD_TABLES = {"windows": ("rules", {}), "final_sale": ("rules", {"class": "final_sale"}),
              "credit_only": ("rules", {"class": "credit_only"}), "conditions": ("return_rules", {}),
              "fees": ("fees", {}), "bonus": ("bonus_credit", {}), "bundles": ("bundles", {}),
              "regions": ("blocks", {})}
ADVANCED = "edit in advanced view"


class BuilderError(ValidationError):
    code = "invalid_edit"


def apply(text: str, edits: list) -> str:
    try:
        document = doc_.parse(text)
    except doc_.Unreadable as exc:
        raise BuilderError(f"the policy is not valid TOML ({exc}); fix it in the advanced view") from None
    if not isinstance(edits, list) or not edits or len(edits) > MAX_EDITS:
        raise BuilderError("expected a list of edits", details=[{"field": "edits",
                                                                 "message": f"a list of 1 to {MAX_EDITS} edits"}])
    for i, edit in enumerate(edits):
        if not isinstance(edit, dict) or edit.get("op") not in _OPS:
            raise BuilderError("unknown edit", details=[{"field": f"edits[{i}].op",
                                                         "message": f"one of {', '.join(_OPS)}"}])
        _check_shape(edit, f"edits[{i}]")
        try:
            _OPS[edit["op"]](document, edit)
        except bv.FieldError as exc:
            raise BuilderError(str(exc), details=[{"field": f"edits[{i}]." + ".".join(map(str, edit.get("path") or [])),
                                                   "message": str(exc)}]) from None
    return document.as_string()


MAX_EDITS = 50
_TEXT_KEYS = ("section", "title", "text", "sentence", "rule", "mode")


def _check_shape(edit: dict, where: str) -> None:
    """Each edit's fields have the types the builder sends; anything else is a 422 naming the field."""
    def refuse(key: str, message: str):
        raise BuilderError(f"{where}.{key} {message}", details=[{"field": f"{where}.{key}", "message": message}])

    ref = edit.get("ref")
    if ref is not None and not (isinstance(ref, dict) and all(isinstance(v, (str, int)) and not isinstance(v, bool)
                                                               for v in ref.values())):
        refuse("ref", "must be an object of table and id")
    for key in _TEXT_KEYS:
        if edit.get(key) is not None and not isinstance(edit[key], str):
            refuse(key, "must be a string")
    if edit.get("path") is not None and not _is_path(edit["path"]):
        refuse("path", "must be a list of field names")
    if not _is_value(edit.get("value")):
        refuse("value", "must be text, true or false, or a list of texts")
    values = edit.get("values")
    if values is not None and not (isinstance(values, list) and all(
            isinstance(v, dict) and _is_path(v.get("path")) and _is_value(v.get("value")) for v in values)):
        refuse("values", "must be a list of {path, value}")


def _is_path(path) -> bool:
    return isinstance(path, list) and 0 < len(path) <= 4 and all(isinstance(p, str) for p in path)


def _is_value(value) -> bool:
    return value is None or isinstance(value, (str, bool)) or (
        isinstance(value, list) and all(isinstance(v, str) for v in value))


def _table(document, edit):
    ref = edit.get("ref")
    table = doc_.find(document, ref) if isinstance(ref, dict) else None
    if table is None:
        raise bv.FieldError(f"no rule {json.dumps(ref)} in this policy (reload the builder)")
    return ref, table


def _field_for(ref: dict, table, path: list) -> bf.Field:
    path = tuple(path or ())
    if path in (("title",), ("text",), ("message",)) and ref["table"] != "policy":
        return bf.Field(path, path[0], "text", always=frozenset({"*"}))
    for f in bf.FIELDS.get(ref["table"], ()):
        if f.path == path:
            return f
    raise bv.FieldError(f"the builder cannot change {'.'.join(path) or 'that'} here: {ADVANCED}")


def _set(document, edit) -> None:
    ref, table = _table(document, edit)
    f = _field_for(ref, table, edit.get("path"))
    current = _current(table, f.path)
    value = bv.convert(f, edit.get("value"), current)
    if value == current or (value is bv.REMOVE and (current is None or current == f.default
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
        doc_.remove_key(table, top) if value is bv.REMOVE else doc_.set_key(table, top, value)
        return
    data = doc_.plain(table[top]) if top in table else {}
    if not isinstance(data, dict):
        raise bv.FieldError(f"{top} is not a table here: {ADVANCED}")
    node = data
    for part in path[1:-1]:
        if not isinstance(node.get(part), dict):
            node[part] = {}
        node = node[part]
    if value is bv.REMOVE:
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
        raise bv.FieldError(f"the builder cannot add rules to '{section}'")
    name, preset = ADD_TABLES[section]
    title, sentence = (str(edit.get(k) or "").strip() for k in ("title", "text"))
    if not title or not sentence:
        raise bv.FieldError("a new rule needs a title and the sentence of your policy it implements")
    values = {"id": _new_id(document, title), "title": title, "text": sentence}
    body: dict = {}
    ref = {"table": name}
    for item in edit.get("values") or []:
        f = _field_for(ref, None, item.get("path"))
        value = bv.convert(f, item.get("value"), None)
        if value is not bv.REMOVE:
            _put(body, f.path, value)
    if "when" in body:
        values["when"] = body.pop("when")
    values.update(preset)
    values.update(body)
    doc_.append_rule(document, name, values)


def _put(data: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        if not isinstance(data.get(part), dict):
            data[part] = {}  # a window's days after "not allowed": the days win, as in `_write`
        data = data[part]
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
        raise bv.FieldError("only a rule of a [[...]] list can be removed here")


def _link(document, edit) -> None:
    ref, table = _table(document, edit)
    sentence = " ".join(str(edit.get("sentence") or "").split())
    if not sentence:
        raise bv.FieldError("choose a sentence to link")
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
