"""`webhook_events` rows no worker finished: found, moved and listed (the use case is
services/webhooks/recovery.py, which says when a row counts as lost)."""
from __future__ import annotations

from datetime import timedelta
from typing import Callable

from sqlalchemy import and_, func, or_, update
from sqlmodel import select

from backend.store.models import WebhookEvent, utcnow

OPEN = ("received", "processing")


def _lapsed(now, grace: timedelta):
    return and_(WebhookEvent.status.in_(OPEN), or_(
        WebhookEvent.lease_until < now,
        and_(WebhookEvent.lease_until.is_(None), WebhookEvent.received_at < now - grace)))


def requeue_lapsed(db, enqueue: Callable[[int], object], lease: timedelta, grace: timedelta,
                   max_claims: int) -> dict:
    """Requeue events whose lease ran out (or that waited `grace` unclaimed); fail the ones that used up
    `max_claims` claims."""
    now = utcnow()
    with db.session() as s:
        stuck = list(s.exec(select(WebhookEvent.id, WebhookEvent.status, WebhookEvent.attempts)
                            .where(_lapsed(now, grace))))
    requeued = abandoned = 0
    for row_id, status, attempts in stuck:
        if status == "processing" and attempts >= max_claims:
            error = f"abandoned after {attempts} claims: its worker died each time (lease expired)"
            abandoned += _move(db, row_id, now, grace, status="failed", last_error=error, lease_until=None)
        elif _move(db, row_id, now, grace, status="received", lease_until=now + lease):
            enqueue(row_id)
            requeued += 1
    return {"webhooks_requeued": requeued, "webhooks_failed": abandoned}


def _move(db, row_id: int, now, grace: timedelta, **values) -> int:
    """Update one row if it is still stuck (another sweeper may have moved it meanwhile)."""
    with db.session() as s:
        return s.exec(update(WebhookEvent).where(WebhookEvent.id == row_id, _lapsed(now, grace))
                      .values(**values)).rowcount


def retry_failed(db, enqueue: Callable[[int], object], lease: timedelta, ids: list[int] | None = None) -> list[int]:
    """Failed events (all, or these ids) back to `received` with fresh claims, and enqueued."""
    with db.session() as s:
        query = select(WebhookEvent.id).where(WebhookEvent.status == "failed").order_by(WebhookEvent.id)
        if ids is not None:
            query = query.where(WebhookEvent.id.in_(ids))
        found = list(s.exec(query))
        s.exec(update(WebhookEvent).where(WebhookEvent.id.in_(found), WebhookEvent.status == "failed")
               .values(status="received", attempts=0, lease_until=utcnow() + lease))
    for row_id in found:
        enqueue(row_id)
    return found


def not_done(db, limit: int = 50) -> list[WebhookEvent]:
    """Events not done: failed, waiting or being processed, newest first."""
    with db.session() as s:
        return list(s.exec(select(WebhookEvent).where(WebhookEvent.status.in_(("failed", *OPEN)))
                           .order_by(WebhookEvent.id.desc()).limit(limit)))


def health(db, shop: str, since) -> tuple[dict[str, int], object, list[WebhookEvent]]:
    """The shop's deliveries since `since`: counts by status, when the last one arrived, the latest failures."""
    with db.session() as s:
        counts = dict(s.exec(select(WebhookEvent.status, func.count()).where(
            WebhookEvent.shop_domain == shop, WebhookEvent.received_at >= since).group_by(WebhookEvent.status)).all())
        last = s.exec(select(func.max(WebhookEvent.received_at)).where(WebhookEvent.shop_domain == shop)).first()
        failing = list(s.exec(select(WebhookEvent).where(
            WebhookEvent.shop_domain == shop, WebhookEvent.status == "failed", WebhookEvent.received_at >= since)
            .order_by(WebhookEvent.id.desc()).limit(5)))
    return counts, last, failing
