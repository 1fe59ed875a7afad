"""Webhook payloads (REST JSON): orders, fulfillments, fulfillment events, products."""
from __future__ import annotations

from backend.shopify.payloads.common import _carrier, _ident, _money, _sum, gid, numeric_id, split_tags


# ------------------------------------------------------------ orders (REST)

def order_from_rest(payload: dict) -> dict:
    """An orders/create|updated|cancelled webhook payload → pipeline order.

    Returns ``{"id", "gid", "updated_at", "cancelled_at", "tags", "facts",
    "fulfillments"}`` where ``facts`` is a contract §5 order (without the
    catalog fields the payload lacks: ``product_type``, ``product_tags`` and
    ``compare_at_price`` are simply absent) and ``fulfillments`` are
    fulfillment facts (see :func:`fulfillment_from_rest`).
    """
    ident = _ident(payload, "Order")
    facts = {
        "id": gid("Order", ident),
        "name": payload.get("name"),  # what the store calls the order ("#1010"); the engine ignores it
        "created_at": payload.get("created_at"),
        "currency": payload.get("currency") or payload.get("presentment_currency"),
        "source_name": payload.get("source_name") or "",
        "tags": split_tags(payload.get("tags")),
        "discount_codes": [d.get("code") for d in payload.get("discount_codes") or [] if d.get("code")],
        "shipping_address": _address_from_rest(payload.get("shipping_address")),
        "shipping_lines": [_shipping_line_from_rest(s) for s in payload.get("shipping_lines") or []],
        "line_items": [_line_from_rest(li) for li in payload.get("line_items") or []],
    }
    customer = payload.get("customer") or {}
    if customer.get("id") is not None:  # whose order it is: scopes customer-account reads, drives redaction
        facts["customer"] = {"id": numeric_id(customer.get("admin_graphql_api_id") or customer["id"])}
    return {
        "id": ident,
        "gid": facts["id"],
        "updated_at": payload.get("updated_at") or payload.get("created_at"),
        "cancelled_at": payload.get("cancelled_at"),
        "tags": facts["tags"],
        "facts": facts,
        "fulfillments": [fulfillment_from_rest(f, order_id=ident) for f in payload.get("fulfillments") or []],
    }


def _address_from_rest(a: dict | None) -> dict | None:
    if not a:
        return None
    return {k: a.get(k) for k in ("country_code", "province_code", "address1", "address2", "city", "zip")}


def _shipping_line_from_rest(s: dict) -> dict:
    line = {"title": s.get("title") or "", "price": _money(s.get("price_set") or s.get("price")) or "0.00"}
    carrier = _carrier(s.get("carrier_identifier"), s.get("source"), s.get("code"))
    if carrier:
        line["carrier"] = carrier
    return line


def _line_from_rest(li: dict) -> dict:
    allocations = li.get("discount_allocations") or []
    discount = _sum(a.get("amount_set") or a.get("amount") for a in allocations) if allocations \
        else _sum([li.get("total_discount_set") or li.get("total_discount") or "0"])
    props = {p.get("name"): p.get("value") for p in li.get("properties") or [] if p.get("name")}
    line = {
        "id": _ident(li, "LineItem"),
        "variant_id": numeric_id(li.get("variant_id")),
        "product_id": numeric_id(li.get("product_id")),
        "sku": li.get("sku") or "",
        "title": li.get("title") or li.get("name") or "",
        "quantity": int(li.get("quantity") or 0),
        "price": _money(li.get("price_set") or li.get("price")) or "0.00",
        "discount": discount,
        "gift_card": bool(li.get("gift_card")),
        "properties": props,
    }
    return line


# ------------------------------------------------------- fulfillments (REST)

def fulfillment_from_rest(payload: dict, order_id: str | None = None) -> dict:
    """A fulfillments/create|update payload (or an order's `fulfillments[]`).

    A fulfillment with status ``success`` has shipped (at ``created_at``); one
    whose ``shipment_status`` is ``delivered`` was delivered (at ``updated_at``,
    the best the payload tells; a fulfillment event carries the exact time).
    Cancelled/failed fulfillments ship nothing.
    """
    status = (payload.get("status") or "").lower()
    shipped = status == "success" or (payload.get("shipment_status") or "") != "" and status not in (
        "cancelled", "error", "failure")
    delivered = (payload.get("shipment_status") or "").lower() == "delivered" and status not in (
        "cancelled", "error", "failure")
    return {
        "id": _ident(payload, "Fulfillment"),
        "order_id": numeric_id(payload.get("order_id")) or order_id,
        "line_item_ids": [_ident(li, "LineItem") for li in payload.get("line_items") or []] or None,
        "status": status,
        "shipped_at": payload.get("created_at") if shipped else None,
        "delivered_at": payload.get("updated_at") if delivered else None,
        "cancelled": status in ("cancelled", "error", "failure"),
        "updated_at": payload.get("updated_at") or payload.get("created_at"),
    }


def fulfillment_event_from_rest(payload: dict) -> dict:
    """A fulfillment_events/create payload → `{fulfillment_id, order_id, status, happened_at, ...}`."""
    status = (payload.get("status") or "").lower()
    happened = payload.get("happened_at") or payload.get("created_at")
    return {
        "id": _ident(payload, "FulfillmentEvent"),
        "fulfillment_id": numeric_id(payload.get("fulfillment_id")),
        "order_id": numeric_id(payload.get("order_id")),
        "status": status,
        "happened_at": happened,
        "delivered_at": happened if status == "delivered" else None,
        "exact": True,
        # any carrier scan after label creation means the parcel left the warehouse
        "shipped_at": happened if status in ("in_transit", "out_for_delivery", "delivered",
                                             "attempted_delivery", "ready_for_pickup", "picked_up") else None,
    }


# ----------------------------------------------------------- products (REST)

def product_from_rest(payload: dict) -> dict:
    """A products/create|update payload → catalog entry."""
    pid = _ident(payload, "Product")
    tags = split_tags(payload.get("tags"))
    product = {
        "product_id": pid,
        "title": payload.get("title") or "",
        "product_type": payload.get("product_type") or "",
        "tags": tags,
        "gift_card": bool(payload.get("gift_card") or payload.get("is_gift_card")),
        "updated_at": payload.get("updated_at"),
    }
    variants = [{
        "variant_id": _ident(v, "ProductVariant"),
        "product_id": pid,
        "title": v.get("title") or "",
        "sku": v.get("sku") or "",
        "price": _money(v.get("price")),
        "compare_at_price": _money(v.get("compare_at_price")),
        "updated_at": v.get("updated_at"),
    } for v in payload.get("variants") or []]
    return {"product": product, "variants": variants}


def deleted_product_id(payload: dict) -> str | None:
    return _ident(payload, "Product")
