"""Which stored order holds a fulfillment (a fulfillment event whose order id is rounded or missing):
one lookup in the database, on SQLite and PostgreSQL, without loading the shop's orders."""
from __future__ import annotations

from sqlalchemy import event

from backend.services.orders import state as orders
from backend.store.models import OrderState

SHOP, OTHER = "lookup-dev.myshopify.com", "other-dev.myshopify.com"


def _ship(db, shop, order_id, fulfillment_id):
    orders.ingest_fulfillment(db, shop, order_id, {"id": fulfillment_id, "line_item_ids": [1],
                                                   "shipped_at": "2026-11-02T10:00:00Z"})


def test_the_order_holding_a_fulfillment_is_found_in_its_own_shop_only(app):
    db = app.extensions["fineprint.db"]
    _ship(db, SHOP, "1001", "5001")
    _ship(db, SHOP, "1002", "5002")
    _ship(db, SHOP, "1002", "5003")
    _ship(db, OTHER, "2001", "5002")
    assert orders.order_for_fulfillment(db, SHOP, "5001") == "1001"
    assert orders.order_for_fulfillment(db, SHOP, "5003") == "1002"
    assert orders.order_for_fulfillment(db, SHOP, "5002") == "1002"
    assert orders.order_for_fulfillment(db, OTHER, "5002") == "2001"
    assert orders.order_for_fulfillment(db, SHOP, "500") is None      # an id, not a prefix
    assert orders.order_for_fulfillment(db, OTHER, "5001") is None    # never another shop's order


def test_the_lookup_loads_no_order_into_python(app):
    db = app.extensions["fineprint.db"]
    for n in range(30):
        _ship(db, SHOP, str(3000 + n), str(7000 + n))
    loaded = []
    listener = lambda target, context: loaded.append(target.order_id)  # noqa: E731
    event.listen(OrderState, "load", listener)
    try:
        assert orders.order_for_fulfillment(db, SHOP, "7029") == "3029"
    finally:
        event.remove(OrderState, "load", listener)
    assert loaded == []
