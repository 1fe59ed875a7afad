"""The order pipeline's huey tasks: thin wrappers over services/orders (pipeline, backfill).

`apply_order_task` runs one attempt (`pipeline.run_apply`); a busy order is tried again in a moment, an
error after the backoff `pipeline.retry_delay` names. Services queue these through the queue port
(services/queue.py, wired to backend/tasks/queue.py), never by importing this module.
"""
from __future__ import annotations

import time

from huey import crontab
from huey.exceptions import RetryTask

from backend.jobs import huey, task_app
from backend.services.orders import pipeline

LOCK_RETRY_DELAY = 0.5
SWEEP_EVERY = 15  # seconds: with 30 s leases, a dead worker's work is running again within a minute


def run_attempts(run, busy, retry_delay):
    """The one wrapper of a per-key job task (an order's apply, a return's decision): `run()` once; a `busy`
    key (another consumer holds it) is tried again in a moment, any other error after `retry_delay(exc)`
    seconds. Under a consumer huey reschedules (RetryTask); in immediate mode (tests, `make run` without a
    consumer) the retry happens inline."""
    while True:
        try:
            return run()
        except busy:
            delay = LOCK_RETRY_DELAY
        except Exception as exc:
            delay = retry_delay(exc)
        if not huey.immediate:
            raise RetryTask(delay=delay)
        time.sleep(min(delay, 2.0))


@huey.task(context=True)
def apply_order_task(shop: str, order_id: str, trigger: str = "", task=None):
    app = task_app()
    with app.app_context():
        return run_attempts(lambda: pipeline.run_apply(app, shop, order_id, trigger), pipeline.Busy,
                            lambda exc: pipeline.retry_delay(app, shop, order_id, exc))


@huey.periodic_task(crontab(minute="*"))
def pipeline_sweep():
    """Every minute (huey's finest periodic grain), and three more times within it."""
    app = task_app()
    with app.app_context():
        pipeline.sweep(app)
    for delay in range(SWEEP_EVERY, 60, SWEEP_EVERY):
        sweep_task.schedule(delay=delay)


@huey.task()
def sweep_task():
    app = task_app()
    with app.app_context():
        pipeline.sweep(app)


@huey.task()
def backfill_task(shop: str, since: str | None = None):
    from backend.services.orders import backfill

    app = task_app()
    with app.app_context():
        return backfill.run(app, shop, since=since)
