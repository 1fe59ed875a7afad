"""Shopify's shapes → the domain's plain dicts (backend/shopify/payloads.py), on Shopify's published examples."""
import json
from pathlib import Path

from backend.shopify import payloads

WEBHOOKS = Path(__file__).resolve().parents[1] / "data" / "shopify" / "webhooks"
EXAMPLES = WEBHOOKS / "2026-01"  # Shopify's published examples (see tests/data/shopify/README.md)


def example(name):
    path = EXAMPLES / f"{name}.json"
    return json.loads((path if path.exists() else WEBHOOKS / "2025-10" / f"{name}.json").read_text())


def test_an_orders_create_payload_becomes_a_decision_request_order():
    order = payloads.order_from_rest(example("orders_create"))
    assert order["id"] == "820982911946154508"  # from admin_graphql_api_id: the numeric id is rounded
    facts = order["facts"]
    assert facts["id"] == "gid://shopify/Order/820982911946154508"
    assert facts["tags"] == ["tag1", "tag2"] and facts["currency"] == "USD" and facts["source_name"] == "web"
    assert facts["shipping_address"]["country_code"] == "US"
    line = facts["line_items"][0]
    assert line["id"] == "487817672276298554" and line["price"] == "89.99" and line["quantity"] == 1
    assert line["discount"] == "0.00" and line["properties"] == {} and line["gift_card"] is False
    assert "product_type" not in line and "compare_at_price" not in line  # filled from the catalog later
    assert order["updated_at"] == "2021-12-31T19:00:00-05:00"


def test_the_order_remembers_whose_it_is_and_nothing_else_about_the_customer():
    facts = payloads.order_from_rest(example("orders_create"))["facts"]
    assert facts["customer"] == {"id": "115310627314723954"}
    anonymous = payloads.order_from_rest({**example("orders_create"), "customer": None})["facts"]
    assert "customer" not in anonymous


def test_discount_allocations_sum_to_the_line_discount_and_properties_become_a_dict():
    payload = example("orders_create")
    li = payload["line_items"][0]
    li["discount_allocations"] = [{"amount": "5.00"}, {"amount_set": {"shop_money": {"amount": "2.50"}}}]
    li["properties"] = [{"name": "Left Size", "value": "8"}, {"name": "Right Size", "value": "9"}]
    line = payloads.order_from_rest(payload)["facts"]["line_items"][0]
    assert line["discount"] == "7.50"
    assert line["properties"] == {"Left Size": "8", "Right Size": "9"}


def test_fulfillment_payloads_say_which_lines_shipped_and_when():
    payload = example("fulfillments_create")
    payload["status"] = "success"
    facts = payloads.fulfillment_from_rest(payload)
    assert facts["id"] == "123456" and facts["shipped_at"] == payload["created_at"]
    assert facts["line_item_ids"][0] == "487817672276298554" and facts["delivered_at"] is None
    payload["shipment_status"] = "delivered"
    assert payloads.fulfillment_from_rest(payload)["delivered_at"] == payload["updated_at"]
    payload["status"] = "cancelled"
    assert payloads.fulfillment_from_rest(payload)["cancelled"] is True


def test_a_delivered_fulfillment_event_carries_the_exact_delivery_time():
    payload = example("fulfillment_events_create")
    assert payloads.fulfillment_event_from_rest(payload)["delivered_at"] is None  # in_transit
    payload["status"] = "delivered"
    facts = payloads.fulfillment_event_from_rest(payload)
    assert facts["delivered_at"] == payload["happened_at"] and facts["fulfillment_id"] == "123456"


def test_a_product_payload_becomes_a_catalog_entry():
    entry = payloads.product_from_rest(example("products_create"))
    assert entry["product"]["product_id"] == "788032119674292922"
    assert entry["product"]["tags"] == ["example", "mens", "t-shirt"]
    assert entry["variants"][0]["compare_at_price"] == "24.99"


def test_bulk_jsonl_lines_are_reassembled_into_orders():
    records = [
        {"id": "gid://shopify/Order/1", "createdAt": "2026-01-01T00:00:00Z", "currencyCode": "USD", "tags": ["a"]},
        {"id": "gid://shopify/LineItem/11", "quantity": 1, "originalUnitPriceSet": {"shopMoney": {"amount": "5.0"}},
         "product": {"id": "gid://shopify/Product/7", "productType": "Sample", "tags": []},
         "variant": {"id": "gid://shopify/ProductVariant/8", "compareAtPrice": None},
         "__parentId": "gid://shopify/Order/1"},
        {"id": "gid://shopify/ShippingLine/3", "title": "UPS Ground", "source": "ups",
         "__parentId": "gid://shopify/Order/1"},
        {"id": "gid://shopify/Order/2", "createdAt": "2026-01-02T00:00:00Z", "currencyCode": "USD", "tags": []},
    ]
    orders = [payloads.order_from_graphql(n) for n in payloads.assemble_bulk_orders(records)]
    assert [o["id"] for o in orders] == ["1", "2"]
    line = orders[0]["facts"]["line_items"][0]
    assert line["product_type"] == "Sample" and line["compare_at_price"] is None and line["price"] == "5.0"
    assert orders[0]["facts"]["shipping_lines"] == [{"title": "UPS Ground", "price": "0.00", "carrier": "ups"}]


def test_the_bulk_and_product_queries_are_valid_against_the_admin_schema():
    import graphql

    from devshop.schema import admin_schema
    schema = admin_schema()
    from backend.shopify import bulk, order_writes
    documents = [payloads.bulk_orders_query("2026-01-01"), payloads.PRODUCTS_BY_ID_QUERY, bulk.RUN_QUERY,
                 bulk.POLL_QUERY, order_writes.ORDER_WRITE_STATE_QUERY,
                 order_writes.apply_decision_request("gid://shopify/Order/1", ["final-sale"], ["x"], "2026-01-01",
                                                     {"tags": []})[0]]
    for doc in documents:
        assert graphql.validate(schema, graphql.parse(doc)) == [], doc


def test_the_2026_01_examples_keep_exact_line_ids_and_custom_items_have_no_product():
    """The 2026-01 examples add custom items (no product, no variant) whose numeric ids are past 2^53 and
    rounded in Shopify's docs data: the GID is the identity, in orders and in fulfillments alike."""
    facts = payloads.order_from_rest(example("orders_create"))["facts"]
    plan = next(ln for ln in facts["line_items"] if ln["sku"] == "LENS-PROTECT-2YR")
    assert example("orders_create")["line_items"][1]["id"] == 789012345678901200
    assert plan["id"] == "789012345678901234" and plan["product_id"] is None and plan["variant_id"] is None
    shipped = payloads.fulfillment_from_rest(example("fulfillments_create"))["line_item_ids"]
    assert "789012345678901234" in shipped and "890123456789012345" in shipped
