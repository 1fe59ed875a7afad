"""Admin GraphQL documents of the shopper's self-serve returns (issue 16), and their answers as plain data.

Reads: the order's lines with their variants and products, the shop's return reason definitions
(`returnReasonDefinitions`, QueryRoot, 2026-10), what Shopify still lets the customer return
(`returnableFulfillments`: FulfillmentLineItem ids and quantities), and the sizes an exchange may take
(the products' variants). Writes: `returnRequest` (a refund or store-credit request, with the policy's fees
as Shopify models them: a per-line `restockingFee` percentage and a `returnShippingFee` amount) and
`returnCreate` with `exchangeLineItems` (an exchange). Every document is priced by
tests/unit/test_query_cost.py and validated by the simulator against the 2026-10 schema.
"""
from __future__ import annotations

from backend.shopify import returns
from backend.shopify.payloads import numeric_id

MAX_LINES = 50          # line items read per order (a self-serve return of more lines goes through support)
MAX_FULFILLMENTS = 5    # returnable fulfillments read per order, within the 1,000-point query limit
MAX_VARIANTS = 25       # sizes offered per product for an exchange
MAX_PRODUCTS = 20       # products read for exchanges in one query

SETUP_QUERY = """
query FineprintShopperReturnSetup($orderId: ID!) {
  order(id: $orderId) {
    id
    currencyCode
    lineItems(first: 50) {
      nodes { id name title variantTitle quantity variant { id title price product { id } } }
    }
    returns(first: 10) { nodes { status exchangeLineItems(first: 1) { nodes { id } } } }
  }
  returnReasonDefinitions(first: 50) { nodes { id handle name deleted } }
}
"""

REASONS_QUERY = """
query FineprintShopperReturnReasons($orderId: ID!) {
  returnReasonDefinitions(first: 50) { nodes { id handle name deleted } }
  order(id: $orderId) { returns(first: 10) { nodes { status exchangeLineItems(first: 1) { nodes { id } } } } }
}
"""

RETURNABLE_QUERY = """
query FineprintShopperReturnable($orderId: ID!) {
  returnableFulfillments(orderId: $orderId, first: 5) {
    nodes {
      id
      returnableFulfillmentLineItems(first: 50) {
        nodes { quantity fulfillmentLineItem { id lineItem { id } } }
      }
    }
  }
}
"""

VARIANTS_QUERY = """
query FineprintShopperExchangeVariants($ids: [ID!]!) {
  nodes(ids: $ids) {
    ... on Product { id title variants(first: 25) { nodes { id title price } } }
  }
}
"""

_RETURN_FIELDS = "return { id name status } userErrors { code field message }"

REQUEST_MUTATION = f"""
mutation FineprintShopperReturnRequest($input: ReturnRequestInput!) {{
  returnRequest(input: $input) {{ {_RETURN_FIELDS} }}
}}
"""

# `returnCreate` (an exchange) sends the returns adapter's one document: `returnCreate(returnInput: ...)`.
CREATE_MUTATION = returns.CREATE_MUTATION


def order_gid(order_id: str) -> str:
    return f"gid://shopify/Order/{order_id}"


def setup_from(data: dict) -> dict:
    """{"currency", "lines": {line id: {"title", "variant_title", "variant_id", "product_id", "price"}},
    "reasons": [{"id", "handle", "name"}]} (deleted definitions left out)."""
    order = (data or {}).get("order") or {}
    lines = {}
    for node in (order.get("lineItems") or {}).get("nodes") or []:
        variant = node.get("variant") or {}
        lines[numeric_id(node["id"])] = {
            "title": node.get("title") or node.get("name"), "variant_title": node.get("variantTitle"),
            "variant_id": variant.get("id"), "product_id": (variant.get("product") or {}).get("id"),
            "price": variant.get("price")}
    return {"currency": order.get("currencyCode"), "lines": lines, "reasons": reasons_from(data),
            "exchanges_before": exchanges_before(data)}


def exchanges_before(data: dict) -> int:
    """How many of the order's returns carried an exchange (declined and cancelled ones did not happen): the
    policy's `exchanges_before` (e.g. "one exchange per order")."""
    returns = (((data or {}).get("order") or {}).get("returns") or {}).get("nodes") or []
    return sum(1 for r in returns if r.get("status") not in ("DECLINED", "CANCELED")
               and ((r.get("exchangeLineItems") or {}).get("nodes")))


def reasons_from(data: dict) -> list[dict]:
    """The shop's return reasons a shopper may pick: [{"id", "handle", "name"}], deleted ones left out (the
    schema: "Only non-deleted reasons should be shown to customers when creating new returns")."""
    return [{"id": r["id"], "handle": r["handle"], "name": r["name"]}
            for r in ((data or {}).get("returnReasonDefinitions") or {}).get("nodes") or [] if not r.get("deleted")]


def returnable_from(data: dict) -> dict[str, list[tuple[str, int]]]:
    """line item id → [(FulfillmentLineItem GID, returnable quantity), ...]."""
    found: dict[str, list[tuple[str, int]]] = {}
    for ful in ((data or {}).get("returnableFulfillments") or {}).get("nodes") or []:
        for node in (ful.get("returnableFulfillmentLineItems") or {}).get("nodes") or []:
            item = node.get("fulfillmentLineItem") or {}
            line_id = numeric_id((item.get("lineItem") or {}).get("id"))
            if line_id and node.get("quantity"):
                found.setdefault(line_id, []).append((item["id"], int(node["quantity"])))
    return found


def variants_from(data: dict) -> dict[str, list[dict]]:
    """product GID → [{"id", "title", "price"}, ...]."""
    return {p["id"]: [{"id": v["id"], "title": v["title"], "price": v["price"]}
                      for v in (p.get("variants") or {}).get("nodes") or []]
            for p in (data or {}).get("nodes") or [] if p and p.get("id")}


def return_from(data: dict, field: str) -> tuple[dict | None, list[dict]]:
    """(the created return {"id", "name", "status"}, Shopify's userErrors)."""
    payload = (data or {}).get(field) or {}
    return payload.get("return"), list(payload.get("userErrors") or [])
