"""The queue port: how services ask for background work without knowing the worker.

    queue.enqueue_apply(app, shop, order_id, trigger)   # record the job row, then queue one apply
    queue.enqueue_backfill(app, shop, since)
    queue.enqueue_decide_return(app, shop, return_id, trigger)   # a Shopify return request (services/returns)
    queue.requeue(app, job)                             # a (parked) job back in the queue, attempts reset
    queue.of(app).process_webhook(event_row_id)

The composition root (`backend.create_app`) installs the worker's adapter (`backend/tasks/queue.py`, huey)
as `app.extensions["fineprint.queue"]`; services only see the `Queue` protocol below, so no module under
backend/services imports backend.tasks or backend.jobs (import-linter checks it).
"""
from __future__ import annotations

from typing import Protocol

from backend.store import jobs
from backend.store.models import PipelineJob

KIND_APPLY = "apply_order"
KIND_BACKFILL = "backfill"
KIND_DECIDE_RETURN = "decide_return"


class Queue(Protocol):
    """Fire-and-forget messages to the worker; each one is safe to deliver twice."""

    def apply_order(self, shop: str, order_id: str, trigger: str) -> None: ...

    def backfill(self, shop: str, since: str | None) -> None: ...

    def decide_return(self, shop: str, return_id: str, trigger: str) -> None: ...

    def process_webhook(self, event_row_id: int) -> None: ...

    def polls_webhooks(self) -> bool:
        """True when the worker picks recorded webhook events up itself (services/webhooks/recovery.py,
        `pick_up`): the ingest route then sends no message per webhook."""
        ...


def of(app) -> Queue:
    return app.extensions["fineprint.queue"]


def order_key(shop: str, order_id: str) -> str:
    return f"{shop}:{order_id}"


def enqueue_apply(app, shop: str, order_id: str, trigger: str = "") -> None:
    """After the facts are committed: the job row first (so the work is visible, and never lost if the
    message is), then the message."""
    jobs.upsert_pending(app.extensions["fineprint.db"], KIND_APPLY, order_key(shop, order_id), shop, trigger)
    of(app).apply_order(shop, order_id, trigger)


def enqueue_backfill(app, shop: str, since: str | None = None) -> None:
    of(app).backfill(shop, since)


def enqueue_decide_return(app, shop: str, return_id: str, trigger: str = "") -> None:
    """After the return's row is committed: the job row, then the message (services/returns/job.py runs it)."""
    jobs.upsert_pending(app.extensions["fineprint.db"], KIND_DECIDE_RETURN, order_key(shop, return_id), shop, trigger)
    of(app).decide_return(shop, str(return_id), trigger)


def requeue(app, job: PipelineJob) -> None:
    """Put a job (typically parked) back in the queue with a fresh set of attempts."""
    jobs.finish(app.extensions["fineprint.db"], job.id, "pending", attempts=0)
    if job.kind == KIND_APPLY:
        shop, order_id = job.key.rsplit(":", 1)
        enqueue_apply(app, shop, order_id, "retry")
    elif job.kind == KIND_BACKFILL:
        enqueue_backfill(app, job.shop_domain, (job.progress or {}).get("since"))
    elif job.kind == KIND_DECIDE_RETURN:
        shop, return_id = job.key.rsplit(":", 1)
        enqueue_decide_return(app, shop, return_id, "retry")
