"""One run of the order pipeline, and the sweeper that finds lost work (the worker's tasks call these).

    run_apply(app, shop, order_id, trigger) -> "written" | "unchanged" | ... | "parked"
    retry_delay(app, shop, order_id, exc)   -> seconds before the next attempt
    sweep(app) -> {"requeued", "rechecked", "webhooks_requeued", "webhooks_failed"}

A run takes the job row (`pipeline_jobs`) and the per-order lock, both leased and renewed while it runs;
someone else holding the lock is `Busy` (try again in a moment, not counted as an attempt). An error is
retried with jittered exponential backoff; after `max_attempts` the job is parked with its last error
(`fineprint jobs list|retry`).
"""
from __future__ import annotations

import logging
from datetime import timedelta

from backend.services import queue
from backend.services.orders.locks import order_lock, renewing
from backend.services.webhooks import recovery
from backend.store import decision_log, jobs, order_states

log = logging.getLogger(__name__)


class Busy(Exception):
    """Another consumer holds this order."""


def run_apply(app, shop: str, order_id: str, trigger: str = "") -> str:
    """One attempt, with the job row and the lock around it, both leased and renewed while it runs.
    Raises on failure (row updated)."""
    db = app.extensions["fineprint.db"]
    key = queue.order_key(shop, order_id)
    lease = _apply_lease(app)
    job = jobs.start(db, queue.KIND_APPLY, key, lease)
    if job is None:
        jobs.upsert_pending(db, queue.KIND_APPLY, key, shop, trigger)
        job = jobs.start(db, queue.KIND_APPLY, key, lease)
    with renewing(lease.total_seconds() / 3, lambda: jobs.renew(db, job.id, lease)):
        return _locked_apply(app, db, job, shop, order_id, trigger)


def _apply_lease(app) -> timedelta:
    seconds = app.config["FINEPRINT"].apply_lease
    return timedelta(seconds=float(seconds)) if seconds else jobs.APPLY_LEASE


def _max_attempts(app) -> int:
    return app.config["FINEPRINT"].pipeline_max_attempts


def _locked_apply(app, db, job, shop: str, order_id: str, trigger: str) -> str:
    from backend.services.orders.apply_decision import apply_order

    with order_lock(app, shop, order_id) as held:
        if not held:  # another consumer is deciding this order: it must not end "done" before our news
            jobs.request_rerun(db, job.id)
            raise Busy()

        def done(session) -> None:  # the job ends "done" and a row lease is given up in the outcome's commit
            jobs.finish_in(session, job.id, "done", attempts=0)
            held.release_in(session)

        try:
            result = apply_order(app, shop, order_id, trigger, done=done)
            held.released()
        except Exception as exc:
            attempts = job.attempts + 1
            error = f"{type(exc).__name__}: {exc}"
            parked = attempts >= _max_attempts(app) or _permanent(exc)
            jobs.finish(db, job.id, "parked" if parked else "pending", error=error, attempts=attempts)
            if parked:
                log.error("order %s/%s parked after %d attempts: %s", shop, order_id, attempts, error)
                decision_log.record_failure(db, shop, order_id, trigger, error)
                return "parked"
            raise
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


def retry_delay(app, shop: str, order_id: str, exc: Exception) -> float:
    """Seconds before the next attempt after `exc`: jittered backoff on the attempts so far, and never
    less than the time a write with no answer may still take to land."""
    attempts = jobs.attempts(app.extensions["fineprint.db"], queue.KIND_APPLY, queue.order_key(shop, order_id))
    base = app.config["FINEPRINT"].pipeline_retry_base
    delay = max(jobs.backoff(attempts, base), _settle_time(app, exc))
    log.warning("order %s/%s attempt %d failed; retrying in %.1fs", shop, order_id, attempts, delay)
    return delay


def _settle_time(app, exc: Exception) -> float:
    """After a write with no answer, Shopify may still be applying it: the retry, which reads the order back
    before writing again, waits twice the client's timeout so that it sees such a write instead of racing it."""
    from backend.shopify.admin import RetryPolicy
    from backend.shopify.errors import WriteOutcomeUnknown

    if not isinstance(exc, WriteOutcomeUnknown):
        return 0.0
    return 2 * (app.config["FINEPRINT"].admin_timeout or RetryPolicy.timeout)


def sweep(app) -> dict:
    """Requeue work whose worker died (lease ran out) or whose message was lost, webhook events included;
    re-decide orders whose delivery fallback became due."""
    db = app.extensions["fineprint.db"]
    requeued = 0
    for job in jobs.due_for_requeue(db):
        if job.kind == queue.KIND_APPLY:
            shop, order_id = job.key.rsplit(":", 1)
            queue.enqueue_apply(app, shop, order_id, "requeued")
            requeued += 1
        elif job.kind == queue.KIND_BACKFILL:
            jobs.finish(db, job.id, "pending")
            queue.enqueue_backfill(app, job.shop_domain)
            requeued += 1
        elif job.kind == queue.KIND_DECIDE_RETURN:
            shop, return_id = job.key.rsplit(":", 1)
            queue.enqueue_decide_return(app, shop, return_id, "requeued")
            requeued += 1
    due = order_states.take_due_rechecks(db)
    for shop, order_id in due:
        queue.enqueue_apply(app, shop, order_id, "recheck")
    return {"requeued": requeued, "rechecked": len(due), **recovery.sweep(app)}
