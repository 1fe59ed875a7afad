"""Read models for the admin page's Activity section, and the one write it offers (retry a job).

    recent_decisions(db, shop)  -> what the pipeline decided and wrote, newest first (order names, policy sentences)
    failed_jobs(db, shop)       -> parked jobs (and pending ones that already failed) with their last error
    webhook_health(db, shop)    -> deliveries by status over the last 24 h, last received
    retry_job(app, shop, id)    -> requeue a job of this shop
"""
from __future__ import annotations

from datetime import timedelta

from backend.errors import NotFound
from backend.services import queue
from backend.services.decisions.backtest import reasons_of
from backend.store import decision_log, jobs, order_states, webhook_events
from backend.store.models import PipelineJob, utcnow


def recent_decisions(db, shop: str, limit: int = 30) -> list[dict]:
    rows = decision_log.recent(db, shop, limit)
    names = order_states.names(db, shop, {row.order_id for row in rows})
    return [{"id": row.id, "order_id": row.order_id, "order_name": names.get(row.order_id) or f"order {row.order_id}",
             "trigger": row.trigger, "result": row.write_result, "tags": (row.decision or {}).get("tags") or [],
             "tags_added": row.tags_added, "tags_removed": row.tags_removed,
             "deadline": (row.decision or {}).get("return_deadline"), "reasons": reasons_of(row.decision or {}),
             "policy": row.policy_name, "policy_version": row.policy_version, "error": row.error,
             "applied_at": row.applied_at} for row in rows]


def failed_jobs(db, shop: str, limit: int = 50) -> list[PipelineJob]:
    return jobs.failed(db, shop, limit)


def webhook_health(db, shop: str, hours: int = 24) -> dict:
    counts, last, failing = webhook_events.health(db, shop, utcnow() - timedelta(hours=hours))
    return {"hours": hours, "counts": counts, "total": sum(counts.values()), "last_received_at": last,
            "failed": [{"topic": e.topic, "error": e.last_error, "received_at": e.received_at} for e in failing]}


def retry_job(app, shop: str, job_id: int) -> PipelineJob:
    job = jobs.get(app.extensions["fineprint.db"], job_id)
    if job is None or job.shop_domain != shop:
        raise NotFound("no such job", code="unknown_job")
    queue.requeue(app, job)
    return jobs.get(app.extensions["fineprint.db"], job_id)
