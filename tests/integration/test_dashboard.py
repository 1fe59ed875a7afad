"""The dashboard's figures (backend/services/admin/dashboard.py) from stored order states, on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import date, timedelta

from backend.services.admin import dashboard
from backend.store.models import OrderState

SHOP = "dash.myshopify.com"
TODAY = date(2026, 12, 3)


def _store(app, rows):
    with app.extensions["fineprint.db"].session() as s:
        for i, (created, tags, deadline, shop) in enumerate(rows):
            s.add(OrderState(shop_domain=shop, order_id=str(1000 + i), tags_written=tags,
                             facts={"created_at": f"{created.isoformat()}T10:00:00-08:00"} if created else {},
                             deadline_written=deadline.isoformat() if deadline else None))


def _at(series: dict, day: date, key: str):
    return series[key][series["days"].index(day.isoformat())]


def test_an_order_with_three_tags_is_counted_once(app):
    _store(app, [
        (TODAY, ["final-sale", "signature-required", "return-protection"], TODAY + timedelta(days=5), SHOP),
        (TODAY, [], None, SHOP),
        (TODAY - timedelta(days=2), ["final-sale"], TODAY - timedelta(days=10), SHOP),
        (TODAY - timedelta(days=40), ["final-sale"], TODAY + timedelta(days=45), SHOP),  # outside both windows
        (TODAY, ["final-sale"], TODAY, "other-shop.myshopify.com"),                   # another shop
        (None, ["final-sale"], None, SHOP),                                           # no created_at yet
    ])
    d = dashboard.data(app.extensions["fineprint.db"], SHOP, TODAY)
    orders = d["orders"]
    assert len(orders["days"]) == dashboard.DAYS and orders["days"][-1] == TODAY.isoformat()
    assert _at(orders, TODAY, "total") == 2
    assert _at(orders, TODAY - timedelta(days=2), "total") == 1
    assert sum(orders["total"]) == d["totals"]["orders"] == 3
    assert sorted(orders["by_tag"]) == ["final-sale", "return-protection", "signature-required"]
    final_sale = dict(zip(orders["days"], orders["by_tag"]["final-sale"]))
    assert final_sale[TODAY.isoformat()] == 1 and final_sale[(TODAY - timedelta(days=2)).isoformat()] == 1

    deadlines = d["deadlines"]
    assert deadlines["days"][0] == (TODAY - timedelta(days=30)).isoformat()
    assert deadlines["days"][-1] == (TODAY + timedelta(days=30)).isoformat()
    assert _at(deadlines, TODAY + timedelta(days=5), "count") == 1
    assert _at(deadlines, TODAY - timedelta(days=10), "count") == 1
    assert sum(deadlines["count"]) == 2 and d["totals"]["upcoming_deadlines"] == 1


def test_a_shop_without_orders_has_empty_series(app):
    d = dashboard.data(app.extensions["fineprint.db"], SHOP, TODAY)
    assert d["orders"]["total"] == [0] * dashboard.DAYS and d["orders"]["by_tag"] == {}
    assert d["totals"] == {"orders": 0, "upcoming_deadlines": 0}
