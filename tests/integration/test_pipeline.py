"""Order pipeline stories, end to end: signed webhooks over HTTP → queue → consumers → one Admin write.

Every story runs twice: SQLite + an in-process consumer on the SQLite queue, and
PostgreSQL + Redis with two consumers (as if on two machines).
"""
from __future__ import annotations

import json
import threading
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from tests.integration.pipeline_helpers import (delivered_event_payload, fulfillment_payload, order_payload,
                                                product_payload)

SHOP = "pipeline-dev.myshopify.com"
US_NY = {"country_code": "US", "province_code": "NY", "address1": "1 Main St", "city": "New York", "zip": "10001"}
US_CA = {"country_code": "US", "province_code": "CA", "address1": "1 Main St", "city": "Los Angeles", "zip": "90012"}
UPS = [{"title": "UPS Ground", "code": "ups_ground", "price": "0.00", "source": "ups"}]


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def days_ago(n: float) -> datetime:
    return datetime.now(timezone.utc) - timedelta(days=n)


def local_date(dt: datetime, zone: str):
    return dt.astimezone(ZoneInfo(zone)).date()


def _line(sim, shop, spec):
    spec = dict(spec)
    product = sim.add_product(shop, spec.pop("title", "Item"), product_type=spec.pop("product_type", ""),
                              tags=spec.pop("tags", ()), price=spec.get("price", "100.00"),
                              compare_at_price=spec.pop("compare_at_price", None), sku=spec.get("sku"))
    return {"variant": product.variants[0], **spec}


# -- each seed policy: orders built from the example payloads get exactly the expected tags -------------------

TAG_CASES = [
    ("ally", "full price shoe", [{"title": "Loafer", "price": "250.00"}], {}, set()),
    ("ally", "a sample is final sale", [{"title": "Sample", "product_type": "Sample", "tags": ["sample"]}], {},
     {"final-sale"}),
    ("ally", "a marked-down shoe is store credit only",
     [{"title": "Boot", "price": "150.00", "compare_at_price": "300.00"}], {}, {"sale-credit-only"}),
    ("ally", "a coupon alone is not a sale", [{"title": "Boot", "price": "150.00", "discount": "15.00"}], {}, set()),
    ("aallyn", "protection, and a signature for UPS over $250",
     [{"title": "Tote", "price": "295.00"}, {"title": "Return protection", "price": "2.98", "sku": "RETURN-PROTECTION"}],
     {"shipping_lines": UPS}, {"return-protection", "signature-required"}),
    ("aallyn", "flash-sale code makes lines credit only", [{"title": "Clutch", "price": "120.00"}],
     {"discount_codes": [{"code": "FLASH20", "amount": "0.00", "type": "fixed_amount"}]}, {"sale-credit-only"}),
    ("aallyn", "final sale survives protection",
     [{"title": "Mini bag", "price": "80.00", "tags": ["final-sale"]},
      {"title": "Return protection", "price": "2.98", "sku": "RETURN-PROTECTION"}], {},
     {"final-sale", "return-protection"}),
    ("novus", "jewelry is final sale", [{"title": "Ring", "product_type": "Jewelry", "price": "60.00"}], {},
     {"final-sale"}),
    ("novus", "sale shoes under $25 are final sale", [{"title": "Flip flop", "price": "20.00",
                                                       "compare_at_price": "40.00"}], {}, {"final-sale"}),
    ("novus", "a sneaker is standard", [{"title": "Sneaker", "price": "140.00"}], {}, set()),
]


@pytest.mark.parametrize("policy,story,lines,fields,expected", TAG_CASES, ids=[c[1] for c in TAG_CASES])
def test_each_seed_policy_tags_orders_exactly(pipeline, policy, story, lines, fields, expected):
    sim = pipeline.sim
    pipeline.install(SHOP, policy)
    merchant_tag = "vip"
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, ln) for ln in lines],
                          shipping_address=US_CA if policy == "aallyn" else US_NY,
                          tags=[merchant_tag], **fields)
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.settle()
    assert pipeline.our_tags(SHOP, order.id) == expected
    assert merchant_tag in pipeline.tags(SHOP, order.id), "the merchant's own tag is never touched"
    assert len(pipeline.writes(SHOP, order.id)) == 1
    decision = json.loads(pipeline.metafield(SHOP, order.id, "decision"))
    assert set(decision["tags"]) == expected and decision["policy"] == policy
    entry = pipeline.log(SHOP, order.id)[-1]
    assert entry.write_result == "written" and entry.policy_name == policy and entry.policy_version
    assert entry.input["order"]["shipping_address"]["address1"] == "•••"


# -- delivery sets the deadline ----------------------------------------------------------------------------

DEADLINE_CASES = [("ally", "America/New_York", 14), ("aallyn", "America/Los_Angeles", 21)]


@pytest.mark.parametrize("policy,zone,days", DEADLINE_CASES)
def test_a_delivered_event_sets_the_deadline_metafield(pipeline, policy, zone, days):
    sim = pipeline.sim
    pipeline.install(SHOP, policy, zone)
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, {"title": "Bag", "price": "90.00"})],
                          shipping_address=US_CA, created_at=iso(days_ago(4)))
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.settle()
    assert pipeline.metafield(SHOP, order.id, "deadline") is None  # not shipped, not delivered: no anchor yet

    ful = sim.fulfill(SHOP, order.id, created_at=iso(days_ago(3)))
    pipeline.send("fulfillments/create", fulfillment_payload(sim, SHOP, order, ful), shop=SHOP)
    pipeline.settle()
    assert pipeline.metafield(SHOP, order.id, "deadline") is None  # shipped; delivery fallback not due yet

    delivered = days_ago(1)
    sim.mark_delivered(SHOP, order.id, ful.id, iso(delivered))
    pipeline.send("fulfillment_events/create", delivered_event_payload(order, ful, iso(delivered)), shop=SHOP)
    pipeline.settle()
    expected = (local_date(delivered, zone) + timedelta(days=days)).isoformat()
    assert pipeline.metafield(SHOP, order.id, "deadline") == expected
    assert len(pipeline.writes(SHOP, order.id)) == 2  # the decision at creation, then the deadline


def test_novus_deadline_counts_from_the_order_date_at_once(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "novus")
    created = days_ago(2)
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, {"title": "Sneaker", "price": "140.00"})],
                          shipping_address=US_NY, created_at=iso(created))
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.settle()
    expected = (local_date(created, "America/New_York") + timedelta(days=30)).isoformat()
    assert pipeline.metafield(SHOP, order.id, "deadline") == expected


def test_when_the_carrier_never_reports_delivery_the_fallback_sets_the_deadline(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, {"title": "Loafer", "price": "250.00"})],
                          shipping_address=US_NY, created_at=iso(days_ago(45)))
    ful = sim.fulfill(SHOP, order.id, created_at=iso(days_ago(40)))
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.send("fulfillments/create", fulfillment_payload(sim, SHOP, order, ful), shop=SHOP)
    pipeline.settle()
    shipped = local_date(days_ago(40), "America/New_York")
    assert pipeline.metafield(SHOP, order.id, "deadline") == (shipped + timedelta(days=30 + 14)).isoformat()
    decision = json.loads(pipeline.metafield(SHOP, order.id, "decision"))
    assert any(r["rule"] == "delivery-fallback" for r in decision["lines"][0]["reasons"])


# -- a product edited after purchase does not change the class of an existing order ---------------------------

def test_a_product_edited_after_purchase_does_not_reclassify_the_order(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    product = sim.add_product(SHOP, "Loafer", price="250.00")
    pipeline.send("products/create", product_payload(sim, SHOP, product, "products/create"), shop=SHOP)
    pipeline.settle()
    old = sim.add_order(SHOP, line_items=[{"variant": product.variants[0]}], shipping_address=US_NY)
    pipeline.send("orders/create", order_payload(sim, SHOP, old), shop=SHOP)
    pipeline.settle()
    assert pipeline.our_tags(SHOP, old.id) == set()
    reads = [c for c in sim.calls("graphql", shop=SHOP) if c.operation == "FineprintProducts"]
    assert reads == [], "a warm catalog needs no read"

    sim.update_product(SHOP, product.id, tags=["final-sale"])
    pipeline.send("products/update", product_payload(sim, SHOP, product), shop=SHOP)
    pipeline.settle()
    sim.update_order(SHOP, old.id, note="gift wrap please")
    pipeline.send("orders/updated", order_payload(sim, SHOP, sim.order(SHOP, old.id)), shop=SHOP)
    new = sim.add_order(SHOP, line_items=[{"variant": product.variants[0]}], shipping_address=US_NY)
    pipeline.send("orders/create", order_payload(sim, SHOP, new), shop=SHOP)
    pipeline.settle()
    assert pipeline.our_tags(SHOP, old.id) == set()
    assert pipeline.our_tags(SHOP, new.id) == {"final-sale"}
    assert len(pipeline.writes(SHOP, old.id)) == 1


# -- duplicates, reordering, concurrency ------------------------------------------------------------------

def test_the_same_event_twice_leads_to_one_write(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, {"title": "Sample", "product_type": "Sample"})],
                          shipping_address=US_NY)
    payload = order_payload(sim, SHOP, order)
    pipeline.send("orders/create", payload, shop=SHOP, event_id="evt-1")
    pipeline.send("orders/create", payload, shop=SHOP, event_id="evt-1")  # redelivery: same id
    pipeline.send("orders/updated", payload, shop=SHOP)  # same facts under another id
    pipeline.settle()
    assert pipeline.our_tags(SHOP, order.id) == {"final-sale"}
    assert len(pipeline.writes(SHOP, order.id)) == 1


def test_an_older_update_delivered_late_never_overwrites_newer_state(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "aallyn", "America/Los_Angeles")
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, {"title": "Clutch", "price": "120.00"})],
                          shipping_address=US_CA, updated_at="2026-01-01T10:00:00Z")
    older = order_payload(sim, SHOP, order)
    sim.update_order(SHOP, order.id, discount_codes=[{"code": "FLASH20", "amount": "24.00", "type": "percentage"}])
    newer = order_payload(sim, SHOP, sim.order(SHOP, order.id), "orders/updated")
    newer["updated_at"] = "2026-01-01T11:00:00Z"
    pipeline.send("orders/updated", newer, shop=SHOP)
    pipeline.settle()
    pipeline.send("orders/create", older, shop=SHOP)  # arrives last, describes the past
    pipeline.settle()
    assert pipeline.our_tags(SHOP, order.id) == {"sale-credit-only"}
    assert len(pipeline.writes(SHOP, order.id)) == 1


def test_a_tag_that_no_longer_applies_is_removed_and_only_ours(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "aallyn", "America/Los_Angeles")
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, {"title": "Clutch", "price": "120.00"})],
                          shipping_address=US_CA, tags=["wholesale"], updated_at="2026-01-01T10:00:00Z",
                          discount_codes=[{"code": "FLASH20", "amount": "24.00", "type": "percentage"}])
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.settle()
    assert pipeline.our_tags(SHOP, order.id) == {"sale-credit-only"}
    sim.update_order(SHOP, order.id, discount_codes=[])
    edited = order_payload(sim, SHOP, sim.order(SHOP, order.id), "orders/updated")
    edited["updated_at"] = "2026-01-01T12:00:00Z"
    pipeline.send("orders/updated", edited, shop=SHOP)
    pipeline.settle()
    assert pipeline.tags(SHOP, order.id) == {"wholesale"}
    removes = [c for c in pipeline.writes(SHOP, order.id) if "remove" in (c.variables or {})]
    assert len(removes) == 1 and removes[0].variables["remove"] == ["sale-credit-only"]


def test_concurrent_deliveries_for_many_orders_write_each_once(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    product = sim.add_product(SHOP, "Sample", product_type="Sample", price="90.00")
    pipeline.send("products/create", product_payload(sim, SHOP, product, "products/create"), shop=SHOP)
    pipeline.settle()
    orders = [sim.add_order(SHOP, line_items=[{"variant": product.variants[0]}], shipping_address=US_NY)
              for _ in range(12)]
    payloads = [order_payload(sim, SHOP, o) for o in orders]

    def deliver(payload):
        client = pipeline.app.test_client()
        from tests.integration.edge_helpers import post_webhook
        for topic in ("orders/create", "orders/updated", "orders/updated"):
            assert post_webhook(client, pipeline.app, topic, payload, shop=SHOP).status_code == 200

    threads = [threading.Thread(target=deliver, args=(p,)) for p in payloads for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    pipeline.settle(180)  # a safety net: settle ends when the queue is empty
    for o in orders:
        assert pipeline.our_tags(SHOP, o.id) == {"final-sale"}
        assert len(pipeline.writes(SHOP, o.id)) == 1, o.id


# -- failures: throttling, 5xx, a dying worker, parking ------------------------------------------------------

def test_throttling_and_a_5xx_outage_end_with_every_order_tagged_once(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    product = sim.add_product(SHOP, "Sample", product_type="Sample", price="90.00")
    pipeline.send("products/create", product_payload(sim, SHOP, product, "products/create"), shop=SHOP)
    pipeline.settle()
    sim.inject(SHOP, "throttled", times=3)
    sim.inject(SHOP, "429", times=2, retry_after=0.2)
    sim.inject(SHOP, "503", times=12)  # longer than one task's client retries: the task itself retries
    orders = [sim.add_order(SHOP, line_items=[{"variant": product.variants[0]}], shipping_address=US_NY)
              for _ in range(5)]
    for o in orders:
        pipeline.send("orders/create", order_payload(sim, SHOP, o), shop=SHOP)
    pipeline.settle(180)  # a safety net: settle ends when the queue is empty
    assert sim.faults.pending(SHOP) == 0
    for o in orders:
        assert pipeline.our_tags(SHOP, o.id) == {"final-sale"}
        assert len(pipeline.writes(SHOP, o.id)) == 1


def test_work_that_keeps_failing_is_parked_and_retried_from_the_cli(pipeline):
    sim = pipeline.sim
    pipeline.configure(pipeline_max_attempts=2)
    pipeline.install(SHOP, "ally")
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, {"title": "Sample", "product_type": "Sample"})],
                          shipping_address=US_NY)
    sim.inject(SHOP, "500", times=1000)
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.settle(120)
    parked = pipeline.jobs(status="parked")
    # parked = the one job for this order, after every attempt it was allowed, with Shopify's answer as the cause
    assert [(j.kind, j.key, j.attempts) for j in parked] == [("apply_order", f"{SHOP}:{order.id}", 2)]
    assert "HTTP 500" in parked[0].last_error, parked[0].last_error
    runner = pipeline.app.test_cli_runner()
    listed = runner.invoke(args=["jobs", "list", "--status", "parked"])
    assert f"{SHOP}:{order.id}" in listed.output
    sim.faults.clear()
    assert runner.invoke(args=["jobs", "retry", "--all"]).exit_code == 0
    pipeline.settle()
    assert pipeline.our_tags(SHOP, order.id) == {"final-sale"}
    assert len(pipeline.writes(SHOP, order.id)) == 1
    assert pipeline.jobs(status="parked") == []


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even `except Exception`."""


@pytest.mark.parametrize("moment", ["before_write", "after_write"])
def test_a_worker_killed_mid_task_reruns_and_the_result_is_written_once(pipeline, moment):
    from backend.services.orders import apply_decision
    from backend.services.orders.pipeline import run_apply, sweep
    from backend.store.models import PipelineJob
    from sqlalchemy import update

    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, {"title": "Sample", "product_type": "Sample"})],
                          shipping_address=US_NY)
    pipeline.configure(order_lock_ttl=0.5)
    from backend.services.orders import state as orders
    from backend.shopify import payloads
    orders.ingest_order(pipeline.db, SHOP, payloads.order_from_rest(order_payload(sim, SHOP, order)))
    from backend.store import jobs as jobs_table
    jobs_table.upsert_pending(pipeline.db, "apply_order", f"{SHOP}:{order.id}", SHOP, "orders/create")

    def die(*_):
        raise WorkerKilled()

    apply_decision.hooks[moment] = die
    try:
        with pytest.raises(WorkerKilled):
            with pipeline.app.app_context():
                run_apply(pipeline.app, SHOP, str(order.id), "orders/create")
    finally:
        apply_decision.hooks.clear()
    assert pipeline.jobs(status="running"), "the dead worker's job is still marked running"
    import time
    time.sleep(0.6)  # the lock's TTL runs out as it would after a crash
    with pipeline.db.session() as s:  # and so does the job's lease
        s.execute(update(PipelineJob).values(lease_until=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert sweep(pipeline.app)["requeued"] == 1
    pipeline.settle()
    assert pipeline.our_tags(SHOP, order.id) == {"final-sale"}
    assert len(pipeline.writes(SHOP, order.id)) == 1
    results = [e.write_result for e in pipeline.log(SHOP, order.id)]
    assert results == (["verified"] if moment == "after_write" else ["written"])


def test_without_an_active_policy_orders_are_recorded_but_not_tagged(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, None)
    order = sim.add_order(SHOP, line_items=[_line(sim, SHOP, {"title": "Sample", "product_type": "Sample"})],
                          shipping_address=US_NY)
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.settle()
    assert pipeline.writes(SHOP) == []
    assert pipeline.state(SHOP, order.id) is not None
    assert [e.write_result for e in pipeline.log(SHOP, order.id)] == ["no_policy"]
