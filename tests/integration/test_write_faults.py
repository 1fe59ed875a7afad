"""Nothing lost, nothing doubled: every fault class Shopify's Admin API or a worker can throw at the one write
of a decision, on an order that gets tags and on one that gets none (no tag, no deadline: only the decision
metafield says it was written). Each order must end with exactly what its decision means, written once.

Faults come from the simulator (`devshop`, answers as Shopify documents them: 429 with Retry-After,
THROTTLED, 5xx, a 401 with Shopify's invalid-token body, an answer slower than the client's timeout).
"""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import update

from tests.integration.pipeline_helpers import order_payload, product_payload

SHOP = "faults-dev.myshopify.com"
US_NY = {"country_code": "US", "province_code": "NY", "address1": "1 Main St", "city": "New York", "zip": "10001"}
ORDERS = {"tagged": ("Sample", "Sample", {"final-sale"}), "untagged": ("Loafer", "Shoes", set())}

# fault kind for the simulator, how many in a row, and the options that make it that class
FAULTS = {
    "429": ("429", 13, {"retry_after": 0.01}),         # more than both orders' client attempts: tasks retry
    "THROTTLED": ("throttled", 13, {}),
    "5xx": ("503", 3, {}),
    "timeout": ("slow", 1, {"delay": 0.8}),             # applied by Shopify, answered after the client gave up
    "401": ("revoked", 2, {}),                         # more than the client's one refresh can absorb
}


def _shop_with_catalog(pipeline):
    pipeline.install(SHOP, "ally")
    variants = {}
    for kind, (title, product_type, _) in ORDERS.items():
        product = pipeline.sim.add_product(SHOP, title, product_type=product_type, price="250.00")
        pipeline.send("products/create", product_payload(pipeline.sim, SHOP, product, "products/create"), shop=SHOP)
        variants[kind] = product.variants[0]
    pipeline.settle()
    return variants


def _writes(pipeline, order_id) -> list:
    """Write requests Shopify applied (a slow answer was applied too, only answered late; a THROTTLED one,
    injected or from the simulator's own cost bucket, was not)."""
    gid = f"gid://shopify/Order/{order_id}"
    return [c for c in pipeline.sim.calls("graphql", shop=SHOP) if c.operation == "FineprintApplyDecision"
            and c.status == 200 and c.error is None and c.fault in (None, "slow") and gid in json.dumps(c.variables)]


def _assert_written_once(pipeline, order, expected_tags):
    assert pipeline.our_tags(SHOP, order.id) == expected_tags
    decision = json.loads(pipeline.metafield(SHOP, order.id, "decision") or "null")
    assert decision is not None, "the decision metafield was never written"
    assert decision["order_id"] == f"gid://shopify/Order/{order.id}"
    assert set(decision["tags"]) == expected_tags
    assert pipeline.metafield(SHOP, order.id, "deadline") == decision["return_deadline"]
    assert len(_writes(pipeline, order.id)) == 1, f"order {order.id} written {len(_writes(pipeline, order.id))}×"
    assert not pipeline.jobs(status="parked")


@pytest.mark.parametrize("fault", list(FAULTS))
def test_each_fault_class_ends_with_every_order_written_exactly_once(pipeline, fault):
    variants = _shop_with_catalog(pipeline)
    pipeline.configure(admin_timeout=0.5)
    kind, times, options = FAULTS[fault]
    pipeline.sim.inject(SHOP, kind, times=times, **options)
    orders = {name: pipeline.sim.add_order(SHOP, line_items=[{"variant": variants[name]}], shipping_address=US_NY)
              for name in ORDERS}
    for order in orders.values():
        pipeline.send("orders/create", order_payload(pipeline.sim, SHOP, order), shop=SHOP)
    pipeline.settle(90)
    assert pipeline.sim.faults.pending(SHOP) == 0, "the fault was never met"
    for name, order in orders.items():
        _assert_written_once(pipeline, order, ORDERS[name][2])


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even `except Exception`."""


@pytest.mark.parametrize("name", list(ORDERS))
def test_a_kill_between_announcing_and_sending_the_write_still_writes_once(pipeline, name):
    from backend.services.orders import apply_decision
    from backend.services.orders import state as orders
    from backend.shopify import payloads
    from backend.store.models import PipelineJob
    from backend.store import jobs as jobs_table
    from backend.services.orders.pipeline import run_apply, sweep

    variants = _shop_with_catalog(pipeline)
    order = pipeline.sim.add_order(SHOP, line_items=[{"variant": variants[name]}], shipping_address=US_NY)
    pipeline.configure(order_lock_ttl=0.3)
    orders.ingest_order(pipeline.db, SHOP, payloads.order_from_rest(order_payload(pipeline.sim, SHOP, order)))
    jobs_table.upsert_pending(pipeline.db, "apply_order", f"{SHOP}:{order.id}", SHOP, "orders/create")

    def die(*_):
        raise WorkerKilled()

    apply_decision.hooks["before_write"] = die  # announced (pending_hash stored), never sent
    try:
        with pytest.raises(WorkerKilled), pipeline.app.app_context():
            run_apply(pipeline.app, SHOP, str(order.id), "orders/create")
    finally:
        apply_decision.hooks.clear()
    assert pipeline.state(SHOP, order.id).pending_hash, "the write was announced before the kill"
    time.sleep(0.4)  # the dead worker's order lock runs out
    with pipeline.db.session() as s:  # and so does its job lease
        s.execute(update(PipelineJob).values(lease_until=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert sweep(pipeline.app)["requeued"] == 1
    pipeline.settle()
    _assert_written_once(pipeline, order, ORDERS[name][2])
    assert [e.write_result for e in pipeline.log(SHOP, order.id)] == ["written"]
