"""Shopify's order, product and fulfillment shapes → the domain's plain dicts.

Only this module knows the wire formats of webhook payloads (REST JSON) and of
the GraphQL order/product nodes (single queries and bulk-operation JSONL). Out
come:

* an order: a contract §5 ``order`` dict (line ids, variant and product ids as
  numeric strings) plus the metadata the pipeline needs to order events;
* a catalog entry: ``{"product": {...}, "variants": [...]}``;
* fulfillment facts: per fulfillment, which lines shipped and when, and when
  they were delivered.

Identity comes from ``admin_graphql_api_id`` when present: the numeric ``id``
of large objects is rounded in some published examples (2^53), the GID is not.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Iterable, Iterator

CARRIER_CODES = ("ups", "usps", "fedex", "dhl")


# ---------------------------------------------------------------- identifiers

def numeric_id(value) -> str | None:
    """`gid://shopify/Order/12` / `12` / 12 → "12"; None stays None."""
    if value is None or value == "":
        return None
    text = str(value)
    tail = text.rsplit("/", 1)[-1]
    return tail.split("?", 1)[0] or None


def gid(kind: str, value) -> str | None:
    ident = numeric_id(value)
    return f"gid://shopify/{kind}/{ident}" if ident else None


def _ident(obj: dict, kind: str) -> str | None:
    return numeric_id(obj.get("admin_graphql_api_id") or obj.get("id")) if obj else None


# ---------------------------------------------------------------------- money

def _money(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict):  # GraphQL MoneyBag / MoneyV2 / REST price_set
        value = (value.get("shopMoney") or value.get("shop_money") or value).get("amount")
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        return None


def _sum(amounts: Iterable) -> str:
    total = Decimal("0")
    for a in amounts:
        m = _money(a)
        total += Decimal(m) if m is not None else 0
    return f"{total:.2f}"


def split_tags(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return [str(t).strip() for t in value if str(t).strip()]


def _carrier(*candidates) -> str | None:
    for c in candidates:
        text = (c or "").strip().lower()
        if text in CARRIER_CODES:
            return text
    return None


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


# ------------------------------------------------------- products (GraphQL)

PRODUCTS_BY_ID_QUERY = """
query FineprintProducts($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Product {
      id title productType tags updatedAt
      variants(first: 100) { nodes { id title sku price compareAtPrice } }
    }
  }
}
"""


def product_from_graphql(node: dict) -> dict:
    pid = numeric_id(node.get("id"))
    variants = node.get("variants") or {}
    nodes = variants.get("nodes") if isinstance(variants, dict) else variants
    if nodes is None and isinstance(variants, dict):
        nodes = [e.get("node") for e in variants.get("edges") or []]
    return {
        "product": {
            "product_id": pid, "title": node.get("title") or "",
            "product_type": node.get("productType") or "", "tags": split_tags(node.get("tags")),
            "gift_card": bool(node.get("isGiftCard")), "updated_at": node.get("updatedAt"),
        },
        "variants": [{
            "variant_id": numeric_id(v.get("id")), "product_id": pid, "title": v.get("title") or "",
            "sku": v.get("sku") or "", "price": _money(v.get("price")),
            "compare_at_price": _money(v.get("compareAtPrice")), "updated_at": v.get("updatedAt"),
        } for v in nodes or [] if v],
    }


# --------------------------------------------------------- orders (GraphQL)

# The order fields the pipeline reads; shared by the single-order query and the
# bulk operation (whose JSONL flattens `lineItems` nodes into their own lines).
ORDER_FIELDS = """
      id createdAt updatedAt cancelledAt currencyCode sourceName tags discountCodes
      shippingAddress { countryCodeV2 provinceCode address1 address2 city zip }
      shippingLines(first: 5) { nodes { title code source carrierIdentifier originalPriceSet { shopMoney { amount } } } }
      fulfillments(first: 20) { id status createdAt updatedAt deliveredAt inTransitAt displayStatus }
      lineItems(first: 100) { nodes {
        id sku title quantity isGiftCard
        originalUnitPriceSet { shopMoney { amount } }
        totalDiscountSet { shopMoney { amount } }
        customAttributes { key value }
        variant { id compareAtPrice }
        product { id productType tags }
      } }
"""

BULK_ORDER_FIELDS = """
      id createdAt updatedAt cancelledAt currencyCode sourceName tags discountCodes
      shippingAddress { countryCodeV2 provinceCode address1 address2 city zip }
      fulfillments { id status createdAt updatedAt deliveredAt inTransitAt displayStatus }
      shippingLines { edges { node { id title code source carrierIdentifier originalPriceSet { shopMoney { amount } } } } }
      lineItems { edges { node {
        id sku title quantity isGiftCard
        originalUnitPriceSet { shopMoney { amount } }
        totalDiscountSet { shopMoney { amount } }
        customAttributes { key value }
        variant { id compareAtPrice }
        product { id productType tags }
      } } }
"""


def bulk_orders_query(since: str | None = None) -> str:
    """The bulk operation's query: every order (created on/after `since`), lines flattened in JSONL."""
    args = f'(query: "created_at:>={since}", sortKey: CREATED_AT)' if since else "(sortKey: CREATED_AT)"
    return "{\n  orders%s {\n    edges { node {%s    } }\n  }\n}\n" % (args, BULK_ORDER_FIELDS)


def order_from_graphql(node: dict) -> dict:
    """A GraphQL Order node (lineItems/shippingLines as `nodes`, `edges` or lists) → pipeline order."""
    ident = numeric_id(node.get("id"))
    address = node.get("shippingAddress") or None
    facts = {
        "id": gid("Order", ident),
        "created_at": node.get("createdAt"),
        "currency": node.get("currencyCode"),
        "source_name": node.get("sourceName") or "",
        "tags": split_tags(node.get("tags")),
        "discount_codes": [c for c in node.get("discountCodes") or [] if c],
        "shipping_address": {
            "country_code": address.get("countryCodeV2") or address.get("countryCode"),
            "province_code": address.get("provinceCode"), "address1": address.get("address1"),
            "address2": address.get("address2"), "city": address.get("city"), "zip": address.get("zip"),
        } if address else None,
        "shipping_lines": [_shipping_line_from_graphql(s) for s in _nodes(node.get("shippingLines"))],
        "line_items": [_line_from_graphql(li) for li in _nodes(node.get("lineItems"))],
    }
    return {
        "id": ident, "gid": facts["id"], "updated_at": node.get("updatedAt") or node.get("createdAt"),
        "cancelled_at": node.get("cancelledAt"), "tags": facts["tags"], "facts": facts,
        "fulfillments": [_fulfillment_from_graphql(f, ident) for f in _nodes(node.get("fulfillments"))],
    }


def _nodes(conn) -> list:
    if conn is None:
        return []
    if isinstance(conn, list):
        return [n for n in conn if n]
    if conn.get("nodes") is not None:
        return [n for n in conn["nodes"] if n]
    return [e.get("node") for e in conn.get("edges") or [] if e.get("node")]


def _shipping_line_from_graphql(s: dict) -> dict:
    line = {"title": s.get("title") or "", "price": _money(s.get("originalPriceSet")) or "0.00"}
    carrier = _carrier(s.get("carrierIdentifier"), s.get("source"), s.get("code"))
    if carrier:
        line["carrier"] = carrier
    return line


def _line_from_graphql(li: dict) -> dict:
    variant = li.get("variant") or {}
    product = li.get("product") or {}
    line = {
        "id": numeric_id(li.get("id")),
        "variant_id": numeric_id(variant.get("id")),
        "product_id": numeric_id(product.get("id")),
        "sku": li.get("sku") or "",
        "title": li.get("title") or "",
        "quantity": int(li.get("quantity") or 0),
        "price": _money(li.get("originalUnitPriceSet")) or "0.00",
        "discount": _money(li.get("totalDiscountSet")) or "0.00",
        "gift_card": bool(li.get("isGiftCard")),
        "properties": {a.get("key"): a.get("value") for a in li.get("customAttributes") or [] if a.get("key")},
    }
    if product:
        line["product_type"] = product.get("productType") or ""
        line["product_tags"] = split_tags(product.get("tags"))
    if variant and "compareAtPrice" in variant:
        line["compare_at_price"] = _money(variant.get("compareAtPrice"))
    return line


def _fulfillment_from_graphql(f: dict, order_id: str | None) -> dict:
    status = (f.get("status") or "").lower()
    cancelled = status in ("cancelled", "error", "failure")
    items = _nodes(f.get("fulfillmentLineItems"))
    return {
        "id": numeric_id(f.get("id")), "order_id": order_id,
        "line_item_ids": [numeric_id((i.get("lineItem") or {}).get("id")) for i in items] or None,
        "status": status,
        "shipped_at": None if cancelled else (
            f.get("inTransitAt") or (f.get("createdAt") if status == "success" else None)),
        "delivered_at": None if cancelled else f.get("deliveredAt"),
        "cancelled": cancelled,
        "updated_at": f.get("updatedAt") or f.get("createdAt"),
    }


def assemble_bulk_orders(records: Iterable[dict]) -> Iterator[dict]:
    """Bulk-operation JSONL records (parents first, children with `__parentId`) → order nodes.

    Children of an order (line items, shipping lines) follow their parent in
    the file, so orders are yielded as soon as the next order starts.
    """
    current = None
    for rec in records:
        parent = rec.get("__parentId")
        if parent is None:
            if current is not None:
                yield current
            current = dict(rec)
            current.setdefault("lineItems", [])
            current["lineItems"] = _nodes(current["lineItems"]) if current["lineItems"] else []
            current["shippingLines"] = _nodes(current.get("shippingLines")) if current.get("shippingLines") else []
            continue
        if current is None or parent != current.get("id"):
            continue  # orphan (e.g. a resumed file); skip it
        child = {k: v for k, v in rec.items() if k != "__parentId"}
        kind = (child.get("id") or "").split("/")[-2] if child.get("id") else ""
        if kind == "LineItem" or "originalUnitPriceSet" in child:
            current["lineItems"].append(child)
        else:
            current["shippingLines"].append(child)
    if current is not None:
        yield current
