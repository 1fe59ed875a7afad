"""One line's outcome: class (by precedence), windows (later rules override), deadlines, price adjustment.

`combine` is THE combining rule of the rule language (see policy_rules/README.md).
"""
from __future__ import annotations

from datetime import date, timedelta

from backend.policy.model import CLASS_PERMITS, PRECEDENCE, RESOLUTIONS, Policy

_ONE_DAY = timedelta(days=1)
_DEADLINES: dict[tuple, tuple] = {}


class Ctx:
    """What a condition looks at."""

    __slots__ = ("line", "order", "ret", "cls")

    def __init__(self, line, order, ret=None, cls=None):
        self.line, self.order, self.ret, self.cls = line, order, ret, cls


def combine(policy: Policy, ctx: Ctx, protected: bool):
    """Class: highest precedence among matching rules. Windows: per resolution, the last matching rule
    in file order that sets it wins; then the class masks what it never permits.
    Returns (class, {resolution: (Window, rule) | None}, [rules that shaped the line])."""
    cls, class_rules, set_by = "standard", [], {}
    if protected:
        cls, class_rules = "protection", [policy.protection]
    for rule in policy.rules:
        if not rule.cond.match(ctx):
            continue
        if rule.cls is not None:
            rank, current = PRECEDENCE[rule.cls], PRECEDENCE[cls]
            if rank > current or not class_rules:
                cls, class_rules = rule.cls, [rule]
            elif rank == current:
                class_rules.append(rule)
        for resolution, window in rule.windows.items():
            set_by[resolution] = (window, rule)
    permits = CLASS_PERMITS[cls]
    windows, shaped = {}, list(class_rules)
    for resolution in RESOLUTIONS:
        entry = set_by.get(resolution)
        if entry is None or (permits is not None and resolution not in permits):
            windows[resolution] = None
            continue
        windows[resolution] = entry if entry[0] is not None else None
        if entry[1] not in shaped:
            shaped.append(entry[1])
    return cls, windows, shaped


def anchors(order, line_id: str, tz):
    """(shipped, delivered) local dates for a line: the latest over the fulfillments that cover it."""
    local = order.local_fulfillments
    if local is None:
        local = order.local_fulfillments = [
            (f.line_ids, f.shipped.astimezone(tz).date() if f.shipped else None,
             f.delivered.astimezone(tz).date() if f.delivered else None) for f in order.fulfillments]
    shipped = delivered = None
    for line_ids, ship_date, delivery_date in local:
        if line_ids is not None and line_id not in line_ids:
            continue
        if ship_date is not None and (shipped is None or ship_date > shipped):
            shipped = ship_date
        if delivery_date is not None and (delivered is None or delivery_date > delivered):
            delivered = delivery_date
    return shipped, delivered


def line_outcome(policy: Policy, ctx: Ctx, protected: bool, as_of: date) -> tuple[dict, dict]:
    """The §6 line dict, and the windows (the return computation needs them); sets ctx.cls."""
    cls, windows, shaped = combine(policy, ctx, protected)
    ctx.cls = cls
    dates = _anchor_dates(policy, ctx, as_of, windows)
    resolutions = {}
    for resolution in RESOLUTIONS:
        entry = windows[resolution]
        if entry is None:
            resolutions[resolution] = {"allowed": False, "deadline": None, "window": None}
            continue
        window = entry[0]
        anchor = dates[window.anchor]
        if anchor is None:
            resolutions[resolution] = {"allowed": True, "deadline": None, "window": window.json.copy()}
            continue
        deadline, text = _deadline(anchor, window.days)
        resolutions[resolution] = {"allowed": as_of <= deadline, "deadline": text, "window": window.json.copy()}
    reasons = [r.info.reason for r in shaped]
    if dates["fallback"]:
        reasons.append(policy.delivery_fallback.info.reason)
    adjustment = _price_adjustment(policy, ctx, dates, as_of, reasons)
    out = {"line_item_id": ctx.line.id, "class": cls, "resolutions": resolutions,
           "price_adjustment": adjustment, "reasons": reasons}
    return out, windows


def _deadline(anchor: date, days: int) -> tuple[date, str]:
    """anchor + days, and its ISO text (memoised)."""
    key = (anchor, days)
    found = _DEADLINES.get(key)
    if found is None:
        deadline = anchor + _ONE_DAY * days
        if len(_DEADLINES) >= 4096:
            _DEADLINES.clear()
        found = _DEADLINES[key] = (deadline, deadline.isoformat())
    return found


def _anchor_dates(policy: Policy, ctx: Ctx, as_of: date, windows: dict) -> dict:
    ship_date, delivered = anchors(ctx.order, ctx.line.id, policy.tz)
    dates = {"order": ctx.order.local_date, "shipment": ship_date, "fallback": False, "delivery": delivered}
    fallback = policy.delivery_fallback
    if dates["delivery"] is None and ship_date is not None and fallback is not None:
        assumed = ship_date + timedelta(days=fallback.days)
        if as_of >= assumed:
            dates["delivery"] = assumed
            dates["fallback"] = any(e is not None and e[0].anchor == "delivery" for e in windows.values())
    return dates


def _price_adjustment(policy: Policy, ctx: Ctx, dates: dict, as_of: date, reasons: list) -> dict | None:
    if not policy.price_adjustments:
        return None
    chosen = None
    for rule in policy.price_adjustments:
        if rule.cond.match(ctx):
            chosen = rule
    if chosen is None:
        return {"allowed": False, "resolution": None, "deadline": None}
    reasons.append(chosen.info.reason)
    if chosen.resolution is None:
        return {"allowed": False, "resolution": None, "deadline": None}
    anchor = dates[chosen.anchor]
    deadline = anchor + timedelta(days=chosen.days) if anchor is not None else None
    return {"allowed": deadline is None or as_of <= deadline, "resolution": chosen.resolution,
            "deadline": deadline.isoformat() if deadline else None}
