"""Webhook handlers of the order pipeline (registered in services/webhooks.TOPIC_HANDLERS).

A handler is `handler(session, event) -> status`. Each ingests its facts in its
own committed transaction and only then enqueues one `apply_order_task`, so a
consumer never decides on facts that are not yet visible. The event row's
session is left alone (the edge marks it done).
"""
from __future__ import annotations

import logging

from flask import current_app

from backend.services import catalog, orders
from backend.shopify import payloads

log = logging.getLogger(__name__)


def _app():
    return current_app._get_current_object()


def _db():
    return _app().extensions["fineprint.db"]


def _enqueue(shop: str, order_id: str, trigger: str) -> None:
    from backend.tasks.orders import enqueue_apply

    enqueue_apply(_app(), shop, order_id, trigger)


def handle_order(session, event) -> str:
    """orders/create, orders/updated, orders/cancelled."""
    order = payloads.order_from_rest(event.payload or {})
    if not order["id"] or _foreign(event, order["id"]):
        return "ignored"
    # ordered by the body's own signed `updated_at`, never by the unsigned X-Shopify-Triggered-At header
    changed = orders.ingest_order(_db(), event.shop_domain, order)
    if changed:
        _enqueue(event.shop_domain, order["id"], event.topic)
        return "done"
    return "unchanged"


def handle_fulfillment(session, event) -> str:
    """fulfillments/create, fulfillments/update."""
    facts = payloads.fulfillment_from_rest(event.payload or {})
    return _ingest_fulfillment(event, facts["order_id"], facts)


def handle_fulfillment_event(session, event) -> str:
    """fulfillment_events/create: `delivered` sets the delivery date; carrier scans mark the shipment."""
    facts = payloads.fulfillment_event_from_rest(event.payload or {})
    if not (facts["delivered_at"] or facts["shipped_at"]):
        return "ignored"
    order_id = facts["order_id"]
    db = _db()
    with db.session() as s:
        known = orders.load(s, event.shop_domain, order_id) if order_id else None
    if known is None and facts["fulfillment_id"]:
        order_id = orders.order_for_fulfillment(db, event.shop_domain, facts["fulfillment_id"]) or order_id
    merged = {"id": facts["fulfillment_id"], "shipped_at": facts["shipped_at"],
              "delivered_at": facts["delivered_at"], "exact": True, "updated_at": facts["happened_at"]}
    return _ingest_fulfillment(event, order_id, merged)


def _foreign(event, order_id: str) -> bool:
    other = orders.owned_elsewhere(_db(), event.shop_domain, order_id)
    if other:
        log.warning("%s for order %s refused under %s: the order belongs to another shop (replayed body?)",
                    event.topic, order_id, event.shop_domain)
    return bool(other)


def _ingest_fulfillment(event, order_id: str | None, facts: dict) -> str:
    if not order_id or not facts.get("id") or _foreign(event, order_id):
        return "ignored"
    if orders.ingest_fulfillment(_db(), event.shop_domain, order_id, facts):
        _enqueue(event.shop_domain, order_id, event.topic)
        return "done"
    return "unchanged"


def handle_product(session, event) -> str:
    """products/create, products/update: keep the mirror current (orders already decided keep their snapshot)."""
    with _db().session() as s:
        catalog.upsert_product(s, event.shop_domain, payloads.product_from_rest(event.payload or {}))
    return "done"


def handle_product_delete(session, event) -> str:
    product_id = payloads.deleted_product_id(event.payload or {})
    if product_id:
        with _db().session() as s:
            catalog.delete_product(s, event.shop_domain, product_id)
    return "done"


HANDLERS = {
    "orders/create": handle_order,
    "orders/updated": handle_order,
    "orders/cancelled": handle_order,
    "fulfillments/create": handle_fulfillment,
    "fulfillments/update": handle_fulfillment,
    "fulfillment_events/create": handle_fulfillment_event,
    "products/create": handle_product,
    "products/update": handle_product,
    "products/delete": handle_product_delete,
}
