"""Order-level outcomes: ship-by date (business days, holidays, seasons), rate, tax, blocks, signature."""
from __future__ import annotations

from datetime import date, timedelta

from backend.policy.calendar import holiday_date, holiday_set
from backend.policy.model import Policy, ShipBy
from backend.policy.money import fmt

_ONE = timedelta(days=1)
_SHIPS_BY_CACHE: dict[tuple[int, date], date] = {}


def is_business_day(ship_by: ShipBy, day: date) -> bool:
    return day.weekday() not in ship_by.weekend and day not in holiday_set(ship_by.holidays, day.year,
                                                                            ship_by.country)


def in_season(ship_by: ShipBy, start_key: str, end_key: str, day: date) -> bool:
    """Inclusive; a season whose end comes before its start runs over New Year."""
    start = holiday_date(start_key, day.year, ship_by.country)
    end = holiday_date(end_key, day.year, ship_by.country)
    if start is None or end is None:
        return False
    return start <= day <= end if start <= end else (day >= start or day <= end)


def business_days_for(ship_by: ShipBy, order_date: date):
    """How many business days the warehouse takes for an order of that date, and the season that says so."""
    for season in ship_by.seasons:
        if in_season(ship_by, season.start, season.end, order_date):
            return season.business_days, season
    return ship_by.business_days, None


def ships_by(ship_by: ShipBy, order_date: date) -> date:
    """The Nth business day after the order's local date (N from the season, if any)."""
    key = (id(ship_by), order_date)
    cached = _SHIPS_BY_CACHE.get(key)
    if cached is not None:
        return cached
    remaining, _ = business_days_for(ship_by, order_date)
    day = order_date
    while remaining > 0:
        day += _ONE
        if is_business_day(ship_by, day):
            remaining -= 1
    if len(_SHIPS_BY_CACHE) > 4096:
        _SHIPS_BY_CACHE.clear()
    _SHIPS_BY_CACHE[key] = day
    return day


def shipping_outcome(policy: Policy, ctx) -> dict | None:
    shipping = policy.shipping
    if shipping is None:
        return None
    rate = next((r.rate for r in shipping.rates if r.cond.match(ctx)), None)
    by = ships_by(shipping.ship_by, ctx.order.local_date) if shipping.ship_by else None
    return {"rate": None if rate is None else fmt(rate), "currency": shipping.currency,
            "ships_by": by.isoformat() if by else None}


def sales_tax_outcome(policy: Policy, order) -> bool | None:
    tax = policy.sales_tax
    if tax is None:
        return None
    start = tax.states.get(order.province) if order.country == tax.country else None
    return start is not None and order.local_date >= start


def blocked_outcome(policy: Policy, ctx) -> list:
    return [{"rule": b.info.id, "message": b.message} for b in policy.blocks if b.cond.match(ctx)]


def signature_outcome(policy: Policy, ctx) -> bool:
    return any(rule.cond.match(ctx) for rule in policy.signature)
