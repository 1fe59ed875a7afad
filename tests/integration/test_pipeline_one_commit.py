"""The pipeline records an applied decision in one commit: order state, decision log, the job's end and the
order's Flow triggers. Arming the triggers runs in a savepoint of that commit, so a failing Flow statement
(which on PostgreSQL aborts the transaction it runs in) rolls back only the arming: the decision is still
recorded once and the job ends done, never parked or retried into a second write.

Runs on SQLite with one consumer and on PostgreSQL + Redis with two (the `pipeline` fixture).
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from sqlalchemy import text

from backend.services.flow import schedule as flow_schedule
from tests.integration.pipeline_helpers import delivered_event_payload, fulfillment_payload, order_payload

SHOP = "one-commit-dev.myshopify.com"
US_NY = {"country_code": "US", "province_code": "NY", "address1": "1 Main St", "city": "New York", "zip": "10001"}


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _delivered_order(pipeline):
    sim = pipeline.sim
    delivered = datetime.now(timezone.utc) - timedelta(days=3)
    line = {"variant": sim.add_product(SHOP, "Loafer", price="250.00").variants[0]}
    order = sim.add_order(SHOP, line_items=[line], shipping_address=US_NY, created_at=iso(delivered - timedelta(days=4)))
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    ful = sim.fulfill(SHOP, order.id, created_at=iso(delivered - timedelta(days=2)))
    pipeline.send("fulfillments/create", fulfillment_payload(sim, SHOP, order, ful), shop=SHOP)
    sim.mark_delivered(SHOP, order.id, ful.id, iso(delivered))
    pipeline.send("fulfillment_events/create", delivered_event_payload(order, ful, iso(delivered)), shop=SHOP)
    pipeline.settle()
    return order


def test_a_failing_flow_statement_rolls_back_only_the_arming(pipeline, monkeypatch):
    failed = []

    def broken_arm(session, shop, order_id, armed, now):
        failed.append(order_id)
        session.execute(text("SELECT no_such_column FROM flow_triggers"))  # fails in the database itself

    monkeypatch.setattr(flow_schedule, "arm_in", broken_arm)
    pipeline.install(SHOP, "ally")
    order = _delivered_order(pipeline)

    assert failed, "the arming ran"
    written = [e for e in pipeline.log(SHOP, order.id) if e.write_result in ("written", "verified")]
    assert len(written) == len(pipeline.writes(SHOP, order.id)) >= 1  # every write recorded, none twice
    assert pipeline.metafield(SHOP, order.id, "deadline") is not None
    state = pipeline.state(SHOP, order.id)
    assert state.pending_hash is None and state.decision_hash is not None
    assert [j.status for j in pipeline.jobs(shop_domain=SHOP)] == ["done"]
    with pipeline.db.session() as s:
        assert s.execute(text("SELECT count(*) FROM flow_triggers")).scalar() == 0  # the arming rolled back


def test_the_job_ends_done_with_the_recorded_decision(pipeline):
    pipeline.install(SHOP, "ally")
    order = _delivered_order(pipeline)

    [job] = pipeline.jobs(shop_domain=SHOP)
    assert job.status == "done" and job.attempts == 0 and job.lease_until is None
    written = [e for e in pipeline.log(SHOP, order.id) if e.write_result == "written"]
    assert len(written) == len(pipeline.writes(SHOP, order.id)) >= 1
    with pipeline.db.session() as s:  # the reminder armed in the same commit as the decision
        assert s.execute(text("SELECT count(*) FROM flow_triggers WHERE order_id = :o"),
                         {"o": str(order.id)}).scalar() >= 1
