"""The returns' huey task: one `decide_return_task` per return request (and per update of one).

A job row (`pipeline_jobs`, kind `decide_return`, key `shop:return_id`) makes each visible: retried with
backoff on errors (throttling is first retried inside the Admin client), parked with its last error after
the last attempt (`fineprint jobs list|retry`, the admin page). A per-return lock keeps two consumers from
deciding the same return at once.
"""
from __future__ import annotations

import logging
import time
from contextlib import contextmanager

from huey.exceptions import RetryTask

from backend.jobs import huey, task_app
from backend.services.returns import intake
from backend.tasks import jobs_table
from backend.tasks.orders import LOCK_RETRY_DELAY, _max_attempts, _retry_base

log = logging.getLogger(__name__)

KIND_DECIDE_RETURN = "decide_return"


def return_key(shop: str, return_id: str) -> str:
    return f"{shop}:{return_id}"


def enqueue_decide(app, shop: str, return_id: str, trigger: str = "") -> None:
    jobs_table.upsert_pending(app.extensions["fineprint.db"], KIND_DECIDE_RETURN, return_key(shop, return_id),
                              shop, trigger)
    decide_return_task(shop, str(return_id), trigger)


intake.enqueue = enqueue_decide  # the port services.returns.intake enqueues through


class _Busy(Exception):
    pass


def run_decide(app, shop: str, return_id: str, trigger: str = "") -> str:
    from backend.services.returns.apply import apply_return

    db = app.extensions["fineprint.db"]
    key = return_key(shop, return_id)
    job = jobs_table.start(db, KIND_DECIDE_RETURN, key)
    if job is None:
        jobs_table.upsert_pending(db, KIND_DECIDE_RETURN, key, shop, trigger)
        job = jobs_table.start(db, KIND_DECIDE_RETURN, key)
    with _order_lock(app, shop, return_id) as held:
        if not held:
            jobs_table.request_rerun(db, job.id)
            raise _Busy()
        try:
            result = apply_return(app, shop, return_id, trigger)
        except Exception as exc:
            attempts = job.attempts + 1
            error = f"{type(exc).__name__}: {exc}"
            parked = attempts >= _max_attempts(app) or _permanent(exc)
            jobs_table.finish(db, job.id, "parked" if parked else "pending", error=error, attempts=attempts)
            if parked:
                log.error("return %s/%s parked after %d attempts: %s", shop, return_id, attempts, error)
                _park_visibly(app, shop, return_id, error)
                return "parked"
            raise
    jobs_table.finish(db, job.id, "done", attempts=0)
    return result


@contextmanager
def _order_lock(app, shop: str, return_id: str):
    """The return's order lock (the pipeline's per-order lease): a return is decided while nothing else
    decides its order or another of its returns. A return whose order is not recorded yet takes none: its
    decision fails with OrderNotRecorded and is retried."""
    from backend.services.orders import state as orders
    from backend.services.orders.locks import order_lock
    from backend.store import returns as repo

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


def _park_visibly(app, shop: str, return_id: str, error: str) -> None:
    from backend.store import returns as repo

    with app.extensions["fineprint.db"].session() as s:
        row = repo.get(s, shop, return_id)
        if row is not None:
            repo.record_action(s, row.id, "failed", error=error[:4000])
            repo.audit(s, shop, return_id, row.order_id, "fineprint", "failed", row.verdict, error[:2000])


@huey.task(context=True)
def decide_return_task(shop: str, return_id: str, trigger: str = "", task=None):
    app = task_app()
    with app.app_context():
        while True:
            try:
                return run_decide(app, shop, return_id, trigger)
            except _Busy:
                delay = LOCK_RETRY_DELAY
            except Exception as exc:
                delay = jobs_table.backoff(_attempts(app, shop, return_id), _retry_base(app))
                log.warning("return %s/%s failed (%s); retrying in %.1fs", shop, return_id, exc, delay)
            if not huey.immediate:
                raise RetryTask(delay=delay)
            time.sleep(min(delay, 2.0))


def _attempts(app, shop: str, return_id: str) -> int:
    job = next((j for j in jobs_table.listing(app.extensions["fineprint.db"])
                if j.kind == KIND_DECIDE_RETURN and j.key == return_key(shop, return_id)), None)
    return job.attempts if job else 1


def requeue(app, job) -> None:
    shop, return_id = job.key.rsplit(":", 1)
    enqueue_decide(app, shop, return_id, "retry")
