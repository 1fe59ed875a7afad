"""Exchanges on the simulator (devshop/returns_exchange.py), through the Admin API as Shopify documents it:
`returnCreate` with `exchangeLineItems` opens a return whose exchange lines read back on `Return`; a variant
that does not exist is a userError and nothing is created; the shop's return reason library is readable.
Every document is validated by the simulator against the Admin 2026-10 schema."""
from __future__ import annotations

import pytest

from backend.config import Config
from backend.shopify.admin import AdminClient, RetryPolicy
from backend.shopify.pacing import MemoryThrottleStore
from tests.fakes.simulator import SHOP

FAST = RetryPolicy(max_attempts=2, base_delay=0.01, max_delay=0.02, timeout=5.0)
CREATE = """
mutation ExchangeStory($returnInput: ReturnInput!) {
  returnCreate(returnInput: $returnInput) {
    return { id status exchangeLineItems(first: 5) { nodes { quantity title variantTitle variantId variantSku } } }
    userErrors { code field message }
  }
}"""
REASONS = "query ReasonStory { returnReasonDefinitions(first: 20) { nodes { id handle name deleted } } }"
RETURNABLE = """
query ReturnableStory($id: ID!) {
  returnableFulfillments(orderId: $id, first: 5) {
    nodes { returnableFulfillmentLineItems(first: 5) { nodes { quantity fulfillmentLineItem { id } } } }
  }
}"""


@pytest.fixture
def admin(simulator):
    token = simulator.install(SHOP)["access_token"]
    config = Config().with_overrides(simulator.app_overrides)
    return AdminClient(SHOP, lambda shop: token, config, retry=FAST, store=MemoryThrottleStore())


@pytest.fixture
def shoes(simulator):
    product = simulator.add_product(SHOP, "Court Sneaker", variants=[
        {"title": f"Size {n}", "price": "150.00", "sku": f"CS-{n}"} for n in (8, 9)])
    order = simulator.add_order(SHOP, line_items=[{"variant": product.variants[0]}])
    simulator.fulfill(SHOP, order.id, delivered_at="2026-11-20T12:00:00Z")
    return order, product


def _input(admin, order, variant_gid, quantity=1):
    nodes = admin.query(RETURNABLE, {"id": f"gid://shopify/Order/{order.id}"})["returnableFulfillments"]["nodes"]
    line = nodes[0]["returnableFulfillmentLineItems"]["nodes"][0]["fulfillmentLineItem"]["id"]
    return {"orderId": f"gid://shopify/Order/{order.id}", "returnLineItems": [
        {"fulfillmentLineItemId": line, "quantity": 1}], "exchangeLineItems": [
        {"variantId": variant_gid, "quantity": quantity}]}


def test_an_exchange_opens_a_return_whose_exchange_lines_read_back(simulator, admin, shoes):
    order, product = shoes
    size_9 = f"gid://shopify/ProductVariant/{product.variants[1].id}"
    answer = admin.query(CREATE, {"returnInput": _input(admin, order, size_9)})["returnCreate"]
    assert answer["userErrors"] == [] and answer["return"]["status"] == "OPEN"
    assert answer["return"]["exchangeLineItems"]["nodes"] == [
        {"quantity": 1, "title": "Court Sneaker", "variantTitle": "Size 9", "variantId": size_9, "variantSku": "CS-9"}]
    (ret,) = simulator.returns(SHOP)
    assert [x.variant_id for x in ret.exchanges] == [product.variants[1].id]


@pytest.mark.parametrize("variant, quantity, code", [("gid://shopify/ProductVariant/999999", 1, "NOT_FOUND"),
                                                     (None, 0, "GREATER_THAN")])
def test_a_bad_exchange_line_is_a_user_error_and_nothing_is_created(simulator, admin, shoes, variant, quantity, code):
    order, product = shoes
    variant = variant or f"gid://shopify/ProductVariant/{product.variants[1].id}"
    answer = admin.query(CREATE, {"returnInput": _input(admin, order, variant, quantity)})["returnCreate"]
    assert answer["return"] is None and [e["code"] for e in answer["userErrors"]] == [code]
    assert answer["userErrors"][0]["field"][0] == "exchangeLineItems"
    assert simulator.returns(SHOP) == []


def test_the_return_reason_library_is_readable(admin):
    nodes = admin.query(REASONS)["returnReasonDefinitions"]["nodes"]
    assert {"size-too-small", "defective", "wrong-item"} <= {n["handle"] for n in nodes}
    assert all(n["id"].startswith("gid://shopify/ReturnReasonDefinition/") and not n["deleted"] for n in nodes)
