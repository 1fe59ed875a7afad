"""Admin GraphQL shapes: product and order nodes, the queries that read them, bulk-operation JSONL."""
from __future__ import annotations

from typing import Iterable, Iterator

from backend.shopify.payloads.common import _carrier, _money, gid, numeric_id, split_tags


# ------------------------------------------------------- products (GraphQL)

# What the catalog mirror keeps of a product. Its cost by Shopify's rules: the product (1) plus its
# variants connection (2 + one point per variant asked for); scalars are free.
VARIANTS_PER_PRODUCT = 100
_PRODUCT_FIELDS = """
      id title productType tags isGiftCard updatedAt
      variants(first: %d) { nodes { id title sku price compareAtPrice updatedAt } }
""" % VARIANTS_PER_PRODUCT
PRODUCT_COST = 1 + 2 + VARIANTS_PER_PRODUCT

PRODUCTS_BY_ID_QUERY = """
query FineprintProducts($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Product {%s    }
  }
}
""" % _PRODUCT_FIELDS

# A line that names only its variant (a checkout extension knows little more): the variant's product.
VARIANT_PRODUCTS_QUERY = """
query FineprintVariantProducts($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on ProductVariant {
      id
      product {%s      }
    }
  }
}
""" % _PRODUCT_FIELDS
VARIANT_PRODUCT_COST = 1 + PRODUCT_COST


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
      id name createdAt updatedAt cancelledAt currencyCode sourceName tags discountCodes
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
      id name createdAt updatedAt cancelledAt currencyCode sourceName tags discountCodes
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
        "name": node.get("name"),  # what the store calls the order ("#1010"); the engine ignores it
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


# A fulfillment event for a fulfillment the app never saw: the fulfillment's order (its exact GID: the
# event's numeric order_id may be rounded) and that order's fulfillments with their lines. Cost: the
# fulfillment and order (2) + per fulfillment 1 + its lines connection (2 + 2 per line: line and lineItem).
FULFILLMENTS_PER_ORDER = 10
LINES_PER_FULFILLMENT = 40
FULFILLMENT_ORDER_QUERY = """
query FineprintFulfillmentOrder($id: ID!) {
  fulfillment(id: $id) {
    id
    order {
      id
      fulfillments(first: %d) {
        id status createdAt updatedAt deliveredAt inTransitAt displayStatus
        fulfillmentLineItems(first: %d) { nodes { lineItem { id } } }
      }
    }
  }
}
""" % (FULFILLMENTS_PER_ORDER, LINES_PER_FULFILLMENT)


def fulfillments_from_graphql(data: dict | None) -> tuple[str | None, list[dict]]:
    """A FULFILLMENT_ORDER_QUERY answer → (order id, fulfillment facts); (None, []) when Shopify has none."""
    order = ((data or {}).get("fulfillment") or {}).get("order") or {}
    order_id = numeric_id(order.get("id"))
    if order_id is None:
        return None, []
    return order_id, [_fulfillment_from_graphql(f, order_id) for f in _nodes(order.get("fulfillments"))]


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
