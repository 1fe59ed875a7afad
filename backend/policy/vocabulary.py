"""The closed condition vocabulary: how each key is validated and compiled to a predicate.

A predicate takes a context with `.line`, `.order`, `.ret` (the return line, or
None) and `.cls` (the line's class, once known). Keys of one table are ANDed;
the values of a list are ORed.

Address facts may be unknown (facts.py). A predicate on an unknown fact answers None, and AND, OR and
`unless` combine it by Kleene's three-valued logic (False AND unknown is False, True OR unknown is True),
so a rule is known to apply (True), known not to (False), or undetermined (None, falsy: never applied).
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from backend.policy import codes
from backend.policy.errors import ItemErrors, did_you_mean
from backend.policy.model import CLASSES, CONDITIONS, REASONS
from backend.policy.money import parse_money

# key -> (scope, kind). Scopes: order, line, class (line class known), return (return line known).
VOCABULARY = {
    "product_tag": ("line", "strings"), "product_type": ("line", "strings"), "sku": ("line", "strings"),
    "gift_card": ("line", "bool"), "marked_down": ("line", "bool"), "discounted": ("line", "bool"),
    "line_discount": ("line", "bool"),
    "unit_price_above": ("line", "money"), "unit_price_at_least": ("line", "money"),
    "unit_price_below": ("line", "money"), "unit_price_at_most": ("line", "money"),
    "properties": ("line", "properties"),
    "discount_percent_at_least": ("line", "percent"), "discount_percent_below": ("line", "percent"),
    "order_tag": ("order", "strings"), "discount_code_prefix": ("order", "strings"),
    "sales_channel": ("order", "strings"), "payment_method": ("order", "strings"),
    "ship_to_country": ("order", "countries"),
    "ship_to_country_not": ("order", "countries"), "ship_to_province": ("order", "codes"),
    "po_box": ("order", "bool"), "carrier": ("order", "strings"), "currency": ("order", "currencies"),
    "merchandise_value_above": ("order", "money"), "merchandise_value_at_least": ("order", "money"),
    "merchandise_value_below": ("order", "money"), "merchandise_value_at_most": ("order", "money"),
    "order_date_from": ("order", "date"), "order_date_to": ("order", "date"),
    "order_season": ("order", "season"),  # { from = "MM-DD", to = "MM-DD" } every year; wraps past Dec 31
    "line_class": ("class", "classes"), "line_class_not": ("class", "classes"),
    "item_condition": ("return", "conditions"), "return_reason": ("return", "reasons"),
    "merchant_fault": ("return", "bool"),
    "return_channel": ("return", "return_channels"),
    "exchange_for": ("return", "exchange_scopes"),
    # Days from the anchor of the window that permits the requested resolution to the return's date
    # (`as_of`); 0 before the anchor has happened. Lateness tiers for fees and outcomes.
    "days_elapsed_at_least": ("return", "days"), "days_elapsed_at_most": ("return", "days"),
    # Exchanges already made on the order before this request (the request's `exchanges_before`, 0 when
    # absent): "the first exchange is free" is a fee or refusal with exchanges_before_at_least = 1.
    "exchanges_before_at_least": ("return", "count"), "exchanges_before_at_most": ("return", "count"),
}
PROPERTY_OPS = ("eq", "ne", "present", "absent")
_CHOICES = {"classes": CLASSES, "conditions": CONDITIONS, "reasons": REASONS, "return_channels": ("mail", "in_store"),
            "exchange_scopes": ("same_style", "other_item")}
_WORLD = {"countries": codes.countries, "currencies": codes.currencies}  # checked against ISO 3166 / ISO 4217


def check_value(kind: str, value):
    """Convert a condition value, or raise ValueError with a message for the author."""
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError("must be true or false")
        return value
    if kind == "money":
        if (amount := parse_money(value)) < 0:
            raise ValueError(f"must not be negative (got {value})")
        return amount
    if kind == "percent":
        found = parse_money(value)
        if not 0 <= found <= 100:
            raise ValueError("must be a percentage from 0 to 100")
        return found
    if kind in ("days", "count"):
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ValueError(f"must be a whole number{' of days' if kind == 'days' else ''}, 0 or more")
        return value
    if kind == "date":
        if isinstance(value, date):
            return value
        if isinstance(value, str):
            return date.fromisoformat(value)
        raise ValueError("must be a date (YYYY-MM-DD)")
    if kind == "season":
        return _check_season(value)
    if kind == "properties":
        return tuple(_check_property(p) for p in _as_list(value, dict, "a list of tables"))
    items = _as_list(value, str, "a list of strings")
    if kind in _WORLD:
        return _WORLD[kind](items)
    if kind in _CHOICES:
        choices = _CHOICES[kind]
        bad = [(i, f"unknown value '{v}' (expected one of {', '.join(choices)}){did_you_mean(v, choices)}")
               for i, v in enumerate(items) if v not in choices]
        if bad:
            raise ItemErrors(bad)
        return frozenset(items)
    return frozenset(v.strip().upper() if kind == "codes" else v.strip().lower() for v in items)


def _check_season(value) -> tuple:
    """{ from = "MM-DD", to = "MM-DD" } -> ((month, day), (month, day))."""
    if not isinstance(value, dict) or set(value) != {"from", "to"}:
        raise ValueError('must be { from = "MM-DD", to = "MM-DD" }')
    return tuple(_month_day(value[k]) for k in ("from", "to"))


def _month_day(text) -> tuple:
    try:
        month, day = (int(x) for x in text.split("-")) if isinstance(text, str) and len(text) == 5 else (0, 0)
        date(2000, month, day)  # 2000 is a leap year, so "02-29" is a valid bound
    except ValueError:
        raise ValueError(f"'{text}' is not a month-day \"MM-DD\"") from None
    return (month, day)


def _in_season(season: tuple):
    start, end = season
    if start <= end:
        return lambda c: start <= (c.order.local_date.month, c.order.local_date.day) <= end
    return lambda c: not end < (c.order.local_date.month, c.order.local_date.day) < start  # wraps the year end


def _as_list(value, item_type, what: str) -> list:
    if not isinstance(value, list) or not value or not all(isinstance(v, item_type) for v in value):
        raise ValueError(f"must be {what} (not empty)")
    return value


def _check_property(spec: dict) -> tuple:
    unknown = set(spec) - {"name", "op", "other", "value"}
    if unknown:
        raise ValueError(f"unknown property comparison key '{sorted(unknown)[0]}'")
    name, op = spec.get("name"), spec.get("op", "eq")
    if not isinstance(name, str) or op not in PROPERTY_OPS:
        raise ValueError(f"a property comparison needs 'name' and 'op' in {', '.join(PROPERTY_OPS)}")
    if op in ("eq", "ne") and not isinstance(spec.get("other", spec.get("value")), str):
        raise ValueError(f"'{op}' needs 'other' (another property) or 'value' (a string)")
    return (name, op, spec.get("other"), spec.get("value"))


def compile_key(key: str, value):
    """The predicate for one validated condition."""
    kind = VOCABULARY[key][1]
    if kind in ("money", "percent"):
        return _compile_bound(key, value)
    if kind == "properties":
        checks = tuple(_compile_property(p) for p in value)
        return lambda c: all(check(c.line.props) for check in checks)
    return _COMPILERS[key](value)


_BOUNDS = {  # (key, bound) -> predicate; plain lambdas, as these run for every line of every decision
    "unit_price_above": lambda b: lambda c: c.line.price > b,
    "unit_price_at_least": lambda b: lambda c: c.line.price >= b,
    "unit_price_below": lambda b: lambda c: c.line.price < b,
    "unit_price_at_most": lambda b: lambda c: c.line.price <= b,
    "merchandise_value_above": lambda b: lambda c: c.order.merch > b,
    "merchandise_value_at_least": lambda b: lambda c: c.order.merch >= b,
    "merchandise_value_below": lambda b: lambda c: c.order.merch < b,
    "merchandise_value_at_most": lambda b: lambda c: c.order.merch <= b,
    "discount_percent_at_least": lambda b: lambda c: c.line.off >= b,
    "discount_percent_below": lambda b: lambda c: c.line.off < b,
}


def _compile_bound(key: str, bound: Decimal):
    return _BOUNDS[key](bound)


def _compile_property(spec: tuple):
    name, op, other, value = spec
    if op == "present":
        return lambda props: name in props
    if op == "absent":
        return lambda props: name not in props
    same = op == "eq"
    if other is not None:
        return lambda props: name in props and other in props and (props[name] == props[other]) is same
    return lambda props: name in props and (props[name] == value) is same


_COMPILERS = {
    "product_tag": lambda s: lambda c: not s.isdisjoint(c.line.tags),
    "product_type": lambda s: lambda c: c.line.ptype in s,
    "sku": lambda s: lambda c: c.line.sku in s,
    "gift_card": lambda v: lambda c: c.line.gift_card is v,
    "marked_down": lambda v: lambda c: c.line.marked_down is v,
    "discounted": lambda v: lambda c: c.line.discounted is v,
    "line_discount": lambda v: lambda c: c.line.has_discount is v,
    "order_tag": lambda s: lambda c: not s.isdisjoint(c.order.tags),
    "discount_code_prefix": lambda s: _prefix_match(tuple(s)),
    "sales_channel": lambda s: lambda c: c.order.channel in s,
    "payment_method": lambda s: lambda c: not s.isdisjoint(c.order.payments),
    "return_channel": lambda s: lambda c: c.ret is not None and c.ret.channel in s,
    "exchange_for": lambda s: lambda c: c.ret is not None and c.ret.exchange_for in s,
    "ship_to_country": lambda s: _address_fact(lambda c: None if c.order.country is None else c.order.country in s),
    "ship_to_country_not": lambda s: _address_fact(
        lambda c: None if c.order.country is None else c.order.country not in s),
    "ship_to_province": lambda s: _address_fact(
        lambda c: None if c.order.province is None else c.order.province in s),
    "po_box": lambda v: _address_fact(lambda c: None if c.order.po_box is None else c.order.po_box is v),
    "carrier": lambda s: lambda c: not s.isdisjoint(c.order.carriers),
    "currency": lambda s: lambda c: c.order.currency in s,
    "order_date_from": lambda d: lambda c: c.order.local_date >= d,
    "order_date_to": lambda d: lambda c: c.order.local_date <= d,
    "order_season": _in_season,
    "line_class": lambda s: lambda c: c.cls in s,
    "line_class_not": lambda s: lambda c: c.cls not in s,
    "item_condition": lambda s: lambda c: c.ret is not None and c.ret.condition in s,
    "return_reason": lambda s: lambda c: c.ret is not None and c.ret.reason in s,
    "merchant_fault": lambda v: lambda c: c.ret is not None and c.ret.merchant_fault is v,
    "days_elapsed_at_least": lambda n: lambda c: c.elapsed is not None and c.elapsed >= n,
    "days_elapsed_at_most": lambda n: lambda c: c.elapsed is not None and c.elapsed <= n,
    "exchanges_before_at_least": lambda n: lambda c: c.ret is not None and c.ret.exchanges_before >= n,
    "exchanges_before_at_most": lambda n: lambda c: c.ret is not None and c.ret.exchanges_before <= n,
}


def _address_fact(pred):
    """A predicate on an address fact: None when the fact is unknown."""
    pred.unknowable = True
    return pred


def _prefix_match(prefixes: tuple):
    def match(c) -> bool:
        for code in c.order.codes:
            if code.startswith(prefixes):
                return True
        return False
    return match


def unknowable(pred) -> bool:
    """Whether a predicate may answer None (it reads an address fact, directly or through its parts)."""
    return getattr(pred, "unknowable", False)


def _marked(pred, parts):
    """`pred`, marked unknowable when any of its parts is (a lambda takes attributes)."""
    if any(unknowable(p) for p in parts):
        pred.unknowable = True
    return pred


def all_of(preds: list):
    """AND of predicates: plain `and` when none can be unknown, else Kleene's (False beats unknown)."""
    if not preds:
        return lambda c: True
    if len(preds) == 1:
        return preds[0]
    preds = tuple(preds)
    if not any(unknowable(p) for p in preds):
        if len(preds) == 2:
            first, second = preds
            return lambda c: first(c) and second(c)

        def every(c) -> bool:
            for pred in preds:
                if not pred(c):
                    return False
            return True
        return every

    def match(c) -> bool | None:
        unknown = False
        for pred in preds:
            found = pred(c)
            if not found:
                if found is None:
                    unknown = True
                else:
                    return False
        return None if unknown else True
    return _marked(match, preds)


def any_of_preds(preds: list):
    """OR of predicates: plain `or` when none can be unknown, else Kleene's (True beats unknown)."""
    preds = tuple(preds)
    if not any(unknowable(p) for p in preds):
        if len(preds) == 2:
            first, second = preds
            return lambda c: first(c) or second(c)

        def some(c) -> bool:
            for pred in preds:
                if pred(c):
                    return True
            return False
        return some

    def match(c) -> bool | None:
        unknown = False
        for pred in preds:
            found = pred(c)
            if found:
                return True
            if found is None:
                unknown = True
        return None if unknown else False
    return _marked(match, preds)


def none_of(pred):
    """NOT (what `unless` needs); Kleene's when `pred` can be unknown."""
    if not unknowable(pred):
        return lambda c: not pred(c)

    def match(c) -> bool | None:
        found = pred(c)
        return None if found is None else not found
    return _marked(match, (pred,))
