"""The compiled policy's bounded memos of line and order outcomes, keyed by the facts the conditions read.

An extra on top of the compiled rules, for lines and orders like ones already decided: a line's outcome
is a function of those facts (found once per policy from the rules themselves), whether it is the
protection line, its anchor dates and the `as_of` date; the order-level parts (signature, protection
offer, shipping, sales tax, blocks) of the order facts and whether protection was bought. Each hit is
handed out as fresh dicts, so no two decisions share a line's parts (engine.decide says what
is shared within one). A policy whose conditions use a key
these tables do not know is never memoised.
"""
from __future__ import annotations

from operator import attrgetter

from backend.policy.memo import Memo
from backend.policy.model import Policy

LINE_FACTS = {"product_tag": "tags", "product_type": "ptype", "sku": "sku", "gift_card": "gift_card",
              "marked_down": "marked_down", "discounted": "discounted", "line_discount": "has_discount",
              "unit_price_above": "price", "unit_price_at_least": "price", "unit_price_below": "price",
              "unit_price_at_most": "price", "properties": "props",
              "discount_percent_at_least": "off", "discount_percent_below": "off"}
ORDER_FACTS = {"order_tag": "tags", "discount_code_prefix": "codes", "sales_channel": "channel",
               "payment_method": "payments",
               "ship_to_country": "country", "ship_to_country_not": "country", "ship_to_province": "province",
               "po_box": "po_box", "carrier": "carriers", "currency": "currency",
               "merchandise_value_above": "merch", "merchandise_value_at_least": "merch",
               "merchandise_value_below": "merch", "merchandise_value_at_most": "merch",
               "order_date_from": "local_date", "order_date_to": "local_date", "order_season": "local_date"}
CLASS_KEYS = frozenset({"line_class", "line_class_not"})  # the class follows from the other facts


def _nothing(_):
    return ()


class LineMemo:
    """(line facts, order facts, protected, (order date, shipped, delivered), as_of) -> the line's outcome."""

    __slots__ = ("line_facts", "order_facts", "props", "outcomes")

    def __init__(self, line_attrs: set, order_attrs: set, limit: int):
        self.props = "props" in line_attrs
        line_attrs = sorted(line_attrs - {"props"})
        self.line_facts = attrgetter(*line_attrs) if line_attrs else _nothing
        self.order_facts = attrgetter(*sorted(order_attrs)) if order_attrs else _nothing
        self.outcomes = Memo(limit)

    def key(self, line, order_facts, protected: bool, dates: tuple, as_of) -> tuple:
        props = tuple(sorted(line.props.items())) if self.props else None
        return self.line_facts(line), props, order_facts, protected, dates, as_of

    def get(self, key, line_id: str):
        """(fresh line dict, windows, class, latest deadline, undetermined rule ids), or None."""
        found = self.outcomes.get(key)
        if found is None:
            return None
        template, windows, cls, latest, unknown = found
        return _fresh(template, line_id), windows, cls, latest, unknown

    def put(self, key, out: dict, windows: dict, cls: str, latest, unknown: tuple) -> None:
        self.outcomes.put(key, (_template(out), windows, cls, latest, unknown))


def line_memo(policy: Policy, limit: int) -> LineMemo | None:
    """The memo for this policy's line rules, or None when not safe for it (or limit is 0)."""
    if limit <= 0:
        return None
    line_attrs, order_attrs = set(), set()
    for cond in (r.cond for r in (*policy.rules, *policy.price_adjustments)):
        for table in (cond.when, *cond.when_any, cond.unless or {}):
            for key in table:
                if key in LINE_FACTS:
                    line_attrs.add(LINE_FACTS[key])
                elif key in ORDER_FACTS:
                    order_attrs.add(ORDER_FACTS[key])
                elif key not in CLASS_KEYS:
                    return None
    return LineMemo(line_attrs, order_attrs, limit)


class OrderMemo:
    """(every order fact a condition can read, protected?) -> the order-level parts, bounded."""

    __slots__ = ("parts",)
    FACTS = attrgetter(*sorted(set(ORDER_FACTS.values())))

    def __init__(self, limit: int):
        self.parts = Memo(limit)

    def get(self, order, purchased: bool, compute) -> tuple:
        """compute() -> (signature, protection, shipping, sales tax, blocked, undetermined), fresh dicts."""
        key = (self.FACTS(order), purchased)
        found = self.parts.get(key)
        if found is None:
            found = self.parts.put(key, compute())
        signature, protection, shipping, tax, blocked, unknown = found
        return (signature, dict(protection), None if shipping is None else dict(shipping), tax,
                [dict(b) for b in blocked], list(unknown))


def order_memo(policy: Policy, limit: int) -> OrderMemo | None:
    if limit <= 0:
        return None
    conds = [r.cond for r in (*policy.signature, *policy.blocks)]
    conds += [r.cond for r in policy.shipping.rates] if policy.shipping else []
    conds += [policy.protection.offered] if policy.protection else []
    for cond in conds:
        for table in (cond.when, *cond.when_any, cond.unless or {}):
            if any(key not in ORDER_FACTS for key in table):
                return None
    return OrderMemo(limit)


def _template(out: dict) -> tuple:
    resolutions = tuple((name, r["allowed"], r["deadline"], r["window"] and tuple(r["window"].items()))
                        for name, r in out["resolutions"].items())
    adjustment = out["price_adjustment"]
    return out["class"], resolutions, None if adjustment is None else dict(adjustment), tuple(out["reasons"])


def _fresh(template: tuple, line_id: str) -> dict:
    cls, resolutions, adjustment, reasons = template
    fresh = {}
    for name, allowed, deadline, window in resolutions:
        fresh[name] = {"allowed": allowed, "deadline": deadline,
                       "window": None if window is None else dict(window)}
    return {"line_item_id": line_id, "class": cls, "resolutions": fresh,
            "price_adjustment": None if adjustment is None else adjustment.copy(), "reasons": list(reasons)}
