"""The webhook_events table: what ingest records and what the worker claims (SQL only; the rules live in
services/webhooks/ingest.py).

    insert(db, values, checked) -> (row id, "received" | "dropped") | None (None: the event id is recorded already)
    forget(db, row_id)                       a row whose queue message could not be sent (Shopify will retry)
    claim(db, row_id, lease_until) -> bool   received/failed -> processing, attempts + 1
    renew(db, row_id, lease_until)
    mark_failed(db, row_id, error)
    take_unqueued(db, lease_until, limit) -> [row id]   the outbox: recorded rows nothing has queued yet
    requeue_lapsed, retry_failed, not_done, health    rows no worker finished (services/webhooks/recovery.py
                                                      says when a row counts as lost), the Activity section

The ingest hot path (issue 19) is ONE statement, `INSERT ... SELECT ... ON CONFLICT (event_id) DO NOTHING
RETURNING id, status`, sent through the database driver itself on a pooled connection: no ORM object, no
SQLAlchemy statement execution (its compile-cache lookup, execution context and result wrapping took more CPU
than the database did: about half of an acknowledged webhook's server CPU), no SELECT before the INSERT, and on
PostgreSQL no BEGIN/COMMIT round trips (the connection is in autocommit for that one statement, and psycopg
prepares it server-side). "Is the shop installed?" is an EXISTS inside the statement; RETURNING gives the row id
and status back; the payload is bound as the signed body's own JSON text. The UNIQUE event id makes a second
delivery insert nothing (no read-then-write race, no error raised and logged by the server), and the row has
committed when `insert` returns, so before the 200.

What "committed" survives (decided for issue 19, kept): on PostgreSQL, the server's own durability (fsync of
the WAL at each commit, shared by concurrent commits). On SQLite the app's database runs WAL with
synchronous=NORMAL (backend/store/db.py): a commit is written into the WAL file before `insert` returns, but
fsynced only at checkpoints (run after the commit by store/db.py's WalCheckpoints, outside the writers'
mutex; SQLite's own in-commit one only as a backstop). A crash of a web server process (a granian or gunicorn
worker, or the server itself) or of the huey worker loses no acknowledged webhook (the bytes are in the
operating system's cache, and the next opener replays the WAL). A power cut or a kernel crash may roll back the last commits before the checkpoint, and Shopify does not re-send what was
acknowledged. synchronous=FULL would close that window at one fsync per webhook, which on this disk capped
ingest at about 300/s; SQLite is the embedded default for one machine, and a deployment that must survive
power loss runs PostgreSQL (README, "Scale out: PostgreSQL, Redis, several workers").
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta
from typing import Callable

from sqlalchemy import and_, delete, func, or_, update
from sqlalchemy.dialects import sqlite
from sqlmodel import select

from backend.store.db import driver_connection, wal_checkpoints
from backend.store.models import Shop, WebhookEvent, utcnow

_INSERT = """INSERT INTO webhook_events
    (event_id, topic, shop_domain, triggered_at, received_at, attempts, webhook_id, payload, status)
SELECT {event_id}, {topic}, {shop}, {triggered_at}, {received_at}, 0, {webhook_id}, {payload}, {status}
FROM (SELECT EXISTS (SELECT 1 FROM shops WHERE domain = {shop} AND uninstalled_at IS NULL) AS installed) AS shop
WHERE {valid}
ON CONFLICT (event_id) DO NOTHING
RETURNING id, status"""  # `WHERE true`: SQLite's parser needs a WHERE between INSERT ... SELECT and ON CONFLICT


def _insert_sql(marks: dict[str, str], checked: bool, valid: str = "true") -> str:
    """One delivery's INSERT in the driver's own parameter style. `checked`: rows of a shop that is not
    installed are stored `dropped`, without their payload (the shop's data is not ours to hold). `valid`: the
    condition on the payload text (the unparsed path's "is it JSON?", see `insert`)."""
    if checked:
        return _INSERT.format(**{**marks, "payload": f"CASE WHEN shop.installed THEN {marks['payload']} END"},
                              status="CASE WHEN shop.installed THEN 'received' ELSE 'dropped' END", valid=valid)
    return _INSERT.format(**marks, status="'received'", valid=valid)


_NAMES = ("event_id", "topic", "shop", "triggered_at", "received_at", "webhook_id", "payload")
_SQLITE_MARKS = {n: f":{n}" for n in _NAMES}
_POSTGRES_MARKS = {**{n: f"%({n})s" for n in _NAMES}, "payload": "%(payload)s::json",
                   "triggered_at": "%(triggered_at)s::timestamptz",  # typed even when NULL
                   "received_at": "%(received_at)s::timestamptz"}
_SQLITE = {checked: _insert_sql(_SQLITE_MARKS, checked) for checked in (False, True)}
_POSTGRES = {checked: _insert_sql(_POSTGRES_MARKS, checked) for checked in (False, True)}
# The unparsed path (`unparsed=True`): the database checks that the text is JSON. SQLite's json_valid is strict
# RFC 8259 (its JSON5 reading is only for other functions); a text it refuses inserts nothing. PostgreSQL's json
# input function refuses it with a data exception (SQLSTATE class 22): in the payload's cast when the shop is
# installed, in the WHERE when it is not (that row keeps no payload), so the text is read once either way.
_SQLITE_UNPARSED = _insert_sql(_SQLITE_MARKS, True, valid="json_valid(:payload)")
_POSTGRES_UNPARSED = _insert_sql(_POSTGRES_MARKS, True, valid="(shop.installed OR %(payload)s::json IS NOT NULL)")

# A datetime as SQLAlchemy's SQLite dialect stores the column (text, no zone), so a row reads back as one it wrote.
_SQLITE_STAMP = WebhookEvent.__table__.c.received_at.type.dialect_impl(sqlite.dialect()).bind_processor(sqlite.dialect())

# SQLite has one writer per file, and a writer that finds it busy sleeps in SQLite's busy handler (1, 2, 5,
# 10 ... 100 ms) while others take their turn: with a gunicorn worker's threads all inserting, that made
# the acknowledgement tail hundreds of ms. Threads of one process take turns on a mutex instead (woken at
# once); only the few processes still meet in the busy handler. Not needed for PostgreSQL.
_SQLITE_WRITER = threading.Lock()


def insert(db, *, event_id: str, topic: str, shop: str, triggered_at: datetime | None, payload: str,
           webhook_id: str | None, checked: bool, unparsed: bool = False) -> tuple[int, str] | None:
    """`unparsed`: `payload` was not parsed by the app, and the statement itself checks that it is JSON text
    (only with `checked`). Then None means "not inserted": a duplicate, or a text the database does not take
    for JSON; the caller parses it and calls again without `unparsed` to tell the two apart."""
    values = {"event_id": event_id, "topic": topic, "shop": shop, "triggered_at": triggered_at,
              "received_at": utcnow(), "payload": payload, "webhook_id": webhook_id}
    if unparsed and not checked:
        raise ValueError("the unparsed insert is only for checked topics")
    engine = db.engine
    if engine.dialect.name == "sqlite":
        # the column type's own conversion, so a row reads back exactly as one SQLAlchemy wrote
        values["triggered_at"] = _SQLITE_STAMP(triggered_at)
        values["received_at"] = _SQLITE_STAMP(values["received_at"])
        with _SQLITE_WRITER:
            row = _run(engine, _SQLITE_UNPARSED if unparsed else _SQLITE[checked], values, autocommit=False)
        checkpoints = wal_checkpoints(engine.url.database, _SQLITE_WRITER)
        if checkpoints is not None:  # after the commit, outside the mutex (store/db.py, WalCheckpoints)
            checkpoints.committed()
        return row
    if engine.dialect.name == "postgresql":
        if not unparsed:
            return _run(engine, _POSTGRES[checked], values, autocommit=True)
        try:
            return _run(engine, _POSTGRES_UNPARSED, values, autocommit=True)
        except Exception as exc:
            if str(getattr(exc, "sqlstate", "") or "").startswith("22"):  # data exception: not JSON text
                return None
            raise
    raise NotImplementedError(f"webhook ingest has no statement for {engine.dialect.name}")


def _run(engine, sql: str, values: dict, *, autocommit: bool) -> tuple[int, str] | None:
    """`sql` on a pooled driver connection (store/db.py); committed when this returns."""
    with driver_connection(engine, autocommit=autocommit) as conn:
        cursor = conn.cursor()
        try:
            if autocommit:
                cursor.execute(sql, values, prepare=True)  # psycopg: parsed and planned once per connection
            else:
                cursor.execute(sql, values)
            row = cursor.fetchone()
        finally:
            cursor.close()
        if not autocommit:
            conn.commit()
    return (row[0], row[1]) if row else None


def shop_gone(s, domain: str) -> bool:
    """In the worker's session: is the shop unknown or uninstalled (its events are dropped, not processed)?"""
    shop = s.exec(select(Shop).where(Shop.domain == domain)).first()
    return shop is None or shop.uninstalled_at is not None


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


def take_unqueued(db, lease_until, limit: int = 500) -> list[int]:
    """Recorded events no message was sent for (`received`, no lease: on SQLite the ingest route does not queue
    them, the row is the queue entry), oldest first, marked with `lease_until` in the same statement so a
    second poller never takes them too; the caller queues each. A row whose message is lost waits for the
    sweep (`requeue_lapsed`) as any other."""
    waiting = (select(WebhookEvent.id).where(WebhookEvent.status == "received", WebhookEvent.lease_until.is_(None))
               .order_by(WebhookEvent.id).limit(limit))
    # A read first, on its own (autocommit): an idle poll, several a second, then takes no write lock on the file
    # the ingest route commits to. Not in the update's transaction: on SQLite a read that turns into a write
    # fails at once (SQLITE_BUSY) when another writer committed in between, where a transaction that starts
    # with its write waits its turn. The update re-checks each row, so a row taken meanwhile is not taken twice.
    if not db.read(lambda conn: conn.execute(waiting.limit(1)).first()):
        return []
    with db.session() as s:
        ids = s.exec(update(WebhookEvent).where(WebhookEvent.id.in_(waiting.scalar_subquery()),
                                                 WebhookEvent.status == "received", WebhookEvent.lease_until.is_(None))
                     .values(lease_until=lease_until).returning(WebhookEvent.id)).all()
    return sorted(row_id for (row_id,) in ids)


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
