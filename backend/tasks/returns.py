"""The returns' huey task: a thin wrapper over services/returns/job.py (one decision job per return request).
Services queue it through the queue port (services/queue.py `enqueue_decide_return`), never by importing
this module."""
from __future__ import annotations

import time

from huey.exceptions import RetryTask

from backend.jobs import huey, task_app
from backend.services.returns import job

LOCK_RETRY_DELAY = 0.5


@huey.task(context=True)
def decide_return_task(shop: str, return_id: str, trigger: str = "", task=None):
    app = task_app()
    with app.app_context():
        while True:
            try:
                return job.run_decide(app, shop, return_id, trigger)
            except job.Busy:
                delay = LOCK_RETRY_DELAY
            except Exception as exc:
                delay = job.retry_delay(app, shop, return_id, exc)
            if not huey.immediate:
                raise RetryTask(delay=delay)
            time.sleep(min(delay, 2.0))  # immediate mode (tests, `make run` without a consumer): retry inline
