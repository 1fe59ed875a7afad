"""Read models for the admin page's Activity section, and the one write it offers (retry a job).

    recent_decisions(db, shop)  -> what the pipeline decided and wrote, newest first (order names, policy sentences)
    failed_jobs(db, shop)       -> parked jobs (and pending ones that already failed) with their last error
    webhook_health(db, shop)    -> deliveries by status over the last 24 h, last received
    retry_job(app, shop, id)    -> requeue a job of this shop
"""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import func
from sqlmodel import select

from backend.errors import NotFound
from backend.services.decisions.backtest import reasons_of
from backend.store.models import DecisionLogEntry, OrderState, PipelineJob, WebhookEvent, utcnow


def recent_decisions(db, shop: str, limit: int = 30) -> list[dict]:
    with db.session() as s:
        rows = list(s.exec(select(DecisionLogEntry).where(DecisionLogEntry.shop_domain == shop)
                           .order_by(DecisionLogEntry.id.desc()).limit(limit)))
        names = order_names(s, shop, {row.order_id for row in rows})
    return [{"id": row.id, "order_id": row.order_id, "order_name": names.get(row.order_id) or f"order {row.order_id}",
             "trigger": row.trigger, "result": row.write_result, "tags": (row.decision or {}).get("tags") or [],
             "tags_added": row.tags_added, "tags_removed": row.tags_removed,
             "deadline": (row.decision or {}).get("return_deadline"), "reasons": reasons_of(row.decision or {}),
             "policy": row.policy_name, "policy_version": row.policy_version, "error": row.error,
             "applied_at": row.applied_at} for row in rows]


def order_names(s, shop: str, order_ids) -> dict[str, str]:
    """Shopify's name ("#1010") of each stored order, by order id (absent when the snapshot has none)."""
    if not order_ids:
        return {}
    found = s.exec(select(OrderState.order_id, OrderState.facts).where(
        OrderState.shop_domain == shop, OrderState.order_id.in_(list(order_ids))))
    return {oid: facts["name"] for oid, facts in found if (facts or {}).get("name")}


def failed_jobs(db, shop: str, limit: int = 50) -> list[PipelineJob]:
    with db.session() as s:
        return list(s.exec(select(PipelineJob).where(
            PipelineJob.shop_domain == shop,
            (PipelineJob.status == "parked") | ((PipelineJob.status == "pending") & PipelineJob.last_error.is_not(None)))
            .order_by(PipelineJob.updated_at.desc()).limit(limit)))


def webhook_health(db, shop: str, hours: int = 24) -> dict:
    since = utcnow() - timedelta(hours=hours)
    with db.session() as s:
        counts = dict(s.exec(select(WebhookEvent.status, func.count()).where(
            WebhookEvent.shop_domain == shop, WebhookEvent.received_at >= since).group_by(WebhookEvent.status)).all())
        last = s.exec(select(func.max(WebhookEvent.received_at)).where(WebhookEvent.shop_domain == shop)).first()
        failing = list(s.exec(select(WebhookEvent).where(
            WebhookEvent.shop_domain == shop, WebhookEvent.status == "failed", WebhookEvent.received_at >= since)
            .order_by(WebhookEvent.id.desc()).limit(5)))
    return {"hours": hours, "counts": counts, "total": sum(counts.values()), "last_received_at": last,
            "failed": [{"topic": e.topic, "error": e.last_error, "received_at": e.received_at} for e in failing]}


def retry_job(app, shop: str, job_id: int) -> PipelineJob:
    from backend.tasks import jobs_table
    from backend.tasks.orders import requeue

    job = jobs_table.get(app.extensions["fineprint.db"], job_id)
    if job is None or job.shop_domain != shop:
        raise NotFound("no such job", code="unknown_job")
    requeue(app, job)
    return jobs_table.get(app.extensions["fineprint.db"], job_id)
