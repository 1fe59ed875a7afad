"""Order state: ingest order and fulfillment facts, never letting an older event overwrite newer state.

Each ingest returns whether the facts changed (then the caller enqueues one
apply). Our own tags are stripped from the facts: the decision never depends
on what the pipeline itself wrote, so the orders/updated webhook that our
write triggers changes nothing and costs nothing.
"""
from __future__ import annotations

import copy
from datetime import datetime, timezone

from backend.services.orders import catalog
from backend.services.decisions.cart_facts import fill_from_catalog
from backend.services.orders.catalog import parse_ts
from backend.store import order_pipeline
from backend.store.fulfillments import order_id_holding
from backend.store.models import OrderState

OUR_TAGS = frozenset({"final-sale", "sale-credit-only", "exchange-or-credit", "return-protection", "signature-required"})


def _aware(ts: datetime | None) -> datetime | None:
    if ts is not None and ts.tzinfo is None:
        return ts.replace(tzinfo=timezone.utc)
    return ts


def load(session, shop: str, order_id: str) -> OrderState | None:
    return order_pipeline.load(session, shop, order_id)


def owned_elsewhere(db, shop: str, order_id: str) -> str | None:
    """The other shop that already holds this order id, if any. Shopify's order ids are global, and an
    order body names no shop: a signed order replayed under another shop's (unsigned) header is caught
    here rather than stored under, and written to, the wrong shop."""
    return order_pipeline.shop_domain_holding(db, shop, order_id)


def _is_newer(incoming: tuple, stored: tuple) -> bool | None:
    """True newer, False older, None same (duplicate)."""
    a = tuple(_aware(parse_ts(x)) for x in incoming)
    b = tuple(_aware(x) for x in stored)
    if a[0] and b[0] and a[0] != b[0]:
        return a[0] > b[0]
    if a[1] and b[1] and a[1] != b[1]:
        return a[1] > b[1]
    if b[0] is None:
        return True
    return None


def ingest_order(db, shop: str, order: dict, triggered_at=None) -> bool:
    """Apply an order (payloads.order_from_rest/graphql). True when the decision facts changed."""
    def run(session) -> bool:
        state = order_pipeline.load_detached(session, shop, order["id"])
        seen = state.revision if state else None
        state = state or OrderState(shop_domain=shop, order_id=order["id"], facts={}, fulfillments=[],
                                    tags_written=sorted(set(order["tags"]) & OUR_TAGS))
        before = (copy.deepcopy(state.facts), copy.deepcopy(state.fulfillments))
        newer = _is_newer((order["updated_at"], triggered_at), (state.order_updated_at, state.last_triggered_at))
        if newer:
            state.facts = _merge_facts(session, shop, state.facts, order["facts"])
            state.order_updated_at = parse_ts(order["updated_at"])
            state.last_triggered_at = parse_ts(triggered_at) or state.last_triggered_at
            state.cancelled_at = parse_ts(order.get("cancelled_at"))
        fulfillments = state.fulfillments
        for f in order.get("fulfillments") or []:
            fulfillments = merge_fulfillment(fulfillments, f)
        state.fulfillments = fulfillments
        changed = (state.facts, state.fulfillments) != before
        if changed:
            state.revision += 1
        if changed or seen is None or newer:
            order_pipeline.save(session, state, seen)
        return changed
    return order_pipeline.retrying(db, run)


def _merge_facts(session, shop: str, old: dict, new: dict) -> dict:
    """The new order facts, with catalog facts of lines already known kept as snapshotted at purchase."""
    facts = copy.deepcopy(new)
    facts["tags"] = [t for t in facts.get("tags") or [] if t.lower() not in OUR_TAGS]
    known = {ln.get("id"): ln for ln in old.get("line_items") or []}
    for ln in facts.get("line_items") or []:
        previous = known.get(ln.get("id"))
        for field in catalog.CATALOG_FIELDS:
            if previous is not None and field in previous:  # the snapshot at purchase always wins
                ln[field] = previous[field]
    fill_from_catalog(session, shop, facts.get("line_items") or [], final=False)
    return facts


def merge_fulfillment(fulfillments: list, incoming: dict) -> list:
    """Merge one fulfillment's facts: shipped/delivered times only move forward; cancellation sticks."""
    out = [dict(f) for f in fulfillments]
    current = next((f for f in out if f.get("id") == incoming.get("id")), None)
    if current is None:
        current = {"id": incoming.get("id"), "line_item_ids": None, "shipped_at": None, "delivered_at": None,
                   "cancelled": False, "delivered_exact": False, "updated_at": None}
        out.append(current)
    if incoming.get("line_item_ids"):
        current["line_item_ids"] = sorted(set(incoming["line_item_ids"]))
    if incoming.get("shipped_at") and current.get("shipped_at") is None:
        current["shipped_at"] = incoming["shipped_at"]
    delivered, exact = incoming.get("delivered_at"), bool(incoming.get("exact"))
    if delivered:
        if current.get("delivered_at") is None or (exact and not current.get("delivered_exact")):
            current["delivered_at"], current["delivered_exact"] = delivered, exact
        elif exact and parse_ts(delivered) > parse_ts(current["delivered_at"]):
            current["delivered_at"] = delivered  # a later delivery scan (re-delivery) wins
    if incoming.get("cancelled"):
        current["cancelled"] = True
    stamps = [s for s in (current.get("updated_at"), incoming.get("updated_at")) if s]
    current["updated_at"] = max(stamps, key=lambda s: parse_ts(s)) if stamps else None
    out.sort(key=lambda f: str(f.get("id")))
    return out


def ingest_fulfillment(db, shop: str, order_id: str, facts: dict) -> bool:
    """fulfillments/create|update or a fulfillment event. Unknown orders get a placeholder state."""
    def run(session) -> bool:
        state = order_pipeline.load_detached(session, shop, order_id)
        seen = state.revision if state else None
        state = state or OrderState(shop_domain=shop, order_id=order_id, facts={}, fulfillments=[], tags_written=[])
        before = copy.deepcopy(state.fulfillments)
        state.fulfillments = merge_fulfillment(state.fulfillments, facts)
        changed = state.fulfillments != before
        if changed:
            state.revision += 1
            order_pipeline.save(session, state, seen)
        return changed
    return order_pipeline.retrying(db, run)


def order_for_fulfillment(db, shop: str, fulfillment_id: str) -> str | None:
    """The order a known fulfillment belongs to (events may carry a rounded order id)."""
    with db.session() as session:
        return order_id_holding(session, shop, fulfillment_id)


def decision_request(state: OrderState, as_of: datetime | None = None) -> dict | None:
    """The contract §5 request for a stored order; None while the order itself is still unknown."""
    facts = state.facts or {}
    if not facts.get("created_at"):
        return None
    order = {k: v for k, v in facts.items()}
    order["fulfillments"] = [
        {"line_item_ids": f["line_item_ids"], "shipped_at": f.get("shipped_at"),
         "delivered_at": f.get("delivered_at")}
        for f in state.fulfillments or []
        if not f.get("cancelled") and f.get("line_item_ids") and (f.get("shipped_at") or f.get("delivered_at"))
    ]
    request = {"order": order}
    if as_of is not None:
        request["as_of"] = as_of.isoformat()
    return request
