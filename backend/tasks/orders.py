"""The order pipeline's huey tasks: one `apply_order_task` per order event, a sweeper, backfill.

    enqueue_apply(app, shop, order_id, trigger)   # after the facts are committed

`apply_order_task` takes the per-order lock (someone else holds it: try again
in a moment, not counted as an attempt), applies the decision, and on an error
retries with jittered exponential backoff; after `MAX_ATTEMPTS` the job is
parked with its last error (`fineprint jobs list|retry`).
"""
from __future__ import annotations

import logging
import time
from datetime import timedelta

from huey import crontab
from huey.exceptions import RetryTask

from backend.jobs import huey, task_app
from backend.tasks import jobs_table

log = logging.getLogger(__name__)

KIND_APPLY = "apply_order"
KIND_BACKFILL = "backfill"
LOCK_RETRY_DELAY = 0.5


def order_key(shop: str, order_id: str) -> str:
    return f"{shop}:{order_id}"


def _retry_base(app) -> float:
    return float(app.config["FINEPRINT"].extra.get("pipeline_retry_base", 2.0))


def _max_attempts(app) -> int:
    return int(app.config["FINEPRINT"].extra.get("pipeline_max_attempts", jobs_table.MAX_ATTEMPTS))


def enqueue_apply(app, shop: str, order_id: str, trigger: str = "") -> None:
    jobs_table.upsert_pending(app.extensions["fineprint.db"], KIND_APPLY, order_key(shop, order_id), shop, trigger)
    apply_order_task(shop, order_id, trigger)


class _Busy(Exception):
    """Another consumer holds this order."""


def run_apply(app, shop: str, order_id: str, trigger: str = "") -> str:
    """One attempt, with the job row and the lock around it, both leased and renewed while it runs.
    Raises on failure (row updated)."""
    from backend.services.orders.locks import renewing

    db = app.extensions["fineprint.db"]
    lease = _apply_lease(app)
    job = jobs_table.start(db, KIND_APPLY, order_key(shop, order_id), lease)
    if job is None:
        job = jobs_table.get(db, jobs_table.upsert_pending(db, KIND_APPLY, order_key(shop, order_id), shop, trigger))
        job = jobs_table.start(db, KIND_APPLY, order_key(shop, order_id), lease)
    with renewing(lease.total_seconds() / 3, lambda: jobs_table.renew(db, job.id, lease)):
        return _locked_apply(app, db, job, shop, order_id, trigger)


def _apply_lease(app) -> timedelta:
    seconds = app.config["FINEPRINT"].extra.get("apply_lease")
    return timedelta(seconds=float(seconds)) if seconds else jobs_table.APPLY_LEASE


def _locked_apply(app, db, job, shop: str, order_id: str, trigger: str) -> str:
    from backend.services.orders.apply_decision import apply_order
    from backend.services.orders.locks import order_lock

    with order_lock(app, shop, order_id) as held:
        if not held:  # another consumer is deciding this order: it must not end "done" before our news
            jobs_table.request_rerun(db, job.id)
            raise _Busy()
        try:
            result = apply_order(app, shop, order_id, trigger)
        except Exception as exc:
            attempts = job.attempts + 1
            error = f"{type(exc).__name__}: {exc}"
            parked = attempts >= _max_attempts(app) or _permanent(exc)
            jobs_table.finish(db, job.id, "parked" if parked else "pending", error=error, attempts=attempts)
            if parked:
                log.error("order %s/%s parked after %d attempts: %s", shop, order_id, attempts, error)
                _log_parked(app, shop, order_id, trigger, error)
                return "parked"
            raise
    jobs_table.finish(db, job.id, "done", attempts=0)
    return result


def _permanent(exc: Exception) -> bool:
    """Errors that the same request would hit again: park at once instead of retrying.

    A 401 (`TokenRevoked`) is not one of them: Shopify answers 401 transiently too (a token rotated by
    another worker, an edge hiccup), and the client's one refresh may not have had a refresh token to
    use. It is retried with backoff like a 5xx and parked only when it outlasts every attempt; a shop
    that really lost its token fails `tokens_for` with ReauthorizationRequired, which parks at once."""
    from backend.services.install.tokens import ReauthorizationRequired
    from backend.shopify.errors import GraphQLError
    from backend.shopify.order_writes import WriteRejected

    return isinstance(exc, (GraphQLError, WriteRejected, ReauthorizationRequired))


def _log_parked(app, shop, order_id, trigger, error) -> None:
    from backend.store.models import DecisionLogEntry

    with app.extensions["fineprint.db"].session() as s:
        s.add(DecisionLogEntry(shop_domain=shop, order_id=order_id, trigger=trigger, input={},
                               write_result="failed", error=error[:4000]))


@huey.task(context=True)
def apply_order_task(shop: str, order_id: str, trigger: str = "", task=None):
    app = task_app()
    with app.app_context():
        while True:
            try:
                return run_apply(app, shop, order_id, trigger)
            except _Busy:
                delay = LOCK_RETRY_DELAY
            except Exception as exc:
                attempts = _attempts(app, shop, order_id)
                delay = max(jobs_table.backoff(attempts, _retry_base(app)), _settle_time(app, exc))
                log.warning("order %s/%s attempt %d failed; retrying in %.1fs", shop, order_id, attempts, delay)
            if not huey.immediate:
                raise RetryTask(delay=delay)
            time.sleep(min(delay, 2.0))  # immediate mode (tests, `make run` without a consumer): retry inline


def _settle_time(app, exc: Exception) -> float:
    """After a write with no answer, Shopify may still be applying it: the retry, which reads the order back
    before writing again, waits twice the client's timeout so that it sees such a write instead of racing it."""
    from backend.shopify.admin import RetryPolicy
    from backend.shopify.errors import WriteOutcomeUnknown

    if not isinstance(exc, WriteOutcomeUnknown):
        return 0.0
    return 2 * float(app.config["FINEPRINT"].extra.get("admin_timeout") or RetryPolicy.timeout)


def _attempts(app, shop: str, order_id: str) -> int:
    from sqlmodel import select

    from backend.store.models import PipelineJob

    with app.extensions["fineprint.db"].session() as s:
        row = s.exec(select(PipelineJob).where(PipelineJob.kind == KIND_APPLY,
                                               PipelineJob.key == order_key(shop, order_id))).first()
        return row.attempts if row else 1


def sweep(app) -> dict:
    """Requeue work whose worker died (lease ran out) or whose message was lost, webhook events included;
    re-decide orders whose delivery fallback became due."""
    from sqlalchemy import update
    from sqlmodel import select

    from backend.jobs import process_webhook
    from backend.store.models import OrderState, utcnow
    from backend.tasks import webhook_events

    db = app.extensions["fineprint.db"]
    requeued = 0
    for job in jobs_table.due_for_requeue(db):
        if job.kind == KIND_APPLY:
            shop, order_id = job.key.rsplit(":", 1)
            enqueue_apply(app, shop, order_id, "requeued")
            requeued += 1
        elif job.kind == KIND_BACKFILL:
            jobs_table.finish(db, job.id, "pending")
            backfill_task(job.shop_domain)
            requeued += 1
        elif job.kind == "decide_return":
            from backend.tasks import returns as return_tasks
            return_tasks.requeue(app, job)
            requeued += 1
    with db.session() as s:
        due = list(s.exec(select(OrderState.shop_domain, OrderState.order_id)
                          .where(OrderState.recheck_at.is_not(None), OrderState.recheck_at <= utcnow())))
        s.execute(update(OrderState).where(OrderState.recheck_at.is_not(None), OrderState.recheck_at <= utcnow())
                  .values(recheck_at=None))
    for shop, order_id in due:
        enqueue_apply(app, shop, order_id, "recheck")
    return {"requeued": requeued, "rechecked": len(due), **webhook_events.sweep(db, process_webhook)}


SWEEP_EVERY = 15  # seconds: with 30 s leases, a dead worker's work is running again within a minute


@huey.periodic_task(crontab(minute="*"))
def pipeline_sweep():
    """Every minute (huey's finest periodic grain), and three more times within it."""
    app = task_app()
    with app.app_context():
        sweep(app)
    for delay in range(SWEEP_EVERY, 60, SWEEP_EVERY):
        sweep_task.schedule(delay=delay)


@huey.task()
def sweep_task():
    app = task_app()
    with app.app_context():
        sweep(app)


@huey.task()
def backfill_task(shop: str, since: str | None = None):
    from backend.services.orders import backfill

    app = task_app()
    with app.app_context():
        return backfill.run(app, shop, since=since)


def requeue(app, job) -> None:
    """Put a job (typically parked) back in the queue with a fresh set of attempts."""
    db = app.extensions["fineprint.db"]
    jobs_table.finish(db, job.id, "pending", attempts=0)
    if job.kind == KIND_APPLY:
        shop, order_id = job.key.rsplit(":", 1)
        enqueue_apply(app, shop, order_id, "retry")
    elif job.kind == KIND_BACKFILL:
        backfill_task(job.shop_domain, (job.progress or {}).get("since"))
    elif job.kind == "decide_return":
        from backend.tasks import returns as return_tasks
        return_tasks.requeue(app, job)
