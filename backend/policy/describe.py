"""Plain-English phrases for conditions, windows and money (used by render and lint)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from backend.policy.calendar import NAMED_HOLIDAYS
from backend.policy.codes import REGION_NAMES, REGIONS

RESOLUTION_NAMES = {"refund": "refund", "store_credit": "store credit", "exchange": "exchange"}
ANCHOR_NAMES = {"delivery": "delivery", "shipment": "shipment", "order": "the order date"}
CLASS_NAMES = {"final_sale": "final sale (no refund, credit or exchange)", "credit_only": "store credit only",
               "exchange_or_credit": "exchange or store credit only (no refund)",
               "external": "returned through another channel", "trial": "try-at-home",
               "protection": "return protection", "standard": "standard"}


def money(value: Decimal, currency: str = "USD") -> str:
    text = f"{value:,.2f}"
    return f"${text}" if currency == "USD" else f"{text} {currency}"


def _join(values) -> str:
    items = sorted(str(v) for v in values)
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


_PHRASES = {
    "product_tag": lambda v: f"products tagged {_join(v)}",
    "product_type": lambda v: f"product type {_join(v)}",
    "sku": lambda v: f"SKU {_join(s.upper() for s in v)}",
    "gift_card": lambda v: "gift cards" if v else "items that are not gift cards",
    "marked_down": lambda v: "marked-down items" if v else "items not marked down",
    "discounted": lambda v: "items bought at a discount" if v else "items bought at full price",
    "line_discount": lambda v: "items with a discount" if v else "items without a discount",
    "unit_price_above": lambda v: f"priced above {money(v)}",
    "unit_price_at_least": lambda v: f"priced {money(v)} or more",
    "unit_price_below": lambda v: f"priced under {money(v)}",
    "unit_price_at_most": lambda v: f"priced {money(v)} or less",
    "properties": lambda v: "; ".join(_property(p) for p in v),
    "discount_percent_at_least": lambda v: f"items discounted by {v.normalize():f}% or more (sale price and codes together)",
    "discount_percent_below": lambda v: f"items discounted by less than {v.normalize():f}%",
    "order_tag": lambda v: f"orders tagged {_join(v)}",
    "discount_code_prefix": lambda v: f"discount codes starting with {_join(s.upper() for s in v)}",
    "sales_channel": lambda v: f"orders placed through {_join(s.title() for s in v)}",
    "payment_method": lambda v: f"orders paid with {_join(v)}",
    "exchange_for": lambda v: "exchanges" if len(v) > 1 else _join(
        "exchanges for another size or colour of the same style" if s == "same_style"
        else "exchanges for a different item" for s in v),
    "return_channel": lambda v: f"returns made {_join('in store' if s == 'in_store' else 'by mail' for s in v)}",
    "ship_to_country": lambda v: f"orders shipped to {_join(_places(v))}",
    "ship_to_country_not": lambda v: f"orders shipped outside {_join(_places(v))}",
    "ship_to_province": lambda v: f"orders shipped to {_join(v)}",
    "po_box": lambda v: "P.O. box addresses" if v else "street addresses",
    "carrier": lambda v: f"shipped via {_join(s.upper() for s in v)}",
    "currency": lambda v: f"paid in {_join(v)}",
    "merchandise_value_above": lambda v: f"merchandise over {money(v)}",
    "merchandise_value_at_least": lambda v: f"merchandise of {money(v)} and up",
    "merchandise_value_below": lambda v: f"merchandise under {money(v)}",
    "merchandise_value_at_most": lambda v: f"merchandise of {money(v)} or less",
    "order_date_from": lambda v: f"orders placed on or after {v:%B %-d, %Y}",
    "order_date_to": lambda v: f"orders placed on or before {v:%B %-d, %Y}",
    "order_date_range": lambda v: f"orders placed from {v[0]:%B %-d, %Y} through {v[1]:%B %-d, %Y}",
    "order_season": lambda v: f"orders placed from {_month_day(v[0])} to {_month_day(v[1])} (every year)",
    "line_class": lambda v: f"{_join(CLASS_NAMES[c] for c in v)} items",
    "line_class_not": lambda v: f"items other than {_join(CLASS_NAMES[c] for c in v)}",
    "item_condition": lambda v: f"items returned {_join(c.replace('_', ' ') for c in v)}",
    "return_reason": lambda v: f"returns because of {_join(r.replace('_', ' ') for r in v)}",
    "merchant_fault": lambda v: "our mistakes" if v else "returns that are not our mistake",
    "days_elapsed_at_least": lambda v: f"returns made {v} days or more after the window opens",
    "days_elapsed_at_most": lambda v: f"returns made within {v} days of the window opening",
    "exchanges_before_at_least": lambda v: f"orders already exchanged {_times(v)} or more",
    "exchanges_before_at_most": lambda v: (f"orders exchanged {_times(v)} or fewer before" if v
                                           else "orders not exchanged before"),
}


def _times(n: int) -> str:
    return {1: "once", 2: "twice"}.get(n, f"{n} times")
_DAYS = ("days_elapsed_at_least", "days_elapsed_at_most")


def _places(codes) -> list[str]:
    """Country codes with every whole region group written by its name (the EU, not its 27 codes)."""
    rest, names = set(codes), []
    for region in sorted(REGIONS, key=lambda r: -len(REGIONS[r])):
        if len(REGIONS[region]) > 1 and REGIONS[region] <= rest:
            rest -= REGIONS[region]
            names.append(REGION_NAMES[region])
    return sorted(rest) + names


def _property(spec: tuple) -> str:
    name, op, other, value = spec
    if op in ("present", "absent"):
        return f"'{name}' {'given' if op == 'present' else 'not given'}"
    target = f"'{other}'" if other is not None else f"\"{value}\""
    return f"'{name}' {'equal to' if op == 'eq' else 'different from'} {target}"


def conditions(cond) -> str:
    """'orders shipped to US and products tagged x', or '' when the rule applies to everything."""
    currency = next(iter(cond.when["currency"])) if len(cond.when.get("currency", ())) == 1 else "USD"
    when = _ranges(cond.when)
    parts = [_phrase(k, v, currency) for k, v in when.items() if k not in _DAYS or not _both_days(when)]
    if _both_days(when):
        low, high = when["days_elapsed_at_least"], when["days_elapsed_at_most"]
        parts.append(f"returns made on days {low} to {high} after the window opens")
    if cond.when_any:
        parts.append("either " + " or ".join(" and ".join(_PHRASES[k](v) for k, v in t.items()) for t in cond.when_any))
    if cond.unless and set(cond.unless) == {"ship_to_country_not"}:  # "except outside X" is "to X"
        parts.append(_PHRASES["ship_to_country"](cond.unless["ship_to_country_not"]))
    elif cond.unless:
        parts.append(("all orders " if not parts else "") + "except "
                     + " and ".join(_PHRASES[k](v) for k, v in _ranges(cond.unless).items()))
    return " and ".join(parts)


def _ranges(table: dict) -> dict:
    """Both ends of an order date range as one key, so it reads as one range and not as two conditions."""
    if "order_date_from" not in table or "order_date_to" not in table:
        return table
    out = {k: v for k, v in table.items() if k not in ("order_date_from", "order_date_to")}
    return {"order_date_range": (table["order_date_from"], table["order_date_to"]), **out}


def day(value) -> str:
    return f"{value:%B %-d, %Y}"


def _both_days(when: dict) -> bool:
    return all(k in when for k in _DAYS)


def _phrase(key: str, value, currency: str) -> str:
    if key.startswith("merchandise_value") and currency != "USD":
        return _PHRASES[key](value).replace(money(value), money(value, currency))
    return _PHRASES[key](value)


def window(resolution: str, win) -> str:
    name = RESOLUTION_NAMES[resolution]
    if win is None:
        return f"no {name}"
    if win.until is None:
        return f"{name} within {win.days} days of {ANCHOR_NAMES[win.anchor]}"
    until = f"{win.until:%B %-d, %Y}" if isinstance(win.until, date) else f"{_month_day(win.until)} following the order"
    if win.days is None:
        return f"{name} until {until}"
    return f"{name} within {win.days} days of {ANCHOR_NAMES[win.anchor]} or until {until}, whichever is later"


def _month_day(md: tuple) -> str:
    return f"{date(2000, *md):%B} {md[1]}"


_DISPLAY = {"presidents_day": "Presidents' Day", "new_years_eve": "New Year's Eve", "christmas_eve": "Christmas Eve"}


def holiday(key: str) -> str:
    return _DISPLAY.get(key) or NAMED_HOLIDAYS.get(key, key)
