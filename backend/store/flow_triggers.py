"""`flow_triggers` and `flow_settings`: armed Flow triggers (arm, claim what is due, record the outcome) and
each shop's reminder days. The use case is services/flow/schedule.py.

    arm(db, shop, order_id, armed: [Armed-like], now, kinds)      # after every applied decision
    claim_due(db, now) -> [FlowTrigger]                           # rows this worker now owns
    renew(db, row, now) -> bool                                   # just before sending: still this claim?
    finish(db, row, status, error=None, retry_at=None)
    set_reminder_days(db, shop, days, kinds=(), fire_at_for=None) -> rows moved

"Once per order and deadline" is the unique key (shop, order, trigger, deadline): a new decision with the same
deadline (a restart, a policy change that keeps it, another worker) finds the row already there; a changed
deadline cancels the armed row and arms a new one. A row is claimed by one conditional UPDATE (status armed →
sending, a lease, attempts + 1), so of several workers exactly one sends it. `attempts` fences each claim:
`renew` and `finish` change the row only while it is still that claim, so a worker whose lease ran out and
whose row was claimed again neither sends nor records. A worker that dies mid-send leaves a lease that runs
out; the next sweep arms the row again, and its next attempt reads the trigger's receipt on the order before
sending (services/flow/triggers.py): at most once, none lost.
"""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import select

from backend.store.models import FlowSettings, FlowTrigger, utcnow

# Longer than one send can last: the Admin client's attempts on a 429/THROTTLED (never applied) are at most
# 6 × (20 s timeout + 30 s backoff) = 5 minutes, and a timeout or 5xx is not resent (resend=False).
LEASE = timedelta(minutes=15)
BATCH = 100


def reminder_days(db, shop: str) -> int | None:
    """The shop's own setting, None when it has none."""
    with db.session() as s:
        return reminder_days_in(s, shop)


def reminder_days_in(session, shop: str) -> int | None:
    """`reminder_days` inside the caller's transaction."""
    row = session.get(FlowSettings, shop)
    return row.reminder_days if row is not None else None


def set_reminder_days(db, shop: str, days: int, kinds=(), fire_at_for=None) -> int:
    """Store the shop's reminder days and, in the same transaction, move its armed rows of these trigger
    `kinds` to `fire_at_for(deadline)`. Returns how many rows moved."""
    moved = 0
    with db.session() as s:
        row = s.get(FlowSettings, shop) or FlowSettings(shop_domain=shop)
        row.reminder_days, row.updated_at = days, utcnow()
        s.add(row)
        if fire_at_for is None or not kinds:
            return 0
        armed = list(s.exec(select(FlowTrigger.id, FlowTrigger.deadline).where(
            FlowTrigger.shop_domain == shop, FlowTrigger.status == "armed", FlowTrigger.trigger.in_(kinds))))
        for row_id, deadline in armed:
            moved += _set(s, row_id, "armed", fire_at=fire_at_for(deadline))
    return moved


def _insert(session):
    return (pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert)(FlowTrigger)


def arm(db, shop: str, order_id: str, armed: list, now: datetime, kinds) -> None:
    """The order's rows of these trigger `kinds` made to match `armed` (items with trigger, deadline, fire_at)."""
    with db.session() as s:
        arm_in(s, shop, order_id, armed, now, kinds)


def arm_in(s, shop: str, order_id: str, armed: list, now: datetime, kinds) -> None:
    """`arm` inside the caller's transaction (the pipeline's: armed with the decision it records)."""
    wanted = {(a.trigger, a.deadline): a for a in armed}
    rows = list(s.exec(select(FlowTrigger).where(FlowTrigger.shop_domain == shop,
                                                 FlowTrigger.order_id == order_id,
                                                 FlowTrigger.trigger.in_(kinds))))
    have = {(r.trigger, r.deadline): r for r in rows}
    for key, row in have.items():
        if row.status == "armed" and key not in wanted:
            _set(s, row.id, "armed", status="cancelled")  # the deadline moved: this one will not come
        elif row.status == "cancelled" and key in wanted:
            _set(s, row.id, "cancelled", status="armed", fire_at=wanted[key].fire_at)  # it moved back
    fresh = [a for key, a in wanted.items() if key not in have]
    if fresh:
        s.execute(_insert(s).values([
            {"shop_domain": shop, "order_id": order_id, "trigger": a.trigger, "deadline": a.deadline,
             "fire_at": a.fire_at, "status": "armed", "attempts": 0, "created_at": now, "updated_at": now}
            for a in fresh]).on_conflict_do_nothing())  # another worker armed it first: same row


def _set(session, row_id: int, expected: str, **values) -> bool:
    values["updated_at"] = utcnow()
    result = session.execute(update(FlowTrigger).where(FlowTrigger.id == row_id, FlowTrigger.status == expected)
                             .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def claim_due(db, now: datetime) -> list[FlowTrigger]:
    with db.session() as s:
        s.execute(update(FlowTrigger).where(FlowTrigger.status == "sending", FlowTrigger.lease_until < now)
                  .values(status="armed", updated_at=now).execution_options(synchronize_session=False))
        ids = list(s.exec(select(FlowTrigger.id).where(FlowTrigger.status == "armed", FlowTrigger.fire_at <= now)
                          .order_by(FlowTrigger.fire_at).limit(BATCH)))
    claimed = []
    for row_id in ids:
        with db.session() as s:
            if _set(s, row_id, "armed", status="sending", lease_until=now + LEASE,
                    attempts=FlowTrigger.attempts + 1):
                claimed.append(row_id)
    with db.session() as s:
        rows = list(s.exec(select(FlowTrigger).where(FlowTrigger.id.in_(claimed)))) if claimed else []
        for row in rows:
            s.expunge(row)
    return rows


def renew(db, row: FlowTrigger, now: datetime) -> bool:
    """Just before the send: is the claim still ours (same attempt, still sending)? Renews the lease if so."""
    with db.session() as s:
        return _fenced(s, row, lease_until=now + LEASE)


def _fenced(session, row: FlowTrigger, **values) -> bool:
    values["updated_at"] = utcnow()
    result = session.execute(update(FlowTrigger).where(FlowTrigger.id == row.id, FlowTrigger.status == "sending",
                                                       FlowTrigger.attempts == row.attempts)
                             .values(**values).execution_options(synchronize_session=False))
    return result.rowcount == 1


def finish(db, row: FlowTrigger, status: str, error: str | None = None, retry_at: datetime | None = None) -> None:
    """Record the outcome of this claim (nothing, when the row was claimed again since)."""
    values = {"status": status, "lease_until": None, "last_error": error[:4000] if error else None}
    if status == "sent":
        values["sent_at"] = utcnow()
    if retry_at is not None:
        values["fire_at"] = retry_at
    with db.session() as s:
        _fenced(s, row, **values)


def rows_for(db, shop: str, order_id: str | None = None) -> list[FlowTrigger]:
    with db.session() as s:
        q = select(FlowTrigger).where(FlowTrigger.shop_domain == shop).order_by(FlowTrigger.id)
        if order_id is not None:
            q = q.where(FlowTrigger.order_id == str(order_id))
        rows = list(s.exec(q))
        for row in rows:
            s.expunge(row)
        return rows

