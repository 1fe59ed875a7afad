"""Webhook events a worker never finished are found again: the pipeline's sweep requeues events left
`processing` by a dead worker (or whose queue message was lost), and `jobs retry` requeues failed ones."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from backend import jobs
from backend.services.webhooks import ingest as webhooks
from backend.store.models import WebhookEvent, utcnow
from backend.services.webhooks.recovery import MAX_CLAIMS
from tests.integration.edge_helpers import events, example, install_shop, post_webhook


@pytest.fixture
def handled(app, monkeypatch):
    """orders/create runs its real handler, counted; `handled.failing` makes it raise instead."""
    real = webhooks.TOPIC_HANDLERS["orders/create"]

    class Handled(list):
        failing = False

        def __call__(self, session, event):
            if self.failing:
                raise RuntimeError("Shopify is down")
            self.append(event.id)
            return real(session, event)

    counter = Handled()
    monkeypatch.setitem(webhooks.TOPIC_HANDLERS, "orders/create", counter)
    install_shop(app)
    return counter


def a_delivery_whose_message_is_lost(app, client, monkeypatch) -> WebhookEvent:
    with monkeypatch.context() as queue:
        queue.setattr(jobs, "process_webhook", lambda row_id: None)
        assert post_webhook(client, app, "orders/create", example("orders/create")).status_code == 200
    (event,) = events(app)
    return event


def time_passes(app, event, **delta) -> None:
    """Move the event's clocks back, as if `delta` had passed since it was received or claimed."""
    with app.extensions["fineprint.db"].session() as s:
        s.exec(update(WebhookEvent).where(WebhookEvent.id == event.id).values(
            received_at=event.received_at - timedelta(**delta),
            lease_until=utcnow() - timedelta(seconds=1) if event.lease_until else None))


def sweep(runner) -> str:
    result = runner.invoke(args=["jobs", "sweep"])
    assert result.exit_code == 0, result.output
    return result.output


def test_an_event_left_processing_by_a_dead_worker_is_requeued_after_its_lease(app, client, runner,
                                                                               monkeypatch, handled):
    event = a_delivery_whose_message_is_lost(app, client, monkeypatch)
    assert webhooks._claim(app.extensions["fineprint.db"], event.id)  # a worker takes it ... and dies
    assert "'webhooks_requeued': 0" in sweep(runner), "the lease still runs: the worker may be alive"
    assert events(app)[0].status == "processing"

    time_passes(app, events(app)[0], minutes=6)
    assert "'webhooks_requeued': 1" in sweep(runner)
    (event,) = events(app)
    assert (event.status, event.attempts, event.lease_until) == ("done", 2, None)
    assert handled == [event.id], "processed once"
    assert "'webhooks_requeued': 0" in sweep(runner)


def test_an_event_whose_queue_message_was_lost_is_requeued(app, client, runner, monkeypatch, handled):
    event = a_delivery_whose_message_is_lost(app, client, monkeypatch)
    assert "'webhooks_requeued': 0" in sweep(runner)  # just received: its message may be in the queue
    time_passes(app, event, minutes=6)
    assert "'webhooks_requeued': 1" in sweep(runner)
    assert events(app)[0].status == "done" and handled == [event.id]


def test_an_event_that_kills_every_worker_is_failed_then_retried_by_id(app, client, runner, monkeypatch, handled):
    event = a_delivery_whose_message_is_lost(app, client, monkeypatch)
    with app.extensions["fineprint.db"].session() as s:
        s.exec(update(WebhookEvent).where(WebhookEvent.id == event.id).values(
            status="processing", attempts=MAX_CLAIMS, lease_until=utcnow() - timedelta(seconds=1)))
    assert "'webhooks_failed': 1" in sweep(runner)
    (event,) = events(app)
    assert event.status == "failed" and "worker died" in event.last_error and handled == []

    listed = runner.invoke(args=["jobs", "list", "--webhooks"]).output
    assert f"wh:{event.id}\torders/create" in listed and "failed" in listed
    assert runner.invoke(args=["jobs", "retry", f"wh:{event.id}"]).output == f"requeued wh:{event.id}\n"
    assert events(app)[0].status == "done" and handled == [event.id]
    assert runner.invoke(args=["jobs", "retry", f"wh:{event.id}"]).exit_code == 1  # done: nothing to retry


def test_failed_webhook_events_are_retried_from_the_cli(app, client, runner, handled):
    handled.failing = True
    post_webhook(client, app, "orders/create", example("orders/create"))
    (event,) = events(app)
    assert event.status == "failed" and event.last_error == "RuntimeError: Shopify is down"

    handled.failing = False
    result = runner.invoke(args=["jobs", "retry", "--webhooks"])
    assert result.exit_code == 0 and f"requeued wh:{event.id}" in result.output
    (event,) = events(app)
    assert (event.status, event.last_error) == ("done", None) and handled == [event.id]
    assert runner.invoke(args=["jobs", "retry", "--webhooks"]).output == "no failed webhook events\n"


# The outbox (SQLite queue): the ingest route sends no message; the worker's poll (recovery.pick_up) queues what
# was recorded, once; a row it took whose message was then lost is the sweep's, after its lease.

@pytest.fixture
def queued_app(app_config, tmp_path):
    from backend import create_app

    app = create_app({**app_config, "huey_immediate": False, "huey_path": str(tmp_path / "queue.db")})
    install_shop(app)
    yield app
    app.extensions["fineprint.db"].dispose()
    jobs.huey.immediate = True


def test_on_the_sqlite_queue_a_recorded_webhook_is_picked_up_by_the_poll_once_in_order(queued_app, monkeypatch):
    from backend.services.webhooks import recovery

    assert jobs.webhook_outbox()
    sent = []
    monkeypatch.setattr(jobs, "process_webhook", sent.append)
    client = queued_app.test_client()
    for n in range(3):
        body = dict(example("orders/create"), id=n)
        assert post_webhook(client, queued_app, "orders/create", body, event_id=f"o-{n}").status_code == 200
    assert sent == [] and jobs.huey.pending_count() == 0, "no message on the ack's path"
    recorded = [e.id for e in events(queued_app)]
    with queued_app.app_context():
        assert recovery.pick_up(queued_app) == sorted(recorded)
        assert recovery.pick_up(queued_app) == [], "taken once"
    assert sent == sorted(recorded), "queued oldest first"


def test_an_outbox_event_whose_message_was_lost_is_requeued_by_the_sweep_and_processed_once(queued_app,
                                                                                           monkeypatch):
    from backend.services.webhooks import recovery

    handled = []
    monkeypatch.setitem(webhooks.TOPIC_HANDLERS, "orders/create", lambda s, e: handled.append(e.id))
    client = queued_app.test_client()
    assert post_webhook(client, queued_app, "orders/create", example("orders/create")).status_code == 200
    with queued_app.app_context(), monkeypatch.context() as lost:
        lost.setattr(jobs, "process_webhook", lambda row_id: None)
        (row_id,) = recovery.pick_up(queued_app)  # taken ... and its message lost (the worker died)
    runner = queued_app.test_cli_runner()
    assert "'webhooks_requeued': 0" in sweep(runner), "its lease still runs"
    with queued_app.app_context():
        assert recovery.pick_up(queued_app) == [], "the poll does not take it again"
    time_passes(queued_app, events(queued_app)[0], minutes=6)
    assert "'webhooks_requeued': 1" in sweep(runner)
    assert jobs.huey.pending_count() == 1
    jobs.huey.execute(jobs.huey.dequeue())  # the worker runs the requeued message
    (event,) = events(queued_app)
    assert event.id == row_id and event.status == "done" and handled == [row_id]
    assert jobs.huey.pending_count() == 0
