"""Dashboard figures: orders per day (each order once, and how many carry each tag) and return
deadlines around today. The admin page draws them with Chart.js (backend/static/admin/src/charts.js,
bundled by `npm run build:admin`); this module only counts.

    data(db, shop, today) -> {"today", "orders": {"days", "total", "by_tag"}, "deadlines": {"days", "count"},
                              "totals": {"orders", "upcoming_deadlines"}}   (JSON-ready: dates are ISO strings)
"""
from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

from backend.store import order_states

DAYS = 30


def data(db, shop: str, today: date) -> dict:
    rows = order_states.written(db, shop)
    order_days = [today - timedelta(days=DAYS - 1 - i) for i in range(DAYS)]
    deadline_days = [today + timedelta(days=i) for i in range(-DAYS, DAYS + 1)]
    orders, tagged, deadlines = Counter(), {}, Counter()
    for facts, written, deadline in rows:
        created = _day((facts or {}).get("created_at"))
        orders[created] += 1  # one order is one order, whatever number of tags it carries
        for tag in set(written or []):
            tagged.setdefault(tag, Counter())[created] += 1
        deadlines[_day(deadline)] += 1
    return {
        "today": today.isoformat(),
        "orders": {"days": [d.isoformat() for d in order_days], "total": [orders[d] for d in order_days],
                   "by_tag": {tag: [tagged[tag][d] for d in order_days] for tag in sorted(tagged)
                              if any(tagged[tag][d] for d in order_days)}},
        "deadlines": {"days": [d.isoformat() for d in deadline_days],
                      "count": [deadlines[d] for d in deadline_days]},
        "totals": {"orders": sum(orders[d] for d in order_days),
                   "upcoming_deadlines": sum(deadlines[d] for d in deadline_days if d >= today)},
    }


def _day(value) -> date | None:
    try:
        return date.fromisoformat(str(value)[:10]) if value else None
    except ValueError:
        return None
