"""A rule's sentence that quotes numbers its fields no longer say (a stale sentence).

    quoted(text)             -> [Quote(kind, value, words)]  days, amounts and percentages the sentence quotes
    numbers(data)            -> {Decimal}                    every number of a rule (plain TOML data or the model)
    stale(text, data)        -> [Quote]                      quotes none of the rule's numbers say

When a merchant edits a rule's days, fee or percentage, the sentence the rule implements (`text`) still
quotes the old figure until someone rewrites it; the shopper then reads one thing and the engine does
another. A quote counts when it names a unit: "21 days", "30-day", "seven (7) days", "$15.00", "15 USD",
"20%", "20 percent". Numbers without a unit (dates, "1000 HKD", counts) are not read. A percentage also
matches its fraction (20% and 0.2).
"""
from __future__ import annotations

import dataclasses
import re
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

_WORDS = {w: n for n, w in enumerate(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen "
    "seventeen eighteen nineteen twenty".split())}
_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "sixty": 60, "seventy": 70, "eighty": 80, "ninety": 90})
_TENS = "twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety"
_WORD = rf"(?:(?:{_TENS})(?:[\s-](?:one|two|three|four|five|six|seven|eight|nine))?|" + \
        "|".join(sorted((w for w in _WORDS if w not in _TENS.split("|")), key=len, reverse=True)) + ")"
_NUM = rf"(\d+(?:\.\d+)?|{_WORD})"

_DAYS = re.compile(rf"\b{_NUM}(?:\s*\((\d+)\))?[\s-]*(?:business\s+|calendar\s+|working\s+)?days?\b", re.I)
_PERCENT = re.compile(rf"\b{_NUM}\s*(?:%|per\s?cent\b)", re.I)
_AMOUNT = re.compile(r"[$€£]\s?(\d[\d,]*(?:\.\d{1,2})?)|\b(\d[\d,]*(?:\.\d{1,2})?)\s*(?:USD|CAD|EUR|GBP|AUD|dollars?)\b",
                     re.I)
_SKIP = {"text", "title", "id", "info", "contradicts", "line", "col"}


class Quote(NamedTuple):
    kind: str      # "days" | "amount" | "percent"
    value: Decimal
    words: str     # as the sentence writes it


def _value(token: str) -> Decimal | None:
    token = token.strip().lower().replace(",", "")
    if token in _WORDS:
        return Decimal(_WORDS[token])
    parts = re.split(r"[\s-]", token)
    if len(parts) == 2 and parts[0] in _WORDS and parts[1] in _WORDS:
        return Decimal(_WORDS[parts[0]] + _WORDS[parts[1]])
    try:
        return Decimal(token)
    except InvalidOperation:
        return None


def quoted(text: str) -> list[Quote]:
    out: list[Quote] = []
    for found in _DAYS.finditer(text or ""):
        value = _value(found.group(2) or found.group(1))
        if value is not None:
            out.append(Quote("days", value, found.group(0).strip()))
    for found in _PERCENT.finditer(text or ""):
        value = _value(found.group(1))
        if value is not None:
            out.append(Quote("percent", value, found.group(0).strip()))
    for found in _AMOUNT.finditer(text or ""):
        value = _value(found.group(1) or found.group(2))
        if value is not None:
            out.append(Quote("amount", value, found.group(0).strip()))
    return out


def numbers(data) -> set[Decimal]:
    """Every number in a rule's fields: ints, floats, Decimals and numeric strings ("15.00"), at any depth."""
    found: set[Decimal] = set()
    _collect(data, found)
    return found


def _collect(node, found: set) -> None:
    if isinstance(node, bool) or node is None or isinstance(node, date):
        return
    if isinstance(node, (int, float, Decimal)):
        found.add(Decimal(str(node)))
    elif isinstance(node, str):
        if re.fullmatch(r"-?\d+(?:\.\d+)?%?", node.strip()):
            found.add(Decimal(node.strip().rstrip("%")))
    elif isinstance(node, dict):
        for key, value in node.items():
            if key not in _SKIP:
                _collect(value, found)
    elif isinstance(node, (list, tuple, set, frozenset)):
        for value in node:
            _collect(value, found)
    elif dataclasses.is_dataclass(node):
        for f in dataclasses.fields(node):
            if f.name not in _SKIP:
                _collect(getattr(node, f.name, None), found)


def says(have: set[Decimal], quote: Quote) -> bool:
    """Do these numbers say the quoted figure? A percentage may be written as its fraction (20% and 0.2),
    or as a bonus on top of the whole ("110% of what you paid" and a bonus of 10)."""
    if quote.value in have:
        return True
    return quote.kind == "percent" and (quote.value / 100 in have or quote.value - 100 in have)


def stale(text: str, data, elsewhere: set[Decimal] = frozenset()) -> list[Quote]:
    """The quotes of `text` that none of the rule's numbers say (each figure once). `elsewhere`: figures other
    rules set, which a sentence may quote as they are ("avoid the $15.00 restocking fee" on the protection
    rule, when a fee rule charges 15.00): those are not reported."""
    have = numbers(data)
    out, seen = [], set()
    for quote in quoted(text):
        ok = says(have, quote) or says(set(elsewhere), quote)
        if not ok and (quote.kind, quote.value) not in seen:
            seen.add((quote.kind, quote.value))
            out.append(quote)
    return out


def policy_stale(rules) -> list[tuple[object, list[Quote]]]:
    """(rule, stale quotes) for the rules of a loaded policy whose sentence quotes a figure no rule sets.
    A rule whose disagreement with the text is recorded (`contradicts`) is left to that warning."""
    rules = list(rules)
    own = [numbers(r) for r in rules]
    out = []
    for i, rule in enumerate(rules):
        if getattr(rule, "contradicts", ()):
            continue
        elsewhere = set().union(*(n for j, n in enumerate(own) if j != i))
        found = stale(rule.info.text, rule, elsewhere)
        if found:
            out.append((rule, found))
    return out


def message(rule_id: str, quotes: list[Quote]) -> str:
    said = ", ".join(f"“{q.words}”" for q in quotes)
    return (f"rule '{rule_id}': its sentence quotes {said}, which none of its fields say: "
            "rewrite the sentence or correct the numbers")
