"""The webhook_events table: what ingest records and what the worker claims (SQL only; the rules live in
services/webhooks/ingest.py).

    insert(db, values, checked) -> (row id, "received" | "dropped") | None (None: the event id is recorded already)
    forget(db, row_id)                       a row whose queue message could not be sent (Shopify will retry)
    claim(db, row_id, lease_until) -> bool   received/failed -> processing, attempts + 1
    renew(db, row_id, lease_until)
    mark_failed(db, row_id, error)
    requeue_lapsed, retry_failed, not_done, health    rows no worker finished (services/webhooks/recovery.py
                                                      says when a row counts as lost), the Activity section

The ingest hot path (issue 19) is ONE Core statement on a pooled connection in autocommit: no ORM session, no
SELECT before the INSERT, no BEGIN/COMMIT round trips, no pre-ping. "Is the shop installed?" is an EXISTS
inside the INSERT ... SELECT, RETURNING gives the row id and status back, and the payload is bound as the
signed body's own JSON text. The UNIQUE event id refuses a second delivery (no read-then-write race), and the
row has committed when `insert` returns, so before the 200.
"""
from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import JSON, Text, and_, bindparam, case, cast, delete, exists, func, insert, literal, or_, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from backend.store.models import Shop, WebhookEvent, utcnow

_COLUMNS = ["event_id", "topic", "shop_domain", "triggered_at", "received_at", "attempts", "webhook_id",
            "payload", "status"]


def _insert_statement(dialect: str, checked: bool):
    """INSERT ... SELECT of one delivery; `checked`: rows of a shop that is not installed are stored
    `dropped`, without their payload (the shop's data is not ours to hold)."""
    t, shops = WebhookEvent.__table__, Shop.__table__
    raw = bindparam("payload", type_=Text)
    payload = cast(raw, JSON) if dialect == "postgresql" else raw  # the text is stored as it came
    installed = exists().where(shops.c.domain == bindparam("shop"), shops.c.uninstalled_at.is_(None))
    columns = [bindparam("event_id", type_=t.c.event_id.type), bindparam("topic", type_=t.c.topic.type),
               bindparam("shop", type_=t.c.shop_domain.type),
               bindparam("triggered_at", type_=t.c.triggered_at.type),
               bindparam("received_at", type_=t.c.received_at.type), literal(0),
               bindparam("webhook_id", type_=t.c.webhook_id.type)]
    if checked:
        columns += [case((installed, payload)), case((installed, literal("received")), else_=literal("dropped"))]
    else:
        columns += [payload, literal("received")]
    return insert(t).from_select(_COLUMNS, sa_select(*columns)).returning(t.c.id, t.c.status)


# Built once per (dialect, checked): SQLAlchemy then reuses the compiled form from its statement cache.
_INSERTS = {(dialect, checked): _insert_statement(dialect, checked)
            for dialect in ("sqlite", "postgresql") for checked in (False, True)}

# SQLite has one writer per file, and a writer that finds it busy sleeps in SQLite's busy handler (1, 2, 5,
# 10 ... 100 ms) while others take their turn: with a gunicorn worker's threads all inserting, that made
# the acknowledgement tail hundreds of ms. Threads of one process take turns on a mutex instead (woken at
# once); only the few processes still meet in the busy handler. Not needed for PostgreSQL.
_SQLITE_WRITER = threading.Lock()


def insert(db, *, event_id: str, topic: str, shop: str, triggered_at: datetime | None, payload: str,
           webhook_id: str | None, checked: bool) -> tuple[int, str] | None:
    dialect = db.engine.dialect.name
    statement = _INSERTS[(dialect, checked)] if (dialect, checked) in _INSERTS else _insert_statement(dialect, checked)
    try:
        with (_SQLITE_WRITER if dialect == "sqlite" else nullcontext()), \
                db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            row_id, status = conn.execute(statement, {
                "event_id": event_id, "topic": topic, "shop": shop, "triggered_at": triggered_at,
                "received_at": utcnow(), "payload": payload, "webhook_id": webhook_id}).one()
    except IntegrityError:
        return None
    return row_id, status


def forget(db, row_id: int) -> None:
    with db.session() as s:
        s.exec(delete(WebhookEvent).where(WebhookEvent.id == row_id))


def claim(db, row_id: int, lease_until: datetime) -> bool:
    """received/failed -> processing with a lease; what a dead worker leaves behind the sweeper requeues."""
    with db.session() as s:
        claimed = s.exec(update(WebhookEvent)
                         .where(WebhookEvent.id == row_id, WebhookEvent.status.in_(("received", "failed")))
                         .values(status="processing", attempts=WebhookEvent.attempts + 1,
                                 lease_until=lease_until)).rowcount
    return claimed == 1


def renew(db, row_id: int, lease_until: datetime) -> None:
    with db.session() as s:
        s.exec(update(WebhookEvent).where(WebhookEvent.id == row_id, WebhookEvent.status == "processing")
               .values(lease_until=lease_until))


def mark_failed(db, row_id: int, error: str) -> None:
    with db.session() as s:
        s.exec(update(WebhookEvent).where(WebhookEvent.id == row_id).values(
            status="failed", last_error=error[:2000], lease_until=None))


# ------------------------------------------------------------------ recovery and the Activity section

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
