"""Webhook events no worker finished, found again: by the pipeline's sweeper (services/orders/pipeline.py)
and `fineprint jobs retry`.

* `processing` past its lease: the worker died mid-handler. Back to `received` and
  enqueued again (handlers are idempotent: order facts compare `updated_at`, a
  compliance request done twice does the same thing). After `MAX_CLAIMS` claims the
  event is `failed` instead: one that kills every worker must not loop forever.
* `received` longer than the grace period: its queue message was lost (a consumer died between
  taking it and claiming the row). Enqueued again; the new lease says when to look again,
  and a duplicate message is harmless (the claim is a conditional UPDATE).
* `failed` (the handler raised until the queue's retries ran out): on demand only,
  `fineprint jobs retry --webhooks` or `jobs retry wh:ID`.
"""
from __future__ import annotations

from backend.services import queue
from backend.services.webhooks.ingest import LEASE, RECEIVED_GRACE
from backend.store import webhook_events
from backend.store.models import WebhookEvent, utcnow

MAX_CLAIMS = 6
PREFIX = "wh:"  # how `fineprint jobs` names a webhook event beside the pipeline's numbered jobs


def sweep(app) -> dict:
    """Requeue events whose lease ran out; fail the ones that used up their claims."""
    return webhook_events.requeue_lapsed(app.extensions["fineprint.db"], queue.of(app).process_webhook,
                                         lease=LEASE, grace=RECEIVED_GRACE, max_claims=MAX_CLAIMS)


def pick_up(app, limit: int = 500) -> list[int]:
    """The outbox's poll (the worker's `webhook_outbox` thread, on SQLite): events recorded without a queue
    message, each queued now, oldest first (so per order in the order they were acknowledged). Each gets a lease
    as it is taken: if its message is lost the sweep queues it again after that lease."""
    taken = webhook_events.take_unqueued(app.extensions["fineprint.db"], utcnow() + RECEIVED_GRACE, limit)
    enqueue = queue.of(app).process_webhook
    for row_id in taken:
        enqueue(row_id)
    return taken


def retry_failed(app, ids: list[int] | None = None) -> list[int]:
    """Failed events (all, or these ids) back to `received` with fresh claims, and enqueued."""
    return webhook_events.retry_failed(app.extensions["fineprint.db"], queue.of(app).process_webhook, LEASE, ids)


def listing(app, limit: int = 50) -> list[WebhookEvent]:
    """Events not done: failed, waiting or being processed, newest first."""
    return webhook_events.not_done(app.extensions["fineprint.db"], limit)
