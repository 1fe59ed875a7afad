"""The webhook_events table: what ingest records and what the worker claims (SQL only; the rules live in
services/webhooks/ingest.py).

    insert(db, values, checked) -> (row id, "received" | "dropped") | None (None: the event id is recorded already)
    forget(db, row_id)                       a row whose queue message could not be sent (Shopify will retry)
    claim(db, row_id, lease_until) -> bool   received/failed -> processing, attempts + 1
    renew(db, row_id, lease_until)
    mark_failed(db, row_id, error)

The ingest hot path (issue 19) is ONE Core statement on a pooled connection in autocommit: no ORM session, no
SELECT before the INSERT, no BEGIN/COMMIT round trips, no pre-ping. "Is the shop installed?" is an EXISTS
inside the INSERT ... SELECT, RETURNING gives the row id and status back, and the payload is bound as the
signed body's own JSON text. The UNIQUE event id refuses a second delivery (no read-then-write race), and the
row has committed when `insert` returns, so before the 200.
"""
from __future__ import annotations

import threading
from contextlib import nullcontext
from datetime import datetime

from sqlalchemy import JSON, Text, bindparam, case, cast, delete, exists, insert, literal, update
from sqlalchemy import select as sa_select
from sqlalchemy.exc import IntegrityError

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
