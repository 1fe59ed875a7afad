"""Shopify's native returns obey the written policy (issue 15), end to end: the shopper asks in the simulated
shop (what the Customer Account API's orderRequestReturn does), Shopify's signed returns/request reaches the
app over HTTP, the worker decides it through the one decision recipe and acts as the shop's mode says.

Every story runs on SQLite (one consumer) and on PostgreSQL + Redis (two consumers). The policy is AALLYN's:
21 days from delivery, a $15 restocking fee waived by return protection, FLASH SALE items store credit only,
final-sale items not returnable.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from backend.services.returns import apply as return_apply
from backend.store import returns as repo
from tests.integration.pipeline_helpers import (delivered_event_payload, fulfillment_payload, order_payload,
                                                start_pipeline, stop_pipeline)

SHOP = "returns-dev.myshopify.com"
US_CA = {"country_code": "US", "province_code": "CA", "address1": "1 Main St", "city": "Los Angeles", "zip": "90012"}
FINAL_SALE_TEXT = "Please note that opting for this service does not exempt your order from final sale"
WINDOW_TEXT = "Returns are eligible for Refund up to 21 days after delivery date."
WRITES = ("FineprintReturnApprove", "FineprintReturnDecline", "FineprintReturnRemoveLines", "FineprintReturnProcess")


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def days_ago(n: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=n)


class Shop:
    """One installed shop on the running pipeline, its orders delivered, its returns' webhooks delivered."""

    def __init__(self, pipeline, mode: str | None = "enforce", policy: str = "aallyn"):
        self.p, self.sim, self.sent = pipeline, pipeline.sim, 0
        pipeline.install(SHOP, policy, "America/Los_Angeles")
        if mode:
            with pipeline.db.session() as s:
                repo.save_settings(s, SHOP, mode=mode)

    def order(self, lines: list[dict], delivered_days_ago: float = 5, **fields):
        sim = self.sim
        items = []
        for spec in lines:
            spec = dict(spec)
            product = sim.add_product(SHOP, spec.get("title", "Item"), tags=spec.pop("tags", ()),
                                      price=spec.get("price", "100.00"), sku=spec.get("sku"))
            items.append({"variant": product.variants[0], **spec})
        order = sim.add_order(SHOP, line_items=items, created_at=iso(days_ago(delivered_days_ago + 3)),
                              shipping_address=US_CA, email="shopper@example.com", **fields)
        self.p.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
        delivered = days_ago(delivered_days_ago)
        ful = sim.fulfill(SHOP, order.id, created_at=iso(delivered - timedelta(days=2)), delivered_at=iso(delivered))
        self.p.send("fulfillments/create", fulfillment_payload(sim, SHOP, order, ful), shop=SHOP)
        self.p.send("fulfillment_events/create", delivered_event_payload(order, ful, iso(delivered)), shop=SHOP)
        self.p.settle()
        return order

    def ask(self, order, *line_indexes: int, reason: str = "unwanted", deliver: bool = True):
        ret = self.sim.request_return(SHOP, order.id, [{"line_item_id": order.line_items[i].id, "reason": reason}
                                                      for i in line_indexes])
        if deliver:
            self.deliver()
        return ret

    def deliver(self) -> None:
        """Post every webhook the simulated shop sent since the last call, as Shopify would, then settle."""
        for sent in self.sim.sent_webhooks(SHOP)[self.sent:]:
            response = self.p.client.post("/webhooks", data=sent.body, headers=sent.headers)
            assert response.status_code == 200, response.get_data(as_text=True)
        self.sent = len(self.sim.sent_webhooks(SHOP))
        self.p.settle()

    def row(self, ret):
        with self.p.db.session() as s:
            return repo.get(s, SHOP, str(ret.id))

    def audit(self, ret) -> list:
        with self.p.db.session() as s:
            return list(reversed(repo.audit_log(s, SHOP, str(ret.id))))

    def calls(self, *operations: str) -> list:
        return [c for c in self.sim.calls("graphql", shop=SHOP) if c.operation in operations
                and c.status == 200 and not c.fault]


def test_a_request_within_the_policy_is_approved_with_the_restocking_fee(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0)
    assert shop.sim.get_return(SHOP, ret.id).status == "OPEN"
    row = shop.row(ret)
    assert (row.verdict, row.action, row.policy_name) == ("approve", "approved", "aallyn")
    assert row.policy_version
    decision = row.decision
    assert [(f["kind"], f["amount"]) for f in decision["fees"]] == [("restocking", "15.00")]
    assert (decision["refund_total"], decision["credit_total"]) == ("280.00", "0.00")
    assert decision["lines"][0]["shopper_reason"] == {"reason": "changed_mind", "handle": "unwanted",
                                                      "name": "Unwanted", "known": True, "merchant_fault": False}
    assert [e.action for e in shop.audit(ret)] == ["decided", "approved"]
    assert "approved" in shop.sim.get_return(SHOP, ret.id).notified  # notifyCustomer
    (run,) = [r for r in shop.sim.shop(SHOP).flow_runs if r.handle == "return-request-decided"]
    assert run.payload["Verdict"] == "allowed" and run.payload["Refund total"] == 280.0


def test_a_final_sale_line_is_declined_with_final_sale_and_the_policy_sentence(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Mini bag", "price": "80.00", "tags": ["final-sale"]}])
    ret = shop.ask(order, 0)
    shopify = shop.sim.get_return(SHOP, ret.id)
    assert shopify.status == "DECLINED"
    assert shopify.decline["reason"] == "FINAL_SALE" and FINAL_SALE_TEXT in shopify.decline["note"]
    assert "declined" in shopify.notified
    row = shop.row(ret)
    assert (row.verdict, row.action, row.status) == ("decline", "declined", "declined")
    assert any(d["field"] == "returnable" and d["policy"] == "final sale" for d in row.decision["drift"])


def test_a_late_request_is_declined_because_the_return_period_ended(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Tote", "price": "295.00"}], delivered_days_ago=30)
    ret = shop.ask(order, 0)
    shopify = shop.sim.get_return(SHOP, ret.id)
    assert shopify.status == "DECLINED" and shopify.decline["reason"] == "RETURN_PERIOD_ENDED"
    assert "window ended" in shopify.decline["note"] and WINDOW_TEXT in shopify.decline["note"]


def test_a_protected_order_pays_no_restocking_fee(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Tote", "price": "295.00"},
                        {"title": "Return protection", "price": "2.98", "sku": "RETURN-PROTECTION"}])
    ret = shop.ask(order, 0)
    row = shop.row(ret)
    assert (row.verdict, row.decision["fees"], row.decision["refund_total"]) == ("approve", [], "295.00")
    assert shop.sim.get_return(SHOP, ret.id).status == "OPEN"


def test_a_defective_item_is_the_merchants_fault_and_pays_no_fee(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0, reason="defective")
    assert shop.row(ret).decision["fees"] == [] and shop.row(ret).decision["refund_total"] == "295.00"


def test_a_credit_only_line_is_refunded_as_store_credit_when_processed(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Clutch", "price": "120.00", "tags": ["flash-sale"]},
                        {"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0, 1)
    row = shop.row(ret)
    lines = {ln["line_item_id"]: ln["resolution"] for ln in row.decision["lines"]}
    assert lines == {str(order.line_items[0].id): "store_credit", str(order.line_items[1].id): "refund"}
    # one $15 restocking fee for the return, charged on the refund part
    assert [(f["kind"], f["amount"], f["resolution"]) for f in row.decision["fees"]] == \
        [("restocking", "15.00", "refund")]
    assert (row.decision["refund_total"], row.decision["credit_total"]) == ("280.00", "120.00")
    with pipeline.app.app_context():
        done = return_apply.process(pipeline.app, SHOP, str(ret.id), user="staff-1")
    assert done == {"return_id": str(ret.id), "to_payment": "280.00", "to_store_credit": "120.00"}
    refunds = [t for t in shop.sim.order_transactions(SHOP, order.id) if t.kind == "REFUND"]
    assert [f"{t.amount:.2f}" for t in refunds] == ["280.00"]
    assert [f"{c.amount:.2f}" for c in shop.sim.store_credit(SHOP)] == ["120.00"]
    assert shop.audit(ret)[-1].action == "processed" and shop.audit(ret)[-1].actor == "staff-1"
    with pipeline.app.app_context():  # a second click, or the row lost its mark: refunded once all the same
        again = return_apply.process(pipeline.app, SHOP, str(ret.id), user="staff-1")
        with pipeline.db.session() as s:
            repo.record_action(s, shop.row(ret).id, "approved")
        lost = return_apply.process(pipeline.app, SHOP, str(ret.id), user="staff-1")
    assert again["unchanged"] and lost["unchanged"]
    assert len([t for t in shop.sim.order_transactions(SHOP, order.id) if t.kind == "REFUND"]) == 1
    assert len(shop.sim.store_credit(SHOP)) == 1 and shop.row(ret).action == "processed"


def test_a_second_return_counts_the_first_towards_the_free_gift_threshold(pipeline):
    """AALLYN's free-gift clause across two returns of one order (issue 14): the first return leaves the
    bags worth 160 (at least 150), so the gift stays free; the second leaves 100, so the kept gift's value
    is deducted. The second decision sees the first through the request's `earlier_returns`."""
    shop = Shop(pipeline)
    order = shop.order([{"title": "Tote", "price": "100.00"}, {"title": "Mini bag", "price": "60.00"},
                        {"title": "Mini bag", "price": "60.00"},
                        {"title": "Gift pouch", "price": "30.00", "discount": "30.00", "tags": ["free-gift"]}])
    first = shop.row(shop.ask(order, 1)).decision
    assert (first["verdict"], first["deductions"], first["refund_total"]) == ("approve", [], "45.00")
    second = shop.row(shop.ask(order, 2)).decision
    assert second["verdict"] == "approve"
    assert [(d["line_item_id"], d["amount"]) for d in second["deductions"]] == [(str(order.line_items[3].id),
                                                                                 "30.00")]
    assert second["refund_total"] == "15.00"  # 60 - 15 restocking - 30 gift


def test_recommend_mode_writes_nothing_but_the_verdict_tag_and_note(pipeline):
    shop = Shop(pipeline, mode=None)  # a new shop: recommend
    order = shop.order([{"title": "Mini bag", "price": "80.00", "tags": ["final-sale"]}])
    shop.sim.order(SHOP, order.id).note = "Gift wrap, please."
    ret = shop.ask(order, 0)
    assert shop.sim.get_return(SHOP, ret.id).status == "REQUESTED"
    assert shop.calls(*WRITES) == []
    assert "return-decline" in shop.sim.order(SHOP, order.id).tags
    note = shop.sim.order(SHOP, order.id).note
    assert note.startswith("Gift wrap, please.\nFineprint: ") and FINAL_SALE_TEXT in note
    assert (shop.row(ret).verdict, shop.row(ret).action) == ("decline", "recommended")
    shop.deliver()  # nothing new: still one note line
    assert shop.sim.order(SHOP, order.id).note.count("Fineprint: ") == 1


def test_off_mode_decides_nothing_and_writes_nothing(pipeline):
    shop = Shop(pipeline, mode="off")
    order = shop.order([{"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0)
    assert shop.calls(*WRITES, "FineprintReturnRecommend", "FineprintReturn") == []
    assert shop.row(ret).action == "off" and shop.sim.get_return(SHOP, ret.id).status == "REQUESTED"


def test_a_merchants_override_is_written_to_shopify_and_kept_in_the_audit_log(pipeline):
    shop = Shop(pipeline, mode="recommend")
    order = shop.order([{"title": "Mini bag", "price": "80.00", "tags": ["final-sale"]}])
    ret = shop.ask(order, 0)
    with pipeline.app.app_context():
        return_apply.override(pipeline.app, SHOP, str(ret.id), "approve", "Loyal customer, goodwill return",
                              "staff-7")
    assert shop.sim.get_return(SHOP, ret.id).status == "OPEN"
    last = shop.audit(ret)[-1]
    assert (last.action, last.actor, last.verdict, last.note) == ("overridden_approve", "staff-7", "decline",
                                                                  "Loyal customer, goodwill return")
    assert shop.row(ret).action == "overridden_approve"


def test_the_same_request_delivered_twice_is_approved_once(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0, deliver=False)
    (sent,) = shop.sim.sent_webhooks(SHOP)
    for event_id in ("evt-a", "evt-b"):  # two events for one request (a redelivery under a new event id)
        headers = {**sent.headers, "X-Shopify-Event-Id": event_id}
        assert pipeline.client.post("/webhooks", data=sent.body, headers=headers).status_code == 200
    shop.sent = 1
    pipeline.settle()
    shop.deliver()  # and the approve webhook Shopify then sends changes nothing
    assert len(shop.calls("FineprintReturnApprove")) == 1
    assert shop.sim.get_return(SHOP, ret.id).notified == ["approved"]
    assert len([r for r in shop.sim.shop(SHOP).flow_runs if r.handle == "return-request-decided"]) == 1
    assert [e.action for e in shop.audit(ret)].count("approved") == 1


def test_a_request_cancelled_before_the_decision_is_left_alone(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0, deliver=False)
    from devshop import returns as model
    from devshop import returns_webhooks
    state = shop.sim.shop(SHOP)
    with state.lock:
        model.cancel(shop.sim.get_return(SHOP, ret.id))
        returns_webhooks.send(shop.sim, state, "returns/cancel", shop.sim.get_return(SHOP, ret.id))
    shop.deliver()  # request, then its cancel: the decision job finds Shopify's return cancelled
    assert shop.calls(*WRITES, "FineprintReturnRecommend") == []
    assert shop.sim.get_return(SHOP, ret.id).status == "CANCELED"
    assert shop.row(ret).action == "left_alone" and shop.row(ret).verdict is None


def test_a_decline_note_quotes_only_the_sentences_about_returning_the_item(pipeline):
    """A final-sale line's own reasons also name rules about price adjustments; the shopper's decline note
    quotes only why the item cannot come back."""
    shop = Shop(pipeline)
    order = shop.order([{"title": "Mini bag", "price": "80.00", "tags": ["final-sale"]}])
    ret = shop.ask(order, 0)
    note = shop.sim.get_return(SHOP, ret.id).decline["note"]
    assert FINAL_SALE_TEXT in note and "price adjustment" not in note


def test_shopify_throttling_is_waited_out_and_the_request_approved_once(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Tote", "price": "295.00"}])
    shop.sim.inject(SHOP, "throttled", times=2)
    shop.sim.inject(SHOP, "429", times=1, retry_after=0.1)
    ret = shop.ask(order, 0)
    assert shop.sim.get_return(SHOP, ret.id).status == "OPEN" and len(shop.calls("FineprintReturnApprove")) == 1
    assert shop.row(ret).action == "approved"


@pytest.fixture
def impatient(db_url, tmp_path, simulator, request):
    """The pipeline with two attempts per job before it is parked."""
    redis = request.getfixturevalue("redis_url") if db_url.startswith("postgresql") else None
    p = start_pipeline(db_url, tmp_path, simulator, redis=redis, pipeline_max_attempts=2)
    yield p
    stop_pipeline(p)


def test_a_return_whose_order_never_arrived_is_retried_then_parked_visibly(impatient):
    shop = Shop(impatient)
    product = shop.sim.add_product(SHOP, "Tote", price="295.00")
    order = shop.sim.add_order(SHOP, line_items=[{"variant": product.variants[0]}], shipping_address=US_CA)
    shop.sim.fulfill(SHOP, order.id, delivered_at=iso(days_ago(2)))  # its orders/create is lost
    ret = shop.ask(order, 0)
    (job,) = impatient.jobs(kind="decide_return")
    assert (job.status, job.attempts) == ("parked", 2) and "OrderNotRecorded" in job.last_error
    row = shop.row(ret)
    assert row.action == "failed" and "not recorded" in row.action_error
    assert shop.audit(ret)[-1].action == "failed"
    assert shop.sim.get_return(SHOP, ret.id).status == "REQUESTED"  # nothing written
    # the order arrives after all; the merchant retries the parked job (jobs retry, or the admin page)
    ful = shop.sim.order(SHOP, order.id).fulfillments[0]
    impatient.send("orders/create", order_payload(shop.sim, SHOP, order), shop=SHOP)
    impatient.send("fulfillments/create", fulfillment_payload(shop.sim, SHOP, order, ful), shop=SHOP)
    impatient.send("fulfillment_events/create", delivered_event_payload(order, ful, ful.delivered_at), shop=SHOP)
    impatient.settle()
    from backend.services import queue
    with impatient.app.app_context():
        queue.requeue(impatient.app, job)
    impatient.settle()
    assert shop.sim.get_return(SHOP, ret.id).status == "OPEN" and shop.row(ret).action == "approved"


def test_a_return_is_processed_on_receipt_when_the_merchant_asks_with_the_decisions_split_once(pipeline):
    """Process on receipt: nothing is refunded while the items are on their way (or one is missing); once every
    unit is disposed on the return's reverse fulfillment order, the refund splits as the decision says
    (original payment for the refundable line, store credit for the credit-only one), and a second receipt
    (a duplicate dispose webhook) refunds nothing more."""
    shop = Shop(pipeline)
    order = shop.order([{"title": "Clutch", "price": "120.00", "tags": ["flash-sale"]},
                        {"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0, 1)
    assert shop.row(ret).action == "approved"
    app = pipeline.app
    with app.app_context():
        assert return_apply.process_on_receipt(app, SHOP, str(ret.id)) == "not_asked"
        with pipeline.db.session() as s:
            repo.save_settings(s, SHOP, process_on_receipt=True)
        assert return_apply.process_on_receipt(app, SHOP, str(ret.id)) == "not_received"
        shop.sim.receive_return(SHOP, ret.id, quantities={order.line_items[0].id: 1})
        assert return_apply.process_on_receipt(app, SHOP, str(ret.id)) == "not_received"  # the tote is not back
        shop.sim.receive_return(SHOP, ret.id)
        assert return_apply.process_on_receipt(app, SHOP, str(ret.id)) == "processed"
        assert return_apply.process_on_receipt(app, SHOP, str(ret.id)) == "unchanged"
    refunds = [t for t in shop.sim.order_transactions(SHOP, order.id) if t.kind == "REFUND"]
    assert [f"{t.amount:.2f}" for t in refunds] == ["280.00"]
    assert [f"{c.amount:.2f}" for c in shop.sim.store_credit(SHOP)] == ["120.00"]
    assert shop.sim.return_outcome(SHOP, ret.id)["subtotal"] == "0.00"  # every unit processed
    assert [(e.actor, e.action) for e in shop.audit(ret)][-1] == ("fineprint", "processed")
    assert all(c.status == 200 and c.error is None for c in shop.calls("FineprintReturnReceipt"))


def test_a_missing_item_is_not_processed_on_receipt(pipeline):
    shop = Shop(pipeline)
    order = shop.order([{"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0)
    with pipeline.db.session() as s:
        repo.save_settings(s, SHOP, process_on_receipt=True)
    shop.sim.receive_return(SHOP, ret.id, disposition="MISSING")
    with pipeline.app.app_context():
        assert return_apply.process_on_receipt(pipeline.app, SHOP, str(ret.id)) == "not_received"
    assert not [t for t in shop.sim.order_transactions(SHOP, order.id) if t.kind == "REFUND"]


# The receipt webhook's body: no documented example of a reverse_fulfillment_orders/dispose payload is in
# ../shared/shopify, so the app reads nothing from it (only the signed headers' topic and shop) and the tests
# send an empty object rather than invent one.
DISPOSE = "reverse_fulfillment_orders/dispose"


def test_the_receipt_webhook_processes_the_return_once_under_duplicate_deliveries(pipeline):
    shop = Shop(pipeline)
    with pipeline.db.session() as s:
        repo.save_settings(s, SHOP, process_on_receipt=True)
    order = shop.order([{"title": "Clutch", "price": "120.00", "tags": ["flash-sale"]},
                        {"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0, 1)
    shop.deliver()  # the approval's returns/approve: the row is open
    assert (shop.row(ret).status, shop.row(ret).action) == ("open", "approved")
    shop.sim.receive_return(SHOP, ret.id)
    for _ in range(2):  # Shopify delivers the same receipt twice (two webhook ids)
        pipeline.send(DISPOSE, {}, shop=SHOP)
    pipeline.settle()
    refunds = [t for t in shop.sim.order_transactions(SHOP, order.id) if t.kind == "REFUND"]
    assert [f"{t.amount:.2f}" for t in refunds] == ["280.00"]
    assert [f"{c.amount:.2f}" for c in shop.sim.store_credit(SHOP)] == ["120.00"]
    assert shop.row(ret).action == "processed"
    assert [e.action for e in shop.audit(ret)].count("processed") == 1


def test_a_receipt_that_shopify_keeps_failing_is_parked_visibly_on_the_return(impatient):
    shop = Shop(impatient)
    with impatient.db.session() as s:
        repo.save_settings(s, SHOP, process_on_receipt=True)
    order = shop.order([{"title": "Tote", "price": "295.00"}])
    ret = shop.ask(order, 0)
    shop.deliver()
    shop.sim.receive_return(SHOP, ret.id)
    shop.sim.inject(SHOP, "500", times=100)
    impatient.send(DISPOSE, {}, shop=SHOP)
    impatient.settle()
    row = shop.row(ret)
    assert row.action == "failed" and row.action_error
    assert shop.audit(ret)[-1].action == "failed"
    assert not [t for t in shop.sim.order_transactions(SHOP, order.id) if t.kind == "REFUND"]
