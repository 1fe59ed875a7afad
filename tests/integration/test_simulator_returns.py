"""Shopify's returns on the simulator, driven through the app's Shopify adapter (backend/shopify/returns.py):
every document is validated by the simulator against the Admin 2026-10 schema before it runs.

Stories: a customer's request is read back with its lines, reasons and notes; approve and decline change
the return as Shopify would (and only once); processing refunds Shopify's computed amount (restocking
percentage of the line's value, return shipping fee) split between the original payment and store credit.
"""
from __future__ import annotations

import json
from decimal import Decimal

import pytest

from backend.config import Config
from devshop.returns import ReturnError
from backend.shopify import returns as adapter
from backend.shopify.admin import AdminClient, RetryPolicy
from backend.shopify.errors import RetriesExhausted
from backend.shopify.payloads.returns import return_from_webhook
from backend.shopify.pacing import MemoryThrottleStore
from tests.fakes.simulator import SHOP

FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, timeout=2.0)


@pytest.fixture
def admin(simulator):
    token = simulator.install(SHOP)["access_token"]
    config = Config().with_overrides(simulator.app_overrides)
    return AdminClient(SHOP, lambda shop: token, config, retry=FAST, store=MemoryThrottleStore())


@pytest.fixture
def order(simulator):
    """Two jackets at 120.00 with 20.00 off the line, and a 30.00 bag; shipped and delivered."""
    order = simulator.add_order(SHOP, line_items=[
        {"title": "Jacket", "quantity": 2, "price": "120.00", "discount": "20.00"},
        {"title": "Bag", "quantity": 1, "price": "30.00"}],
        shipping_lines=[{"title": "UPS Ground", "price": "10.00"}])
    simulator.fulfill(SHOP, order.id, delivered_at="2026-11-20T12:00:00Z")
    return order


def read(admin, ret) -> dict:
    return adapter.return_from_graphql(admin.query(adapter.RETURN_QUERY, {"id": f"gid://shopify/Return/{ret.id}"}))


def write(admin, document_and_variables):
    return adapter.write_result(admin.query(*document_and_variables))


def test_a_customers_request_is_a_requested_return_with_its_webhook_and_reads_back_whole(simulator, admin, order):
    jacket, bag = order.line_items
    ret = simulator.request_return(SHOP, order.id, [
        {"line_item_id": jacket.id, "quantity": 1, "reason": "size-too-small", "customer_note": "Runs small"},
        {"line_item_id": bag.id, "reason": "defective"}])
    (sent,) = simulator.sent_webhooks(SHOP, "returns/request")
    assert return_from_webhook(json.loads(sent.body), sent.topic)["status"] == "requested"
    facts = read(admin, ret)
    assert (facts["status"], facts["order_id"], facts["currency"], facts["truncated"]) == \
        ("REQUESTED", str(order.id), "USD", False)
    lines = {line["line_item_id"]: line for line in facts["lines"]}
    assert set(lines) == {str(jacket.id), str(bag.id)}
    assert lines[str(jacket.id)]["quantity"] == 1 and lines[str(jacket.id)]["customer_note"] == "Runs small"
    assert lines[str(jacket.id)]["reason"]["handle"] == "size-too-small"
    assert lines[str(jacket.id)]["value"] == "110.00"  # (2 × 120.00 − 20.00) / 2, one unit
    assert lines[str(bag.id)]["fulfillment_line_item_id"] != str(bag.id)  # its own id, mapped to the line
    assert [p["kind"] for p in facts["payments"]] == ["SALE"] and facts["payments"][0]["amount"] == "260.00"  # 220.00 + 30.00 + 10.00 shipping


def test_returnable_fulfillments_shrink_as_lines_are_requested(simulator, admin, order):
    query = ("query R($id: ID!) { returnableFulfillments(orderId: $id, first: 5) { nodes { id "
             "returnableFulfillmentLineItems(first: 10) { nodes { quantity fulfillmentLineItem { lineItem { id } } } }"
             " } } }")

    def returnable():
        data = admin.query(query, {"id": f"gid://shopify/Order/{order.id}"})
        return {n["fulfillmentLineItem"]["lineItem"]["id"].rsplit("/", 1)[1]: n["quantity"]
                for f in data["returnableFulfillments"]["nodes"] for n in f["returnableFulfillmentLineItems"]["nodes"]}

    jacket, bag = order.line_items
    assert returnable() == {str(jacket.id): 2, str(bag.id): 1}
    ret = simulator.request_return(SHOP, order.id, [{"line_item_id": jacket.id}, {"line_item_id": bag.id}])
    assert returnable() == {str(jacket.id): 1}
    with pytest.raises(ReturnError) as refused:
        simulator.request_return(SHOP, order.id, [{"line_item_id": jacket.id, "quantity": 2}])
    assert refused.value.code == "LESS_THAN_OR_EQUAL_TO"
    write(admin, adapter.decline_request(f"gid://shopify/Return/{ret.id}", "OTHER", None))
    assert returnable() == {str(jacket.id): 2, str(bag.id): 1}  # a declined return frees its lines


def test_approving_opens_the_return_once_and_a_second_approval_is_refused(simulator, admin, order):
    ret = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[1].id}])
    gid = f"gid://shopify/Return/{ret.id}"
    assert write(admin, adapter.approve_request(gid)) == ({"gid": gid, "status": "OPEN"}, [])
    again, errors = write(admin, adapter.approve_request(gid))
    assert again is None and [e["code"] for e in errors] == ["INVALID_STATE"]
    assert simulator.get_return(SHOP, ret.id).status == "OPEN" and ret.notified == ["approved"]
    assert [w.topic for w in simulator.sent_webhooks(SHOP)] == ["returns/request", "returns/approve"]


def test_declining_keeps_the_reason_and_the_policy_sentence_and_tells_the_customer(simulator, admin, order):
    ret = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[0].id}])
    note = "Sale items are final sale: no returns or exchanges."
    result, errors = write(admin, adapter.decline_request(f"gid://shopify/Return/{ret.id}", "FINAL_SALE", note))
    assert errors == [] and result["status"] == "DECLINED"
    assert ret.decline == {"reason": "FINAL_SALE", "note": note} and ret.notified == ["declined"]
    (sent,) = simulator.sent_webhooks(SHOP, "returns/decline")
    assert return_from_webhook(json.loads(sent.body), sent.topic)["decline"] == {"reason": "FINAL_SALE", "note": note}
    assert read(admin, ret)["decline"] == {"reason": "FINAL_SALE", "note": note}


def test_the_adapter_refuses_a_decline_shopify_would_refuse():
    with pytest.raises(ValueError):
        adapter.decline_request("gid://shopify/Return/1", "TOO_LATE", None)
    with pytest.raises(ValueError):
        adapter.decline_request("gid://shopify/Return/1", "OTHER", "x" * 501)


def test_processing_refunds_shopifys_computed_amount_split_into_payment_and_store_credit(simulator, admin, order):
    jacket, bag = order.line_items
    requested, errors = write(admin, ("mutation Req($input: ReturnRequestInput!) { returnRequest(input: $input) "
                                      "{ return { id status } userErrors { code field message } } }",
                                      {"input": _request_input(admin, order, jacket, bag)}))
    assert errors == [] and requested["status"] == "REQUESTED"
    gid = requested["gid"]
    write(admin, adapter.approve_request(gid, notify_customer=False))
    facts = read(admin, simulator.get_return(SHOP, gid))
    lines = {line["line_item_id"]: line for line in facts["lines"]}
    # Shopify's figures: 15 % of one jacket's 110.00 is 16.50; the bag has no fee; the shipping fee is 7.50
    assert lines[str(jacket.id)]["restocking_fee"] == "16.50" and lines[str(bag.id)]["restocking_fee"] is None
    assert facts["shipping_fee"] == "7.50"
    outcome = simulator.return_outcome(SHOP, gid)
    assert outcome == {"subtotal": "140.00", "restocking_fees": "16.50", "shipping_fee": "7.50", "total": "116.00"}
    credit_part, payment_part = Decimal("30.00"), Decimal(outcome["total"]) - Decimal("30.00")  # the bag as credit
    result, errors = write(admin, adapter.process_request(
        gid, [(line["gid"], line["quantity"]) for line in facts["lines"]], "USD",
        to_payment=str(payment_part), payment_gid=facts["payments"][0]["gid"], to_store_credit=str(credit_part)))
    assert errors == [] and result["status"] == "OPEN"
    ret = simulator.get_return(SHOP, gid)
    (refund,) = ret.refunds
    assert [(t.kind, str(t.amount)) for t in refund.transactions] == [("REFUND", "86.00")]
    assert [(str(c.amount), c.return_id) for c in simulator.store_credit(SHOP)] == [("30.00", ret.id)]
    assert refund.total == Decimal(outcome["total"])
    assert all(line.processed_quantity == line.quantity for line in ret.lines)
    assert simulator.sent_webhooks(SHOP, "returns/process")[0].body == b"{}"  # as Shopify publishes it


def _request_input(admin, order, jacket, bag) -> dict:
    """A returnRequest input as an app builds it: fulfillment line items read from returnableFulfillments."""
    query = ("query R($id: ID!) { returnableFulfillments(orderId: $id, first: 5) { nodes { "
             "returnableFulfillmentLineItems(first: 10) { nodes { fulfillmentLineItem { id lineItem { id } } } } } } }")
    data = admin.query(query, {"id": f"gid://shopify/Order/{order.id}"})
    ids = {n["fulfillmentLineItem"]["lineItem"]["id"]: n["fulfillmentLineItem"]["id"]
           for f in data["returnableFulfillments"]["nodes"] for n in f["returnableFulfillmentLineItems"]["nodes"]}
    return {"orderId": f"gid://shopify/Order/{order.id}",
            "returnShippingFee": {"amount": {"amount": "7.50", "currencyCode": "USD"}},
            "returnLineItems": [
                {"fulfillmentLineItemId": ids[f"gid://shopify/LineItem/{jacket.id}"], "quantity": 1,
                 "returnReason": "UNWANTED", "restockingFee": {"percentage": 15.0}},
                {"fulfillmentLineItemId": ids[f"gid://shopify/LineItem/{bag.id}"], "quantity": 1,
                 "returnReason": "DEFECTIVE"}]}


def test_a_refund_beyond_what_the_order_paid_is_refused_and_nothing_changes(simulator, admin, order):
    ret = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[1].id}])
    gid = f"gid://shopify/Return/{ret.id}"
    write(admin, adapter.approve_request(gid))
    facts = read(admin, ret)
    result, errors = write(admin, adapter.process_request(gid, [(facts["lines"][0]["gid"], 1)], "USD",
                                                          to_payment="250.00", payment_gid=facts["payments"][0]["gid"],
                                                          to_store_credit="50.00"))
    assert result is None and [e["code"] for e in errors] == ["INVALID"]
    assert ret.refunds == [] and ret.lines[0].processed_quantity == 0 and simulator.store_credit(SHOP) == []


def test_a_requested_return_cannot_be_processed_before_approval(simulator, admin, order):
    ret = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[1].id}])
    facts = read(admin, ret)
    _, errors = write(admin, adapter.process_request(facts["gid"], [(facts["lines"][0]["gid"], 1)], "USD"))
    assert [e["code"] for e in errors] == ["INVALID_STATE"] and ret.status == "REQUESTED"


def test_a_throttled_approval_is_retried_and_applied_once(simulator, admin, order):
    ret = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[1].id}])
    simulator.inject(SHOP, "throttled")
    assert write(admin, adapter.approve_request(f"gid://shopify/Return/{ret.id}"))[1] == []
    assert ret.status == "OPEN" and len(simulator.sent_webhooks(SHOP, "returns/approve")) == 1


def test_an_approval_that_never_gets_through_changes_nothing(simulator, admin, order):
    ret = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[1].id}])
    simulator.inject(SHOP, "503", times=FAST.max_attempts)
    with pytest.raises(RetriesExhausted):
        admin.query(*adapter.approve_request(f"gid://shopify/Return/{ret.id}"))
    assert ret.status == "REQUESTED" and simulator.sent_webhooks(SHOP, "returns/approve") == []


def test_returns_need_the_returns_scopes(simulator, order):
    token = simulator.install(SHOP, scope="read_orders,write_orders")["access_token"]
    client = AdminClient(SHOP, lambda s: token, Config().with_overrides(simulator.app_overrides), retry=FAST,
                         store=MemoryThrottleStore())
    ret = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[1].id}])
    from backend.shopify.errors import GraphQLError
    with pytest.raises(GraphQLError) as denied:
        client.query(*adapter.approve_request(f"gid://shopify/Return/{ret.id}"))
    assert "write_returns" in str(denied.value) and ret.status == "REQUESTED"


EXAMPLES = __import__("pathlib").Path(__file__).resolve().parents[1] / "data" / "shopify" / "webhooks" / "2026-04"


def _shape(value):
    """The keys of a body, recursively (lists by their first item): what 'shaped like the example' means."""
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_shape(value[0])] if value else []
    return type(value).__name__ if value is not None else None


def _same_shape(sent: dict, published: dict) -> bool:
    if set(sent) != set(published):
        return False
    for key, value in published.items():
        if isinstance(value, dict) and not _same_shape(sent[key], value):
            return False
        if isinstance(value, list) and value and sent[key] and not _same_shape(sent[key][0], value[0]):
            return False
    return True


def test_every_returns_webhook_the_shop_sends_is_shaped_like_shopifys_published_example(simulator, admin, order):
    first = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[0].id}], shipping_fee="5.00")
    write(admin, adapter.approve_request(f"gid://shopify/Return/{first.id}"))
    write(admin, ("mutation C($id: ID!) { returnClose(id: $id) { userErrors { code } } }",
                  {"id": f"gid://shopify/Return/{first.id}"}))
    second = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[1].id}])
    write(admin, adapter.decline_request(f"gid://shopify/Return/{second.id}", "OTHER", "No."))
    third = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[1].id}])
    write(admin, ("mutation C($id: ID!) { returnCancel(id: $id) { userErrors { code } } }",
                  {"id": f"gid://shopify/Return/{third.id}"}))
    sent = simulator.sent_webhooks(SHOP)
    assert {w.topic for w in sent} == {"returns/request", "returns/approve", "returns/close", "returns/decline",
                                       "returns/cancel"}
    for webhook in sent:
        published = json.loads((EXAMPLES / f"{webhook.topic.replace('/', '_')}.json").read_text())
        assert _same_shape(json.loads(webhook.body), published), (webhook.topic, _shape(json.loads(webhook.body)))
        assert webhook.headers["X-Shopify-Topic"] == webhook.topic
        assert webhook.headers["X-Shopify-Shop-Domain"] == SHOP
    approve = json.loads(simulator.sent_webhooks(SHOP, "returns/approve")[0].body)
    assert approve["return_shipping_fees"][0]["price"]["shop_money"] == {"amount": "5.00", "currency_code": "USD"}


def test_a_return_created_open_can_be_processed_and_closed_but_not_cancelled_after(simulator, admin, order):
    data = admin.query("query R($id: ID!) { returnableFulfillments(orderId: $id, first: 5) { nodes { "
                       "returnableFulfillmentLineItems(first: 10) { nodes { fulfillmentLineItem { id } } } } } }",
                       {"id": f"gid://shopify/Order/{order.id}"})
    ful_line = data["returnableFulfillments"]["nodes"][0]["returnableFulfillmentLineItems"]["nodes"][1]
    created = admin.query("mutation C($r: ReturnInput!) { returnCreate(returnInput: $r) { return { id status } "
                          "userErrors { code } } }",
                          {"r": {"orderId": f"gid://shopify/Order/{order.id}", "returnLineItems": [
                              {"fulfillmentLineItemId": ful_line["fulfillmentLineItem"]["id"], "quantity": 1,
                               "returnReason": "WRONG_ITEM"}]}})["returnCreate"]
    assert created["userErrors"] == [] and created["return"]["status"] == "OPEN"
    facts = read(admin, simulator.get_return(SHOP, created["return"]["id"]))
    _, errors = write(admin, adapter.process_request(facts["gid"], [(facts["lines"][0]["gid"], 1)], "USD",
                                                     to_store_credit="30.00"))
    assert errors == [] and [str(c.amount) for c in simulator.store_credit(SHOP)] == ["30.00"]
    cancelled = admin.query("mutation C($id: ID!) { returnCancel(id: $id) { userErrors { code } } }",
                            {"id": facts["gid"]})["returnCancel"]
    assert [e["code"] for e in cancelled["userErrors"]] == ["INVALID_STATE"]
    closed = admin.query("mutation C($id: ID!) { returnClose(id: $id) { return { status closedAt } "
                         "userErrors { code } } }", {"id": facts["gid"]})["returnClose"]
    assert closed["return"]["status"] == "CLOSED" and closed["return"]["closedAt"]


def test_an_unknown_return_is_null_on_read_and_not_found_on_write(admin):
    assert adapter.return_from_graphql(admin.query(adapter.RETURN_QUERY, {"id": "gid://shopify/Return/999"})) is None
    result, errors = write(admin, adapter.approve_request("gid://shopify/Return/999"))
    assert result is None and [e["code"] for e in errors] == ["NOT_FOUND"]
