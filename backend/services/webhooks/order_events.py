"""Webhook handlers of the order pipeline (registered in services/webhooks/ingest.py's TOPIC_HANDLERS).

A handler is `handler(session, event) -> status`. Each ingests its facts in its
own committed transaction and only then enqueues one `apply_order_task`, so a
consumer never decides on facts that are not yet visible. The event row's
session is left alone (the edge marks it done).
"""
from __future__ import annotations

import logging

from flask import current_app

from backend.services import queue
from backend.services.orders import catalog
from backend.services.orders import state as orders
from backend.shopify import payloads

log = logging.getLogger(__name__)


def _app():
    return current_app._get_current_object()


def _db():
    return _app().extensions["fineprint.db"]


def _enqueue(shop: str, order_id: str, trigger: str) -> None:
    queue.enqueue_apply(_app(), shop, order_id, trigger)


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
    """fulfillment_events/create: `delivered` sets the delivery date; carrier scans mark the shipment.

    A delivery for a fulfillment the app has never seen (its fulfillments/create lost, or still on its way)
    first reads the fulfillment's order and that order's fulfillments from the Admin API: the event alone
    says neither which lines it covers nor, reliably, whose order it is (its numeric order_id may be rounded).
    Earlier carrier scans of such a fulfillment are recorded as they stand; the delivery fills in the rest.
    """
    facts = payloads.fulfillment_event_from_rest(event.payload or {})
    if not (facts["delivered_at"] or facts["shipped_at"]) or not facts["fulfillment_id"]:
        return "ignored"
    order_id, has_lines = _stored_fulfillment(event.shop_domain, facts)
    caught_up = False
    if facts["delivered_at"] and not has_lines:  # the deadline needs the lines it covers
        read_id, caught_up = _read_order_fulfillments(event.shop_domain, facts["fulfillment_id"])
        order_id = read_id or order_id
    merged = {"id": facts["fulfillment_id"], "shipped_at": facts["shipped_at"],
              "delivered_at": facts["delivered_at"], "exact": True, "updated_at": facts["happened_at"]}
    status = _ingest_fulfillment(event, order_id or facts["order_id"], merged)
    if status == "unchanged" and caught_up:
        _enqueue(event.shop_domain, order_id, event.topic)
        return "done"
    return status


def _stored_fulfillment(shop: str, facts: dict) -> tuple[str | None, bool]:
    """(the stored order that has this fulfillment, whether its lines are known): the event's own order
    first, else any order of the shop."""
    fid = facts["fulfillment_id"]
    with _db().session() as s:
        state = orders.load(s, shop, facts["order_id"]) if facts["order_id"] else None
        if state is None or not any(f.get("id") == fid for f in state.fulfillments or []):
            other = orders.order_for_fulfillment(_db(), shop, fid)
            state = orders.load(s, shop, other) if other else None
        if state is None:
            return None, False
        stored = next((f for f in state.fulfillments or [] if f.get("id") == fid), {})
        return state.order_id, bool(stored.get("line_item_ids"))


def _read_order_fulfillments(shop: str, fulfillment_id: str) -> tuple[str | None, bool]:
    """(order id, whether anything changed) after recording the order's fulfillments as the Admin API has them.
    A shop without a usable token cannot be asked: (None, False), and the event is recorded as it stands."""
    from backend.services.orders.apply_decision import admin_for
    from backend.services.install.tokens import ReauthorizationRequired

    try:
        data = admin_for(_app(), shop).graphql(payloads.FULFILLMENT_ORDER_QUERY,
                                               {"id": payloads.gid("Fulfillment", fulfillment_id)})
    except ReauthorizationRequired:
        return None, False
    order_id, fulfillments = payloads.fulfillments_from_graphql(data)
    changed = False
    for fulfillment in fulfillments:
        changed = orders.ingest_fulfillment(_db(), shop, order_id, fulfillment) or changed
    return order_id, changed


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

