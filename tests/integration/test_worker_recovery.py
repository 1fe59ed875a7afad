"""Recovery after a killed worker within a minute: a job's lease is sized to the job (seconds, not minutes)
and renewed while it runs, so a slow job keeps it and a dead worker's job is swept back into the queue as
soon as its short lease lapses. The leases here are shortened (config) so the story runs in seconds; the
waits poll for what must happen and never assert on time."""
from __future__ import annotations

import threading
import time
from datetime import timedelta

import pytest
from sqlmodel import select

from backend.services.orders import apply_decision
from backend.services.orders import locks
from backend.store.models import PipelineJob, utcnow
from backend.store import jobs as jobs_table
from backend.services.orders.pipeline import run_apply, sweep
from tests.integration.pipeline_helpers import order_payload

SHOP = "recovery-dev.myshopify.com"
US_NY = {"country_code": "US", "province_code": "NY", "address1": "1 Main St", "city": "New York", "zip": "10001"}
LEASE = 1.5


class WorkerKilled(BaseException):
    """Stands for SIGKILL: nothing after it runs, not even `except Exception`."""


def _job(pipeline, order_id) -> PipelineJob:
    with pipeline.db.session() as s:
        return s.exec(select(PipelineJob).where(PipelineJob.key == f"{SHOP}:{order_id}")).one()


def _until(condition, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"never happened: {what}")


@pytest.fixture
def shop(pipeline):
    pipeline.configure(apply_lease=LEASE, order_lock_ttl=LEASE)
    pipeline.install(SHOP, "ally")
    product = pipeline.sim.add_product(SHOP, "Sample", product_type="Sample", price="90.00")
    return pipeline.sim.add_order(SHOP, line_items=[{"variant": product.variants[0]}], shipping_address=US_NY)


def _ingest(pipeline, order):
    from backend.services.orders import state as orders
    from backend.shopify import payloads

    orders.ingest_order(pipeline.db, SHOP, payloads.order_from_rest(order_payload(pipeline.sim, SHOP, order)))
    jobs_table.upsert_pending(pipeline.db, "apply_order", f"{SHOP}:{order.id}", SHOP, "orders/create")


def test_the_default_leases_let_a_dead_workers_job_run_again_within_a_minute():
    from backend.services.webhooks import ingest as webhooks
    from backend.tasks.orders import SWEEP_EVERY

    assert jobs_table.APPLY_LEASE.total_seconds() + SWEEP_EVERY < 60
    assert webhooks.LEASE.total_seconds() + SWEEP_EVERY < 60
    assert locks.DEFAULT_TTL + SWEEP_EVERY < 60


def test_a_job_that_outlasts_its_lease_keeps_it_while_it_runs(pipeline, shop):
    _ingest(pipeline, shop)
    first_lease = []
    renewed = threading.Event()

    def slow(*_):  # the job is still running: wait until its lease has been renewed past the first one
        first_lease.append(_job(pipeline, shop.id).lease_until)
        _until(lambda: _job(pipeline, shop.id).lease_until > first_lease[0], "the running job's lease renewed")
        assert sweep(pipeline.app)["requeued"] == 0  # alive and renewing: not taken for dead
        renewed.set()

    apply_decision.hooks["before_write"] = slow
    try:
        with pipeline.app.app_context():
            assert run_apply(pipeline.app, SHOP, str(shop.id), "orders/create") == "written"
    finally:
        apply_decision.hooks.clear()
    assert renewed.is_set()
    assert len(pipeline.writes(SHOP, shop.id)) == 1


def test_a_killed_workers_job_is_requeued_once_its_short_lease_lapses_and_written_once(pipeline, shop):
    _ingest(pipeline, shop)

    def die(*_):
        raise WorkerKilled()

    apply_decision.hooks["after_write"] = die
    try:
        with pytest.raises(WorkerKilled), pipeline.app.app_context():
            run_apply(pipeline.app, SHOP, str(shop.id), "orders/create")
    finally:
        apply_decision.hooks.clear()
    job = _job(pipeline, shop.id)
    assert job.status == "running"
    assert job.lease_until - utcnow().replace(tzinfo=job.lease_until.tzinfo) <= timedelta(seconds=LEASE)
    _until(lambda: sweep(pipeline.app)["requeued"], "the dead worker's job requeued")
    pipeline.settle()
    assert pipeline.our_tags(SHOP, shop.id) == {"final-sale"}
    assert len(pipeline.writes(SHOP, shop.id)) == 1
    assert [e.write_result for e in pipeline.log(SHOP, shop.id)] == ["verified"]
