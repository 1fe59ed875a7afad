"""Order-level outcomes: ship-by date (business days, holidays, seasons), rate, tax, blocks, signature.

Each outcome function takes `undetermined`, a list it appends (part, rule id) to when a rule depends on
an address fact the request did not give; such a rule is not applied (see vocabulary.py).
"""
from __future__ import annotations

from datetime import date, timedelta

from backend.policy.calendar import holiday_dates
from backend.policy.model import Policy, ShipBy
from backend.policy.money import fmt

_ONE = timedelta(days=1)


class ShipByCalendar:
    """One policy's ship-by rule compiled into a table per year: order date -> ships-by date.

    Owned by the compiled policy, so an answer can only come from this rule: a cache keyed by id() once
    answered a 9-business-day draft with another, collected draft's 1-day date."""

    def __init__(self, rule: ShipBy):
        self.rule = rule
        self._years: dict[int, tuple] = {}  # year -> (holidays, season bounds); a handful of years
        self._tables: dict[int, dict] = {}  # year -> {order date: ships-by date}, built once per year asked
        self._texts: dict[int, dict] = {}  # year -> {order date: ships-by date's ISO text}, likewise

    def _year(self, year: int) -> tuple:
        found = self._years.get(year)
        if found is None:
            if len(self._years) >= 64:
                self._years.clear()
            rule = self.rule  # the country's holidays of the year computed once, for every key and season
            dates = holiday_dates(dict.fromkeys([*rule.holidays, *(k for s in rule.seasons for k in (s.start, s.end))]),
                                  year, rule.country)
            bounds = tuple((dates[s.start], dates[s.end], s) for s in rule.seasons)
            found = self._years[year] = (frozenset(d for k in rule.holidays if (d := dates[k]) is not None), bounds)
        return found

    def is_business_day(self, day: date) -> bool:
        return day.weekday() not in self.rule.weekend and day not in self._year(day.year)[0]

    def business_days(self, order_date: date):
        """How many business days the warehouse takes for an order of that date, and the season that says so."""
        for start, end, season in self._year(order_date.year)[1]:
            if start is None or end is None:
                continue
            if (start <= order_date <= end) if start <= end else (order_date >= start or order_date <= end):
                return season.business_days, season  # a season ending before it starts runs over New Year
        return self.rule.business_days, None

    def ships_by(self, order_date: date) -> date:
        """The Nth business day after the order's local date (N from the season, if any)."""
        return self._dates(order_date.year)[order_date]

    def ships_by_text(self, order_date: date) -> str:
        """ships_by(order_date) as its ISO text (the decision's `ships_by`), from a table of texts per year."""
        texts = self._texts.get(order_date.year)
        if texts is None:
            if len(self._texts) >= 64:
                self._texts.clear()
            texts = self._texts[order_date.year] = {d: v.isoformat() for d, v in self._dates(order_date.year).items()}
        return texts[order_date]

    def _dates(self, year: int) -> dict:
        table = self._tables.get(year)
        if table is None:
            if len(self._tables) >= 64:
                self._tables.clear()
            table = self._tables[year] = self._table(year)
        return table

    def _table(self, year: int) -> dict:
        day, table = date(year, 1, 1), {}
        while day.year == year:
            remaining, found = self.business_days(day)[0], day
            while remaining > 0:
                found += _ONE
                if self.is_business_day(found):
                    remaining -= 1
            table[day] = found
            day += _ONE
        return table


def shipping_outcome(policy: Policy, calendar: ShipByCalendar | None, ctx, undetermined: list,
                     rates: tuple | None = None) -> dict | None:
    """The first rate whose conditions are known to match; an undetermined one before it is reported.
    `rates`: the policy's `shipping_rates` (its predicates and rate texts built once), else read from it."""
    shipping = policy.shipping
    if shipping is None:
        return None
    rate = None
    for match, text, rule_id in (rates if rates is not None else shipping_rates(policy)):
        found = match(ctx)
        if found:
            rate = text
            break
        if found is None:
            undetermined.append(("shipping", rule_id))
    by = calendar.ships_by(ctx.order.local_date) if calendar is not None else None
    return {"rate": rate, "currency": shipping.currency, "ships_by": by.isoformat() if by else None}


def shipping_rates(policy: Policy, compile_cond=None) -> tuple:
    """The rates as (predicate, rate text, rule id): `compile_cond(cond)` makes the predicate when given."""
    if policy.shipping is None:
        return ()
    return tuple((compile_cond(r.cond) if compile_cond is not None else r.cond.match, fmt(r.rate), r.info.id)
                 for r in policy.shipping.rates)


def sales_tax_outcome(policy: Policy, order, undetermined: list) -> bool | None:
    tax = policy.sales_tax
    if tax is None:
        return None
    if order.country is None or (order.country == tax.country and order.province is None):
        undetermined.append(("sales_tax", tax.info.id))
        return False
    start = tax.states.get(order.province) if order.country == tax.country else None
    return start is not None and order.local_date >= start


def blocked_outcome(policy: Policy, ctx, undetermined: list) -> list:
    blocked = []
    for b in policy.blocks:
        found = b.cond.match(ctx)
        if found:
            blocked.append({"rule": b.info.id, "message": b.message})
        elif found is None:
            undetermined.append(("blocked", b.info.id))
    return blocked


def signature_outcome(policy: Policy, ctx, undetermined: list) -> bool:
    unknown = []
    for rule in policy.signature:
        found = rule.cond.match(ctx)
        if found:
            return True
        if found is None:
            unknown.append(("signature_required", rule.info.id))
    undetermined.extend(unknown)
    return False
