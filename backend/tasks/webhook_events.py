"""Webhook events no worker finished: requeued by the pipeline's sweeper (`orders.sweep`) and `jobs retry`.

* `processing` past its lease: the worker died mid-handler. Back to `received` and
  enqueued again (handlers are idempotent: order facts compare `updated_at`, a
  compliance request done twice does the same thing). After `MAX_CLAIMS` claims the
  event is `failed` instead: one that kills every worker must not loop forever.
* `received` longer than the lease: its queue message was lost (a consumer died between
  taking it and claiming the row). Enqueued again; the new lease says when to look again,
  and a duplicate message is harmless (the claim is a conditional UPDATE).
* `failed` (the handler raised until huey's retries ran out): on demand only,
  `fineprint jobs retry --webhooks` or `jobs retry wh:ID`.
"""
from __future__ import annotations

from sqlalchemy import and_, or_, update
from sqlmodel import select

from backend.services.webhooks.ingest import LEASE, RECEIVED_GRACE
from backend.store.models import WebhookEvent, utcnow

MAX_CLAIMS = 6
PREFIX = "wh:"
OPEN = ("received", "processing")


def _lapsed(now):
    return and_(WebhookEvent.status.in_(OPEN), or_(
        WebhookEvent.lease_until < now,
        and_(WebhookEvent.lease_until.is_(None), WebhookEvent.received_at < now - RECEIVED_GRACE)))


def sweep(db, enqueue) -> dict:
    """Requeue events whose lease ran out; park the ones that used up their claims."""
    now = utcnow()
    with db.session() as s:
        stuck = list(s.exec(select(WebhookEvent.id, WebhookEvent.status, WebhookEvent.attempts)
                            .where(_lapsed(now))))
    requeued = abandoned = 0
    for row_id, status, attempts in stuck:
        if status == "processing" and attempts >= MAX_CLAIMS:
            error = f"abandoned after {attempts} claims: its worker died each time (lease expired)"
            abandoned += _move(db, row_id, now, status="failed", last_error=error, lease_until=None)
        elif _move(db, row_id, now, status="received", lease_until=now + LEASE):
            enqueue(row_id)
            requeued += 1
    return {"webhooks_requeued": requeued, "webhooks_failed": abandoned}


def _move(db, row_id: int, now, **values) -> int:
    """Update one row if it is still stuck (another sweeper may have moved it meanwhile)."""
    with db.session() as s:
        return s.exec(update(WebhookEvent).where(WebhookEvent.id == row_id, _lapsed(now)).values(**values)).rowcount


def retry_failed(db, enqueue, ids: list[int] | None = None) -> list[int]:
    """Failed events (all, or these ids) back to `received` with fresh claims, and enqueued."""
    with db.session() as s:
        query = select(WebhookEvent.id).where(WebhookEvent.status == "failed").order_by(WebhookEvent.id)
        if ids is not None:
            query = query.where(WebhookEvent.id.in_(ids))
        found = list(s.exec(query))
        s.exec(update(WebhookEvent).where(WebhookEvent.id.in_(found), WebhookEvent.status == "failed")
               .values(status="received", attempts=0, lease_until=utcnow() + LEASE))
    for row_id in found:
        enqueue(row_id)
    return found


def listing(db, limit: int = 50) -> list[WebhookEvent]:
    """Events not done: failed, waiting or being processed, newest first."""
    with db.session() as s:
        return list(s.exec(select(WebhookEvent).where(WebhookEvent.status.in_(("failed", *OPEN)))
                           .order_by(WebhookEvent.id.desc()).limit(limit)))
