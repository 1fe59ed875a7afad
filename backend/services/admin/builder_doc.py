"""The rule file as a tomlkit document: read it, change one value or add one rule, write it back.

    parse(text)                      -> tomlkit document (comments, order and spacing kept)
    tables(doc)                      -> [(ref, table)] every rule-like table, in file order
    find(doc, ref)                   -> the table a ref names ({"table": "fees", "id": "late-fee"}), or None
    plain(item)                      -> the item as plain Python (dicts keep their key order)
    set_key(table, key, value)       -> writes `key = value` (a new key goes after the table's last key)
    remove_key(table, key)
    append_rule(doc, name, values)   -> a new [[name]] entry after the last one (or at the end of the file)
    remove_rule(doc, ref)

A changed value is written as a whole line in the files' house style (`{ a = 1, b = ["x"] }`), built from
tomlkit's own scalar rendering; every untouched line is tomlkit's copy of the original text.
"""
from __future__ import annotations

from datetime import date

import tomlkit
from tomlkit.exceptions import TOMLKitError
from tomlkit.items import AoT, Comment, Date, DateTime, InlineTable, Table, Time, Whitespace

# Sections holding one rule per entry ([[name]]) and single rule tables ([name]); dotted names are nested.
ARRAYS = ("rules", "return_rules", "fees", "bonus_credit", "bundles", "price_adjustments", "signature", "shipping.rates",
          "shipping.ship_by.seasons", "blocks", "contradictions")
SINGLES = ("policy", "policy.delivery_fallback", "protection", "shipping", "shipping.ship_by", "sales_tax")


class Unreadable(ValueError):
    """The text is not TOML tomlkit can read (a syntax error, or nesting deeper than the reader goes)."""


def parse(text: str):
    try:
        doc = tomlkit.parse(text)
    except TOMLKitError as exc:
        raise Unreadable(str(exc)) from None
    except RecursionError:
        raise Unreadable("arrays or tables nested too deeply") from None
    _keep_date_spacing(doc)
    return doc


def _keep_date_spacing(node) -> None:
    """tomlkit 0.15 stores the blanks after a date inside an inline table as the date's comment spacing,
    which an inline table never prints (`{ a = 2024-01-01 }` comes back as `{ a = 2024-01-01}`). Move them
    into the table body as plain whitespace, so a file read and written unchanged stays byte-identical."""
    if isinstance(node, InlineTable):
        body = node.value.body
        for i in range(len(body) - 1, -1, -1):
            key, item = body[i]
            if isinstance(item, (Date, DateTime, Time)) and item.trivia.comment_ws:
                body.insert(i + 1, (None, Whitespace(item.trivia.comment_ws)))
                item.trivia.comment_ws = ""
    if isinstance(node, (dict,)) or hasattr(node, "value") and isinstance(getattr(node, "value", None), dict):
        for child in list(node.values()):
            _keep_date_spacing(child)
    elif isinstance(node, (list, AoT)):
        for child in node:
            _keep_date_spacing(child)


def _get(doc, dotted: str):
    node = doc
    for part in dotted.split("."):
        if not hasattr(node, "get") or part not in node:
            return None
        node = node[part]
    return node


def tables(doc) -> list[tuple[dict, object]]:
    """(ref, table) for every rule table the builder knows, in the order of the file's lines."""
    out = []
    for name in SINGLES:
        table = _get(doc, name)
        if isinstance(table, (Table, dict)):
            out.append(({"table": name}, table))
    for name in ARRAYS:
        entries = _get(doc, name)
        if isinstance(entries, (AoT, list)):
            for i, table in enumerate(entries):
                out.append(({**_ref(name, i, table), "_index": i}, table))
    return out


def _ref(name: str, index: int, table) -> dict:
    rid = table.get("id") if hasattr(table, "get") else None
    return {"table": name, "id": str(rid)} if isinstance(rid, str) else {"table": name, "index": index}


def find(doc, ref: dict):
    name = ref.get("table")
    if name in SINGLES:
        found = _get(doc, name)
        return found if isinstance(found, (Table, dict)) else None
    if name not in ARRAYS:
        return None
    entries = _get(doc, name) or []
    for i, table in enumerate(entries):
        if _ref(name, i, table) == {k: ref[k] for k in ("table", "id", "index") if k in ref}:
            return table
    return None


def plain(item):
    """tomlkit item -> plain Python: dicts (key order kept), lists, str, int, bool, date."""
    if hasattr(item, "unwrap"):
        return item.unwrap()
    return item


# ------------------------------------------------------------------ writing

def render(value) -> str:
    """A value as the rule files write it: inline tables padded `{ a = 1 }`, arrays `["x", "y"]`."""
    if isinstance(value, dict):
        if not value:
            return "{}"
        return "{ " + ", ".join(f"{_key(k)} = {render(v)}" for k, v in value.items()) + " }"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(render(v) for v in value) + "]"
    if isinstance(value, date):
        return value.isoformat()
    return tomlkit.item(value).as_string()


def _key(name: str) -> str:
    return tomlkit.key(name).as_string()


def _item(value):
    """A tomlkit item whose text is `render(value)`."""
    item = tomlkit.parse(f"v = {render(value)}\n")["v"]
    _keep_date_spacing(item)
    return item


def _tail(table) -> list:
    """Pop the comments and blank lines after the table's last key (they introduce what follows it)."""
    body = table.value.body
    tail = []
    while body and body[-1][0] is None and isinstance(body[-1][1], (Comment, Whitespace)):
        tail.insert(0, body.pop())
    return tail


def set_key(table, key: str, value, after: str | None = None) -> None:
    """`key = value` in place; a new key goes right after `after` when the table has it, else after the last key."""
    if key in table:
        table[key] = _item(value)
        return
    if after and after in table and _last_key(table) != after:
        table.value._insert_after(after, key, _item(value))  # tomlkit has no public insert-after
        return
    tail = _tail(table)
    table.append(key, _item(value))
    table.value.body.extend(tail)


def _last_key(table):
    keys = [k.key for k, _ in table.value.body if k is not None]
    return keys[-1] if keys else None


def remove_key(table, key: str) -> None:
    if key in table:
        del table[key]


def append_rule(doc, name: str, values: dict) -> None:
    """A new [[name]] entry written after the last one; the comments that followed it follow the new one."""
    new = tomlkit.table()
    for key, value in values.items():
        new.append(key, _item(value))
    entries = _get(doc, name)
    if isinstance(entries, AoT) and len(entries):
        last = entries[-1]
        tail = _tail(last)
        last.value.body.append((None, Whitespace("\n")))
        entries.append(new)
        new.value.body.extend(tail)
        return
    if "." in name:
        raise ValueError(f"cannot start a [[{name}]] section from the builder")
    if doc.body and not doc.as_string().endswith("\n\n"):
        doc.add(tomlkit.nl())
    aot = tomlkit.aot()
    aot.append(new)
    doc.append(name, aot)


def remove_rule(doc, ref: dict) -> bool:
    name = ref.get("table")
    entries = _get(doc, name) if name in ARRAYS else None
    if not isinstance(entries, AoT):
        return False
    for i, table in enumerate(entries):
        if table is find(doc, ref):
            tail = _tail(table)
            del entries[i]
            if tail and i > 0:
                previous = entries[i - 1]
                _tail(previous)
                previous.value.body.extend(tail)
            return True
    return False
