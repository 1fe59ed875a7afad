"""Line outcomes memoised by the facts that decide them, within and among decisions.

A policy is immutable, so a line's outcome is a function of the facts its conditions read (found once
per policy from the rules themselves), whether it is the protection line, and its dates. Each hit is
handed out as fresh dicts, so callers may change a decision freely. A policy whose conditions use a
key this table does not know is never memoised (everything is computed afresh).
"""
from __future__ import annotations

from operator import attrgetter

from backend.policy.lines import Ctx, anchors, line_outcome

LINE_FACTS = {"product_tag": "tags", "product_type": "ptype", "sku": "sku", "gift_card": "gift_card",
              "marked_down": "marked_down", "discounted": "discounted", "line_discount": "has_discount",
              "unit_price_above": "price", "unit_price_at_least": "price", "unit_price_below": "price",
              "unit_price_at_most": "price", "properties": "props"}
ORDER_FACTS = {"order_tag": "tags", "discount_code_prefix": "codes", "sales_channel": "channel",
               "ship_to_country": "country", "ship_to_country_not": "country", "ship_to_province": "province",
               "po_box": "po_box", "carrier": "carriers", "currency": "currency",
               "merchandise_value_above": "merch", "merchandise_value_at_least": "merch",
               "merchandise_value_below": "merch", "merchandise_value_at_most": "merch",
               "order_date_from": "local_date", "order_date_to": "local_date"}
CLASS_KEYS = frozenset({"line_class", "line_class_not"})  # the class follows from the other facts
LIMIT = 4096
enabled = True  # tests and the bench turn it off to compare with computing every line afresh
_MEMOS: dict[int, tuple] = {}
_ORDER_KEY = attrgetter(*sorted(set(ORDER_FACTS.values())))


class Memo:
    __slots__ = ("line_facts", "order_facts", "props", "outcomes", "orders", "tokens", "issued", "protection",
                 "protected")

    def __init__(self, line_attrs: list, order_attrs: list, protection_attrs: set):
        self.props = "props" in line_attrs
        line_attrs = sorted(set(line_attrs) - {"props"})
        self.line_facts = attrgetter(*line_attrs) if line_attrs else (lambda _: ())
        self.order_facts = attrgetter(*sorted(set(order_attrs))) if order_attrs else (lambda _: ())
        self.outcomes: dict = {}
        self.orders: dict = {}
        self.tokens: dict = {}  # (order facts, order date, as_of, shared anchors) -> a number never reused
        self.issued = 0
        self.protection = attrgetter(*sorted(protection_attrs)) if protection_attrs else None
        self.protected: dict = {}  # the protection line's facts -> whether it is one


def memo_for(policy) -> Memo | None:
    """The policy's memo (built on first use), or None when memoising is off or not safe for it."""
    if not enabled:
        return None
    found = _MEMOS.get(id(policy))
    if found is None or found[0] is not policy:
        if len(_MEMOS) >= 256:
            _MEMOS.clear()
        found = _MEMOS[id(policy)] = (policy, _build(policy))
    return found[1]


def _build(policy) -> Memo | None:
    line_attrs, order_attrs = [], []
    for cond in (r.cond for r in (*policy.rules, *policy.price_adjustments)):
        for key in _keys(cond):
            if key in LINE_FACTS:
                line_attrs.append(LINE_FACTS[key])
            elif key in ORDER_FACTS:
                order_attrs.append(ORDER_FACTS[key])
            elif key not in CLASS_KEYS:
                return None
    order_level = [r.cond for r in (*policy.signature, *policy.blocks)]
    order_level += [r.cond for r in policy.shipping.rates] if policy.shipping else []
    order_level += [policy.protection.offered] if policy.protection else []
    if any(key not in ORDER_FACTS for cond in order_level for key in _keys(cond)):
        return None
    return Memo(line_attrs, order_attrs, _protection_attrs(policy))


def _protection_attrs(policy) -> set:
    """The line facts that decide whether a line is the protection line (empty: not memoised)."""
    if policy.protection is None:
        return set()
    keys = set(_keys(policy.protection.line))
    attrs = {LINE_FACTS.get(key) for key in keys}
    return set() if None in attrs or "props" in attrs else attrs


def _keys(cond):
    for table in (cond.when, *cond.when_any, cond.unless or {}):
        yield from table


def order_token(memo: Memo, order, as_of, tz) -> tuple:
    """(a number standing for what the order gives every line's key, whether that includes the anchor
    dates): once per decision, so each line's key stays short."""
    shared = all(f.line_ids is None for f in order.fulfillments)
    facts = (memo.order_facts(order), order.local_date, as_of, anchors(order, "", tz) if shared else None)
    token = memo.tokens.get(facts)
    if token is None:
        if len(memo.tokens) >= LIMIT:
            memo.tokens.clear()
        memo.issued += 1
        token = memo.tokens[facts] = memo.issued
    return token, shared


def outcome(policy, memo: Memo | None, line, order, token: tuple | None, protected: bool, as_of) -> tuple:
    """(line dict, windows, class, latest deadline) as line_outcome() finds them, from the memo when these
    facts were seen before."""
    if memo is None:
        ctx = Ctx(line, order)
        out, windows = line_outcome(policy, ctx, protected, as_of)
        return out, windows, ctx.cls, latest_deadline(out)
    key = (memo.line_facts(line), tuple(line.props.items()) if memo.props else None, token[0], protected)
    if not token[1]:
        key += anchors(order, line.id, policy.tz)
    found = memo.outcomes.get(key)
    if found is None:
        ctx = Ctx(line, order)
        out, windows = line_outcome(policy, ctx, protected, as_of)
        if len(memo.outcomes) >= LIMIT:
            memo.outcomes.clear()
        found = memo.outcomes[key] = (_template(out), windows, ctx.cls, latest_deadline(out))
        return out, windows, ctx.cls, found[3]
    template, windows, cls, latest = found
    return _fresh(template, line.id), windows, cls, latest


def latest_deadline(out: dict) -> str | None:
    """The latest deadline among the line's resolutions (ISO dates order as text)."""
    deadlines = [r["deadline"] for r in out["resolutions"].values() if r["deadline"]]
    return max(deadlines) if deadlines else None


def _template(out: dict) -> tuple:
    resolutions = tuple((name, r["allowed"], r["deadline"], None if r["window"] is None else dict(r["window"]))
                        for name, r in out["resolutions"].items())
    adjustment = out["price_adjustment"]
    return out["class"], resolutions, None if adjustment is None else dict(adjustment), tuple(out["reasons"])


def _fresh(template: tuple, line_id: str) -> dict:
    cls, resolutions, adjustment, reasons = template
    fresh = {}
    for name, allowed, deadline, window in resolutions:
        fresh[name] = {"allowed": allowed, "deadline": deadline, "window": window if window is None else window.copy()}
    return {"line_item_id": line_id, "class": cls, "resolutions": fresh,
            "price_adjustment": adjustment if adjustment is None else adjustment.copy(), "reasons": list(reasons)}


def order_parts(policy, memo: Memo | None, compute, order, purchased: bool) -> tuple:
    """compute(policy, order, purchased) -> (signature, protection, shipping, sales tax, blocks), memoised
    by every order fact a condition can read (fresh dicts per hit)."""
    if memo is None:
        return compute(policy, order, purchased)
    key = (_ORDER_KEY(order), purchased)
    found = memo.orders.get(key)
    if found is None:
        if len(memo.orders) >= LIMIT:
            memo.orders.clear()
        found = memo.orders[key] = compute(policy, order, purchased)
    signature, protection, shipping, tax, blocked = found
    return (signature, dict(protection), None if shipping is None else dict(shipping), tax,
            [dict(b) for b in blocked])
