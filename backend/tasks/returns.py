"""The returns' huey task: a thin wrapper over services/returns/job.py (one decision job per return request),
retried by the order tasks' one wrapper (`tasks.orders.run_attempts`). Services queue it through the queue
port (services/queue.py `enqueue_decide_return`), never by importing this module."""
from __future__ import annotations

from backend.jobs import huey, task_app
from backend.services.returns import job
from backend.tasks.orders import run_attempts


@huey.task(context=True)
def decide_return_task(shop: str, return_id: str, trigger: str = "", task=None):
    app = task_app()
    with app.app_context():
        return run_attempts(lambda: job.run_decide(app, shop, return_id, trigger), job.Busy,
                            lambda exc: job.retry_delay(app, shop, return_id, exc))
