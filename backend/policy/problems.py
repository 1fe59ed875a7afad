"""Every field of a well-typed decision request whose value fails a check no type can make, named.

request.py reads a valid request in one pass that only learns *that* a value fails; it then hands the
request, freshly converted (schema.DecisionRequest, its facts still as sent), to `problems`, which names
every failing field in document order, as the contract writes it ("order.line_items[1].price"):
timestamps (ISO 8601, the years 1900-2999, a time the shop's zone can show), money (finite, not negative,
in range), counts in range, the policy's item condition words. Only bad requests come here.
"""
from __future__ import annotations

from zoneinfo import ZoneInfo

from backend.policy.calendar import parse_timestamp
from backend.policy.fields import YEARS, count_problem, money_problem


def words(conditions: tuple):
    """The check of an item condition: one of the policy's words (`[policy] conditions`)."""
    return lambda word: None if word in conditions else f"expected one of {', '.join(conditions)}"


def _moment_problem(text: str, tz: ZoneInfo) -> str | None:
    """Why a text is no timestamp a request may hold, read in the shop's zone (None: it is one)."""
    try:
        instant = parse_timestamp(text, tz)
    except ValueError:
        return "expected an ISO 8601 timestamp"
    if not YEARS[0] <= instant.year <= YEARS[1]:  # far-off dates overflow zone and deadline arithmetic
        return f"expected a timestamp between the years {YEARS[0]} and {YEARS[1]}"
    try:
        instant.astimezone(tz)
    except (OverflowError, ValueError):
        return "expected a timestamp the shop's time zone can show"
    return None


def problems(doc, tz: ZoneInfo, conditions: tuple) -> list[dict]:
    """[{"field", "message"}] for every failing value of `doc` (a schema.DecisionRequest as converted)."""
    found: list[dict] = []

    def check(problem: str | None, field: str) -> None:
        if problem is not None:
            found.append({"field": field, "message": problem})

    if doc.as_of is not None:
        check(_moment_problem(doc.as_of, tz), "as_of")
    order = doc.order
    check(_moment_problem(order.created, tz), "order.created_at")
    for i, ln in enumerate(order.lines):
        where = f"order.line_items[{i}]"
        check(money_problem(ln.price), f"{where}.price")
        check(count_problem(ln.quantity), f"{where}.quantity")
        for amount, name in ((ln.compare_at, "compare_at_price"), (ln.discount, "discount")):
            if amount is not None:
                check(money_problem(amount), f"{where}.{name}")
    for i, f in enumerate(order.fulfillments or ()):
        for text, name in ((f.shipped, "shipped_at"), (f.delivered, "delivered_at")):
            if text is not None:
                check(_moment_problem(text, tz), f"order.fulfillments[{i}].{name}")
    ret = doc.return_request
    if ret is not None:
        _return_problems(ret, conditions, check)
    return found


def _return_problems(ret, conditions: tuple, check) -> None:
    if ret.exchanges_before is not None:
        check(count_problem(ret.exchanges_before), "return_request.exchanges_before")
    for i, x in enumerate(ret.lines):
        check(words(conditions)(x.condition if x.condition is not None else "new"),
              f"return_request.lines[{i}].condition")
        check(count_problem(x.quantity), f"return_request.lines[{i}].quantity")
    earlier = ret.earlier_returns
    for i, x in enumerate(earlier.lines or () if earlier is not None else ()):
        check(count_problem(x.quantity), f"return_request.earlier_returns.lines[{i}].quantity")
