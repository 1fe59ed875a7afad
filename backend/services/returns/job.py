"""One run of a return's decision job (the worker's `decide_return_task` calls these), like the order
pipeline's (services/orders/pipeline.py).

    run_decide(app, shop, return_id, trigger) -> apply_return's outcome | "parked"
    retry_delay(app, shop, return_id, exc)   -> seconds before the next attempt

The job row (`pipeline_jobs`, kind `decide_return`, key `shop:return_id`) makes each decision visible:
retried with backoff on errors (throttling is first retried inside the Admin client), parked with its last
error after the last attempt (`fineprint jobs list|retry`, the admin page; the return's row says `failed`).
The return's order lock (the pipeline's per-order lease) keeps two consumers from deciding one order's
returns at once; someone else holding it is `Busy` (try again in a moment, not an attempt).
"""
from __future__ import annotations

import logging
from contextlib import contextmanager

from backend.services import queue
from backend.services.orders.locks import order_lock
from backend.store import jobs
from backend.store import returns as repo

log = logging.getLogger(__name__)


class Busy(Exception):
    """Another consumer holds the return's order."""


def run_decide(app, shop: str, return_id: str, trigger: str = "") -> str:
    """One attempt; a receipt of items (trigger `reverse_fulfillment_orders/dispose`) processes the return
    instead of deciding it (apply.process_on_receipt), with the same retries and parking."""
    from backend.services.returns.apply import apply_return, process_on_receipt
    from backend.services.returns.intake import RECEIPT_TOPIC

    db = app.extensions["fineprint.db"]
    key = queue.order_key(shop, return_id)
    job = jobs.start(db, queue.KIND_DECIDE_RETURN, key)
    if job is None:
        jobs.upsert_pending(db, queue.KIND_DECIDE_RETURN, key, shop, trigger)
        job = jobs.start(db, queue.KIND_DECIDE_RETURN, key)
    with _order_lock(app, shop, return_id) as held:
        if not held:
            jobs.request_rerun(db, job.id)
            raise Busy()
        try:
            if trigger == RECEIPT_TOPIC:
                result = process_on_receipt(app, shop, return_id)
            else:
                result = apply_return(app, shop, return_id, trigger)
        except Exception as exc:
            attempts = job.attempts + 1
            error = f"{type(exc).__name__}: {exc}"
            parked = attempts >= app.config["FINEPRINT"].pipeline_max_attempts or _permanent(exc)
            jobs.finish(db, job.id, "parked" if parked else "pending", error=error, attempts=attempts)
            if parked:
                log.error("return %s/%s parked after %d attempts: %s", shop, return_id, attempts, error)
                _park_visibly(db, shop, return_id, error)
                return "parked"
            raise
    jobs.finish(db, job.id, "done", attempts=0)
    return result


def retry_delay(app, shop: str, return_id: str, exc: Exception) -> float:
    attempts = jobs.attempts(app.extensions["fineprint.db"], queue.KIND_DECIDE_RETURN,
                             queue.order_key(shop, return_id))
    delay = jobs.backoff(attempts, app.config["FINEPRINT"].pipeline_retry_base)
    log.warning("return %s/%s attempt %d failed (%s); retrying in %.1fs", shop, return_id, attempts,
                type(exc).__name__, delay)
    return delay


@contextmanager
def _order_lock(app, shop: str, return_id: str):
    """The return's order lock. A return whose order is not recorded yet takes none: its decision fails
    with OrderNotRecorded and is retried."""
    from backend.services.orders import state as orders

    with app.extensions["fineprint.db"].session() as s:
        row = repo.get(s, shop, return_id)
        order_id = row.order_id if row is not None else None
        known = order_id is not None and orders.load(s, shop, order_id) is not None
    if not known:
        yield True
        return
    with order_lock(app, shop, order_id) as held:
        yield held


def _permanent(exc: Exception) -> bool:
    from backend.services.install.tokens import ReauthorizationRequired
    from backend.services.returns.apply import ReturnRejected
    from backend.shopify.errors import GraphQLError

    return isinstance(exc, (GraphQLError, ReturnRejected, ReauthorizationRequired))


def _park_visibly(db, shop: str, return_id: str, error: str) -> None:
    with db.session() as s:
        row = repo.get(s, shop, return_id)
        if row is not None:
            repo.record_action(s, row.id, "failed", error=error[:4000])
            repo.audit(s, shop, return_id, row.order_id, "fineprint", "failed", row.verdict, error[:2000])
