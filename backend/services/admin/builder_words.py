"""Validation and lint in a merchant's words, placed next to the rule (and field) they concern.

    place(text, problems, policy) -> {(table, index): [note]} with note = {"severity", "text", "field", "action"}

`problems` are `policies.check_text` findings (file:line:col); each lands on the rule whose table holds
its line and, when the line is one of the rule's keys, on that key's field. Lint messages are rewritten
for merchants from the rules they name ("Two rules decide the exchange window for orders placed ...;
the later one wins: 45 days"); an error keeps the engine's message without its file:line:col.
"""
from __future__ import annotations

import re

from backend.policy.describe import CLASS_NAMES, RESOLUTION_NAMES, conditions, window
from backend.policy.positions import key_positions

from backend.services.admin.builder_doc import ARRAYS, SINGLES


def table_paths(text: str) -> tuple[dict, list]:
    """(key positions, [(path of a rule table, (table name, index), header line)]) sorted by line."""
    positions = key_positions(text)
    spans = []
    for name in SINGLES:
        path = tuple(name.split("."))
        if path in positions:
            spans.append((path, (name, None), positions[path][0]))
    for name in ARRAYS:
        base, i = tuple(name.split(".")), 0
        while base + (i,) in positions:
            spans.append((base + (i,), (name, i), positions[base + (i,)][0]))
            i += 1
    return positions, sorted(spans, key=lambda s: s[2])


def place(text: str, problems: list[dict], policy) -> dict:
    positions, spans = table_paths(text)
    out: dict = {}
    for problem in problems:
        owner = _owner(spans, problem["line"])
        note = {"severity": problem["severity"], "field": None, "action": None,
                "text": plain(problem["message"], policy) if problem["severity"] == "warning" else problem["message"]}
        if problem["severity"] == "warning" and policy is not None:
            note["action"] = _action(problem["message"])
        if owner is not None:
            note["field"] = _field(positions, owner[0], problem["line"], problem["col"])
            if note["field"] and note["severity"] == "error":  # shown under the field: no need to name it
                note["text"] = re.sub(r"^(field|condition) '[^']+': ", "", note["text"])
                note["text"] = note["text"][:1].upper() + note["text"][1:]
            out.setdefault(owner[1], []).append(note)
        else:
            out.setdefault((None, None), []).append(note)
    return out


def _owner(spans, line: int):
    found = None
    for span in spans:
        if span[2] <= line:
            found = span
    return found


def _field(positions: dict, base: tuple, line: int, col: int) -> tuple | None:
    """The key path inside the rule (("when", "product_tag")) written on that line at or before `col`."""
    best = None
    for path, (l, c) in positions.items():
        if l == line and path[:len(base)] == base and len(path) > len(base) and c <= col:
            rest = tuple(p for p in path[len(base):] if isinstance(p, str))
            if rest and (best is None or len(rest) >= len(best)):
                best = rest
    return best


# ------------------------------------------------------------------ lint in plain words

_IDS = re.compile(r"'([a-z0-9_-]+)'")


def plain(message: str, policy) -> str:
    """A lint warning rewritten for a merchant; the engine's text when the shape is unknown."""
    rules = {r.info.id: r for r in policy.all_rules()} if policy is not None else {}
    ids = _IDS.findall(message)
    for pattern, say in _REWRITES:
        found = re.search(pattern, message)
        if found:
            try:
                return say(found, ids, rules)
            except (KeyError, IndexError, AttributeError):
                break
    return message


def _title(rules, rid: str) -> str:
    rule = rules.get(rid)
    return f"“{rule.info.title}”" if rule else f"'{rid}'"


def _overlap(found, ids, rules) -> str:
    first, second = rules[ids[0]], rules[ids[1]]
    for res in RESOLUTION_NAMES:
        if res in first.windows and res in second.windows and first.windows[res] != second.windows[res]:
            who = " and ".join(p for p in (conditions(first.cond), conditions(second.cond)) if p) or "every order"
            return (f"Two rules decide the {RESOLUTION_NAMES[res]} window for {who}; the later one wins: "
                    f"{_short(res, second.windows[res])}.")
    raise KeyError(ids[1])


def _short(res, win) -> str:
    if win is None:
        return f"no {RESOLUTION_NAMES[res]}"
    if win.until is None:
        return f"{win.days} days"
    return window(res, win).removeprefix(RESOLUTION_NAMES[res] + " ")


def _action(message: str) -> dict | None:
    """The one-click answer to an overlap: "yes, the later rule wins on purpose" (adds `overrides`)."""
    found = re.search(r"add overrides = \[\"([a-z0-9_-]+)\"\] to '([a-z0-9_-]+)'", message)
    if not found:
        return None
    return {"label": "The later rule wins on purpose", "op": "override", "rule": found.group(1),
            "ref": {"table": "rules", "id": found.group(2)}}


_WHY = {"order_date_from is after order_date_to": "its start date is after its end date",
        "days_elapsed_at_least is more than days_elapsed_at_most": "its first day comes after its last day",
        "every listed country is also excluded": "every country it names is also excluded",
        "every listed class is also excluded": "every kind of item it names is also excluded"}

_REWRITES = (
    (r"overlap with different outcomes", _overlap),
    (r"can never fire: (.*)$", lambda m, ids, r: f"This rule can never apply: {_WHY.get(m.group(1), m.group(1))}."),
    (r"has no effect", lambda m, ids, r: "This rule changes nothing yet: say what the items are or give it a "
                                         "return window."),
    (r"never shapes a window", lambda m, ids, r: "A later rule sets these windows for every order, so this "
                                                  "rule's windows never count."),
    (r"never sets the class: '[^']+' gives every line the higher class (\w+)",
     lambda m, ids, r: f"{_title(r, ids[1])} already makes every item {CLASS_NAMES[m.group(1)]}, so this rule "
                       f"never changes what an item is."),
    (r"tiers '[^']+' and '[^']+' overlap: both (\w+) fees",
     lambda m, ids, r: f"This tier and {_title(r, ids[0])} overlap: where their days or exchange counts meet, "
                       f"both {m.group(1).replace('_', ' ')} fees are charged."),
    (r"tiers '[^']+' and '[^']+' overlap: both bonuses",
     lambda m, ids, r: f"This bonus and {_title(r, ids[0])} overlap: where their days or exchange counts meet, "
                       f"both are given."),
    (r"sets a (.+) window that its class (\w+) never permits",
     lambda m, ids, r: f"This rule gives a {m.group(1)} window, but {CLASS_NAMES.get(m.group(2), m.group(2))} "
                       f"items never get {m.group(1)}: that window never counts."),
    (r"bundle '[^']+' can never trigger: (.*)$", lambda m, ids, r: f"This bundle can never apply: {m.group(1)}."),
    (r"it starts on day (\d+), but no window it covers lasts past day (\d+)",
     lambda m, ids, r: f"This starts on day {m.group(1)}, but returns close after day {m.group(2)}: it never "
                       f"applies."),
    (r"of (\S+) always exceeds its cap (\S+)",
     lambda m, ids, r: f"The bonus ({m.group(1)}) is more than its cap ({m.group(2)}): shoppers always get "
                       f"{m.group(2)}."),
    (r"has a cap of 0", lambda m, ids, r: "A cap of 0 means this bonus never gives anything."),
    (r"contradicts the policy text \"(.*)\": (.*)$",
     lambda m, ids, r: f"Your written policy also says “{m.group(1)}”. {m.group(2)}"),
    (r"the policy text contradicts itself: \"(.*)\" versus \"(.*)\": (.*)$",
     lambda m, ids, r: f"Your written policy says both “{m.group(1)}” and “{m.group(2)}”. {m.group(3)}"),
)
