"""Shopify Flow stories, end to end: signed webhooks → pipeline → armed triggers → the sweep fires
`flowTriggerReceive` at the simulator (which checks each call against the 2026-10 schema and the app's trigger
extensions, and records it); and Flow's action request verified and answered.

Every story runs on SQLite (one consumer) and on PostgreSQL + Redis (two consumers). The sweep is called with
an explicit `now`, so "three days before the deadline" is a date in the story, not a wait.
"""
from __future__ import annotations

import base64
import copy
import hashlib
import hmac
import json
from datetime import date, datetime, time, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

from backend.policy import decide
from backend.services.decisions import context as decision_context
from backend.services.decisions import shopper as decisions
from backend.services.flow import schedule as flow_schedule
from backend.services.flow import triggers as flow_triggers
from backend.services.orders import state as orders
from tests.integration.pipeline_helpers import (delivered_event_payload, fulfillment_payload, order_payload,
                                                start_pipeline, stop_pipeline)

SHOP = "flow-dev.myshopify.com"
NY = ZoneInfo("America/New_York")
US_NY = {"country_code": "US", "province_code": "NY", "address1": "1 Main St", "city": "New York", "zip": "10001"}
ACTION_REQUEST = Path(__file__).resolve().parents[1] / "data" / "shopify" / "flow" / "action_request.json"
REGULAR = ("Exchanges and returns are available for new full price items (including in-stock & made-to-order) in "
           "their original, unworn condition within 14 days of delivery.")


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def local_noon(days_from_today: int) -> datetime:
    """Noon in New York, a whole number of local days from today (no story depends on the hour it runs)."""
    today = datetime.now(NY).date()
    return datetime.combine(today + timedelta(days=days_from_today), time(12), tzinfo=NY)


def runs(pipeline, handle=None) -> list:
    return [r for r in pipeline.sim.shop(SHOP).flow_runs if handle is None or r.handle == handle]


def sweep(pipeline, now: datetime | None = None) -> dict:
    with pipeline.app.app_context():
        return flow_triggers.sweep(pipeline.app, now)


def _order(pipeline, titles, tags=(), delivered: datetime | None = None):
    sim = pipeline.sim
    lines = [{"variant": sim.add_product(SHOP, t, price="250.00").variants[0]} for t in titles]
    order = sim.add_order(SHOP, line_items=lines, shipping_address=US_NY, tags=list(tags),
                          created_at=iso(delivered - timedelta(days=4)))
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    ful = sim.fulfill(SHOP, order.id, created_at=iso(delivered - timedelta(days=2)))
    pipeline.send("fulfillments/create", fulfillment_payload(sim, SHOP, order, ful), shop=SHOP)
    deliver(pipeline, order, ful, delivered)
    return order, ful


def deliver(pipeline, order, ful, when: datetime) -> None:
    pipeline.sim.mark_delivered(SHOP, order.id, ful.id, iso(when))
    pipeline.send("fulfillment_events/create", delivered_event_payload(order, ful, iso(when)), shop=SHOP)
    pipeline.settle()


# -- a reminder is fired once ---------------------------------------------------------------------------------

def test_the_return_window_reminder_is_fired_once(pipeline):
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Loafer"], delivered=local_noon(-12))  # 14 days: two days left
    deadline = (local_noon(-12).date() + timedelta(days=14)).isoformat()

    assert sweep(pipeline)["sent"] == 1
    assert sweep(pipeline)["sent"] == 0  # the next minute's sweep, another worker: nothing more
    pipeline.sim.update_order(SHOP, order.id, note="gift wrap")  # a new decision, the same deadline
    pipeline.send("orders/updated", order_payload(pipeline.sim, SHOP, pipeline.sim.order(SHOP, order.id)), shop=SHOP)
    pipeline.settle()
    assert sweep(pipeline)["sent"] == 0

    [run] = runs(pipeline)
    assert run.handle == "return-window-closing"
    assert run.payload["order_id"] == order.id and run.payload["Deadline"] == deadline
    assert run.payload["Days left"] == 2
    assert run.payload["Open resolutions"] == "exchange, refund, store_credit"
    assert run.payload["Policy sentence"] == REGULAR
    assert run.payload["Return window"]["lines"][0]["title"] == "Loafer"
    calls = [c for c in pipeline.sim.calls("graphql", shop=SHOP) if c.operation == "FineprintFlowScheduled"]
    assert len(calls) == 1 and calls[0].status == 200 and not calls[0].error
    [row] = flow_schedule.rows_for(pipeline.db, SHOP, order.id)
    assert (row.status, row.deadline, row.attempts) == ("sent", deadline, 1)


def test_a_reminder_sent_before_a_restart_is_not_sent_again_after_it(pipeline, db_url, tmp_path, request):
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Loafer"], delivered=local_noon(-12))
    assert sweep(pipeline)["sent"] == 1

    stop_pipeline(pipeline)  # the web app and its workers stop; a new release starts on the same database
    redis = request.getfixturevalue("redis_url") if db_url.startswith("postgresql") else None
    restarted = start_pipeline(db_url, tmp_path, pipeline.sim, redis=redis, consumers=2 if redis else 1)
    try:
        restarted.sim.update_order(SHOP, order.id, note="call before delivery")  # news: decided again
        restarted.send("orders/updated", order_payload(restarted.sim, SHOP, restarted.sim.order(SHOP, order.id)),
                       shop=SHOP)
        restarted.settle()
        assert sweep(restarted)["sent"] == 0
        assert sweep(restarted, datetime.now(timezone.utc) + timedelta(hours=1))["sent"] == 0
    finally:
        stop_pipeline(restarted)
    assert len(runs(pipeline)) == 1


# -- a changed delivery date re-arms the reminder ----------------------------------------------------------------

def test_a_delivery_update_re_arms_the_reminder_for_the_new_deadline(pipeline):
    pipeline.install(SHOP, "ally")
    order, ful = _order(pipeline, ["Boot"], delivered=local_noon(-2))
    first = (local_noon(-2).date() + timedelta(days=14)).isoformat()
    assert [(r.deadline, r.status) for r in flow_schedule.rows_for(pipeline.db, SHOP, order.id)] == [(first, "armed")]
    assert sweep(pipeline)["sent"] == 0  # nine days before the reminder

    deliver(pipeline, order, ful, local_noon(-1))  # the carrier's later delivery scan moves the deadline
    second = (local_noon(-1).date() + timedelta(days=14)).isoformat()
    rows = flow_schedule.rows_for(pipeline.db, SHOP, order.id)
    assert [(r.deadline, r.status) for r in rows] == [(first, "cancelled"), (second, "armed")]

    reminder_day = datetime.combine(date.fromisoformat(second) - timedelta(days=3), time(9), tzinfo=NY)
    assert sweep(pipeline, reminder_day)["sent"] == 1
    assert sweep(pipeline, reminder_day + timedelta(days=1))["sent"] == 0
    [run] = runs(pipeline)
    assert run.payload["Deadline"] == second and run.payload["Days left"] == 3


def test_the_shops_reminder_days_setting_moves_the_reminder(pipeline):
    pipeline.install(SHOP, "ally")
    flow_schedule.set_reminder_days(pipeline.db, SHOP, 1)
    order, _ = _order(pipeline, ["Flat"], delivered=local_noon(-12))  # two days left: not yet one
    assert sweep(pipeline)["sent"] == 0
    [row] = flow_schedule.rows_for(pipeline.db, SHOP, order.id)
    assert row.fire_at.astimezone(NY).date() == local_noon(1).date()


def test_the_merchant_sets_reminder_days_in_settings_and_the_armed_reminder_moves(pipeline):
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Oxford"], delivered=local_noon(-2))  # 14 days: the reminder in 9 days
    deadline = local_noon(-2).date() + timedelta(days=14)
    staff = {"Authorization": "Bearer " + pipeline.sim.session_token(SHOP, sub="42")}
    form = {"tag_names": {}, "protection_variant_id": "", "block_po_boxes": True}

    saved = pipeline.client.post("/app/api/settings", json={**form, "reminder_days": 5}, headers=staff)
    assert saved.status_code == 200 and saved.get_json()["reminder_days"] == 5
    [row] = flow_schedule.rows_for(pipeline.db, SHOP, order.id)
    assert row.fire_at.astimezone(NY).date() == deadline - timedelta(days=5)  # moved, not waiting for news
    section = pipeline.client.get("/app/api/sections/settings", headers=staff).get_data(as_text=True)
    assert 'name="reminder_days" min="0" max="60" step="1" required value="5"' in section

    for wrong in (61, -1, "soon", 2.5, True):
        refused = pipeline.client.post("/app/api/settings", json={**form, "reminder_days": wrong}, headers=staff)
        assert refused.status_code == 422, wrong
        assert [d["field"] for d in refused.get_json()["error"]["details"]] == ["reminder_days"]
    cli = pipeline.app.test_cli_runner().invoke(args=["flow", "set-reminder-days", SHOP, "1"])  # the same setting
    assert cli.exit_code == 0 and "1 armed reminder(s) moved" in cli.output
    assert 'required value="1"' in pipeline.client.get("/app/api/sections/settings", headers=staff).get_data(as_text=True)
    [row] = flow_schedule.rows_for(pipeline.db, SHOP, order.id)
    assert row.fire_at.astimezone(NY).date() == deadline - timedelta(days=1)


# -- ALLY's At-Home Trial, end to end -------------------------------------------------------------------------

def test_the_trial_box_reminds_then_lists_the_kept_pairs(pipeline):
    pipeline.install(SHOP, "ally")
    delivered = local_noon(-5)
    order, _ = _order(pipeline, ["Heel A", "Heel B"], tags=["trial-box"], delivered=delivered)
    last_day = delivered.date() + timedelta(days=7)  # "7 days from receipt": two days left

    assert sweep(pipeline)["sent"] == 1
    [ending] = runs(pipeline)
    assert ending.handle == "trial-period-ending" and ending.payload["Deadline"] == last_day.isoformat()
    assert ending.payload["Open resolutions"] == "exchange, refund"  # store credit is not offered for trials
    assert ending.payload["Policy sentence"].startswith("After you receive the box, you'll have 7 days")
    assert not runs(pipeline, "return-window-closing")

    heel_b = pipeline.sim.order(SHOP, order.id).line_items[1]
    heel_b.current_quantity = 0  # dropped off, returned and refunded within the trial

    after = datetime.combine(last_day + timedelta(days=1), time(9), tzinfo=NY)
    with pipeline.app.app_context():  # "Returns ... will not be accepted after the 7 day period has concluded"
        late = decisions.decide_for_order(SHOP, str(order.id), after)
    assert not any(r["allowed"] for ln in late["lines"] for r in ln["resolutions"].values())

    assert sweep(pipeline, after)["sent"] == 1
    assert sweep(pipeline, after + timedelta(days=1))["sent"] == 0
    [ended] = runs(pipeline, "trial-period-ended")
    assert ended.payload["Kept count"] == 1 and ended.payload["Returned count"] == 1
    assert ended.payload["Kept items"] == "Heel A"
    assert [k["title"] for k in ended.payload["Trial result"]["kept"]] == ["Heel A"]
    assert [r["title"] for r in ended.payload["Trial result"]["returned"]] == ["Heel B"]
    assert "trial-kept" in pipeline.tags(SHOP, order.id)
    kept = json.loads(pipeline.metafield(SHOP, order.id, "trial_kept"))
    assert kept["deadline"] == last_day.isoformat() and [k["title"] for k in kept["kept"]] == ["Heel A"]


def test_the_trial_box_includes_one_free_exchange_and_flow_hears_each_verdict(pipeline):
    """"Your trial box includes one free exchange": within the 7 days the first exchange is allowed, a second one
    refused with that sentence, a refund after an exchange still allowed; each decided request fires "Return
    request decided" with its verdict and reasons (what the native-returns feature does with a request)."""
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Heel A"], tags=["trial-box"], delivered=local_noon(-3))
    with pipeline.app.app_context(), pipeline.db.session() as s:
        stored = orders.decision_request(orders.load(s, SHOP, str(order.id)))
        policy = decision_context.shop_policy(s, SHOP)[0]
    now = datetime.now(timezone.utc)

    def ask(resolution: str, exchanges_before: int) -> dict:
        request = copy.deepcopy(stored)
        line = request["order"]["line_items"][0]
        request["return_request"] = {"resolution": resolution, "exchanges_before": exchanges_before, "lines": [
            {"line_item_id": line["id"], "quantity": 1, "condition": "new", "reason": "size"}]}
        decision = decide(policy, request, now)
        flow_triggers.return_decided(pipeline.app, SHOP, decision)
        return decision

    assert ask("exchange", 0)["return"]["allowed"] is True  # the free exchange
    second = ask("exchange", 1)
    assert second["return"]["allowed"] is False
    assert [r["rule"] for r in second["return"]["lines"][0]["reasons"]] == ["trial-one-exchange"]
    assert ask("refund", 1)["return"]["allowed"] is True  # the exchange used, the pair may still go back

    verdicts = runs(pipeline, "return-request-decided")
    assert [(r.payload["Resolution"], r.payload["Verdict"]) for r in verdicts] == [
        ("exchange", "allowed"), ("exchange", "refused"), ("refund", "allowed")]
    assert "Your trial box includes one free exchange." in verdicts[1].payload["Reasons"]
    assert verdicts[1].payload["order_id"] == order.id


# -- the Flow action ------------------------------------------------------------------------------------------

def _action(pipeline, order_id, secret=None, **changes):
    body = json.loads(ACTION_REQUEST.read_text().replace("{shop}", SHOP.split(".")[0]))
    body.update(handle="check-order-policy", properties={"order_id": str(order_id),
                                                         "step_reference": body["properties"]["step_reference"]})
    body.update(changes)
    raw = json.dumps(body).encode()
    secret = secret or pipeline.app.config["FINEPRINT"].api_secret
    digest = base64.b64encode(hmac.new(secret.encode(), raw, hashlib.sha256).digest()).decode()
    return pipeline.client.post("/flow/actions/check-order", data=raw,
                                headers={"Content-Type": "application/json", "X-Shopify-Hmac-Sha256": digest})


def test_the_flow_action_is_verified_and_answers_the_order_decided_again(pipeline):
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Loafer"], delivered=local_noon(-3))
    response = _action(pipeline, order.id)
    assert response.status_code == 200, response.get_data(as_text=True)
    value = response.get_json()["return_value"]
    assert value["policy"] == "ally" and value["returnable"] is True
    assert value["returnDeadline"] == (local_noon(-3).date() + timedelta(days=14)).isoformat()
    assert value["lines"][0]["policySentence"] == REGULAR

    assert _action(pipeline, order.id, secret="not-the-secret").status_code == 401
    unknown = _action(pipeline, 999999)
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"]
    wrong = _action(pipeline, order.id, shopify_domain="evil.example.com")
    assert wrong.status_code == 422 and wrong.get_json()["error"]["details"][0]["field"] == "shopify_domain"
    assert pipeline.client.get("/flow/actions/check-order").status_code == 405


def test_the_return_decided_hook_fires_its_trigger(pipeline):
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Loafer"], delivered=local_noon(-3))
    with pipeline.app.app_context(), pipeline.db.session() as s:
        request = copy.deepcopy(orders.decision_request(orders.load(s, SHOP, str(order.id))))
        policy = decision_context.shop_policy(s, SHOP)[0]
    line = request["order"]["line_items"][0]
    request["return_request"] = {"resolution": "refund", "lines": [
        {"line_item_id": line["id"], "quantity": 1, "condition": "new", "reason": "changed_mind"}]}
    decision = decide(policy, request, datetime.now(timezone.utc))  # what the native-returns feature will do
    flow_triggers.return_decided(pipeline.app, SHOP, decision)
    [run] = runs(pipeline, "return-request-decided")
    assert run.payload["Verdict"] == "allowed" and run.payload["Refund total"] == 237.01  # 250.00 less 12.99
    assert run.payload["Open resolutions"] == "exchange, refund, store_credit"


# -- the delivery fallback ----------------------------------------------------------------------------------

def test_a_shipment_never_delivered_arms_its_reminder_from_the_fallback_deadline(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    shipped = local_noon(-40)  # ally: delivery taken as 30 days after shipment, then 14 days
    order = sim.add_order(SHOP, line_items=[{"variant": sim.add_product(SHOP, "Mule", price="250.00").variants[0]}],
                          shipping_address=US_NY, created_at=iso(shipped - timedelta(days=2)))
    ful = sim.fulfill(SHOP, order.id, created_at=iso(shipped))
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.send("fulfillments/create", fulfillment_payload(sim, SHOP, order, ful), shop=SHOP)
    pipeline.settle()
    deadline = (shipped.date() + timedelta(days=30 + 14)).isoformat()
    [row] = flow_schedule.rows_for(pipeline.db, SHOP, order.id)
    assert (row.trigger, row.deadline, row.status) == ("return-window-closing", deadline, "armed")
    reminder_day = datetime.combine(date.fromisoformat(deadline) - timedelta(days=3), time(9), tzinfo=NY)
    assert sweep(pipeline, reminder_day)["sent"] == 1
    [run] = runs(pipeline)
    assert run.payload["Deadline"] == deadline


def test_two_workers_sweeping_at_once_send_a_due_reminder_once(pipeline):
    import threading

    pipeline.install(SHOP, "ally")
    _order(pipeline, ["Sandal"], delivered=local_noon(-12))
    results, start = [], threading.Barrier(2)

    def worker():
        start.wait()
        results.append(sweep(pipeline)["sent"])

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [0, 1] and len(runs(pipeline)) == 1


# -- at most once, none lost: a worker that dies mid-send ------------------------------------------------------

def _claimed_by_a_worker_that_dies(pipeline, now: datetime, after_sending: bool):
    """A worker claims the due reminder and dies (its process gone: only the database and Shopify remember),
    either before its request left or right after Shopify ran it, before it could record the outcome."""
    with pipeline.app.app_context():
        [row] = flow_schedule.claim_due(pipeline.db, now)
        if after_sending:
            assert flow_triggers.fire(pipeline.app, row, now) == "sent"
    return row


def receipts_read(pipeline) -> int:
    return len([c for c in pipeline.sim.calls("graphql", shop=SHOP) if c.operation == "FineprintFlowReceipt"])


def test_a_worker_killed_after_shopify_ran_the_trigger_is_not_followed_by_a_second_send(pipeline):
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Loafer"], delivered=local_noon(-12))
    now = datetime.now(timezone.utc)
    _claimed_by_a_worker_that_dies(pipeline, now, after_sending=True)
    assert len(runs(pipeline)) == 1

    assert sweep(pipeline, now + timedelta(minutes=1))["sent"] == 0  # its lease still holds
    after_lease = now + flow_schedule.LEASE + timedelta(minutes=1)
    assert sweep(pipeline, after_lease)["sent"] == 1  # the receipt on the order says it ran: recorded, not resent
    assert len(runs(pipeline)) == 1 and receipts_read(pipeline) == 1
    [row] = flow_schedule.rows_for(pipeline.db, SHOP, order.id)
    assert (row.status, row.attempts) == ("sent", 2)
    assert sweep(pipeline, after_lease + timedelta(days=1))["sent"] == 0


def test_a_worker_killed_before_its_request_left_loses_nothing(pipeline):
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Loafer"], delivered=local_noon(-12))
    now = datetime.now(timezone.utc)
    _claimed_by_a_worker_that_dies(pipeline, now, after_sending=False)

    after_lease = now + flow_schedule.LEASE + timedelta(minutes=1)
    assert sweep(pipeline, after_lease)["sent"] == 1  # no receipt: it never ran, so it is sent now
    [run] = runs(pipeline)
    assert run.handle == "return-window-closing" and receipts_read(pipeline) == 1
    assert [(r.status, r.attempts) for r in flow_schedule.rows_for(pipeline.db, SHOP, order.id)] == [("sent", 2)]


def test_a_worker_whose_lease_ran_out_neither_sends_nor_records(pipeline):
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Loafer"], delivered=local_noon(-12))
    now = datetime.now(timezone.utc)
    stale = _claimed_by_a_worker_that_dies(pipeline, now, after_sending=False)  # say, paused, not dead
    after_lease = now + flow_schedule.LEASE + timedelta(minutes=1)
    assert sweep(pipeline, after_lease)["sent"] == 1  # another worker took the row over and sent it

    with pipeline.app.app_context():  # the paused worker wakes up and carries on with its old claim
        try:
            flow_triggers.fire(pipeline.app, stale, after_lease)
        except flow_triggers.LeaseLost:
            pass
        else:
            raise AssertionError("a stale claim must not send")
        flow_schedule.finish(pipeline.db, stale, "failed", error="too late")  # nor record anything
    assert len(runs(pipeline)) == 1
    assert [r.status for r in flow_schedule.rows_for(pipeline.db, SHOP, order.id)] == ["sent"]


def test_an_unanswered_send_is_not_resent_blindly_and_its_retry_sends_it_once(pipeline):
    pipeline.install(SHOP, "ally")
    order, _ = _order(pipeline, ["Loafer"], delivered=local_noon(-12))
    now = datetime.now(timezone.utc)
    pipeline.sim.inject(SHOP, "503")  # the send's answer: Shopify may or may not have run it
    assert sweep(pipeline, now)["retrying"] == 1
    [row] = flow_schedule.rows_for(pipeline.db, SHOP, order.id)
    assert row.status == "armed" and "WriteOutcomeUnknown" in row.last_error
    assert not runs(pipeline)  # one request, not a resend loop

    assert sweep(pipeline, now + timedelta(minutes=2))["sent"] == 1  # reads the receipt (none), then sends
    assert len(runs(pipeline)) == 1 and receipts_read(pipeline) == 1
