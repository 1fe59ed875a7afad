"""Shopify Flow's periodic task: fire the triggers that are due (services/flow/triggers.py)."""
from __future__ import annotations

from huey import crontab

from backend.jobs import huey, task_app


@huey.periodic_task(crontab(minute="*"))
def flow_sweep():
    from backend.services.flow import triggers as flow_triggers

    app = task_app()
    with app.app_context():
        flow_triggers.sweep(app)
