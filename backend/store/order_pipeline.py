"""The order pipeline's statements on `order_states`, `shops` and `decision_log` (services/orders: state.py
ingests facts, apply_decision.py decides and records, locks.py leases an order's row).

    load(session, shop, order_id)                       the order's row (or None)
    shop_domain_holding(db, shop, order_id)             another shop that holds the order id
    retrying(db, fn)                                    fn(session) in a transaction, again on a write race
    insert(session, state) / update_facts(session, state, seen_revision)   optimistic writes (Conflict)
    mark(session, state_id, **values)                   the pipeline's own columns
    active_policy(session, shop)                        the shop's active policy name
    log_decision(session, **fields)                     one decision_log row
    take_lease / renew_lease / release_lease(_in)       the row lease (locks.py without Redis)
"""
from __future__ import annotations

import time
from datetime import timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError, OperationalError
from sqlmodel import Session, select

from backend.store.models import DecisionLogEntry, OrderState, Shop, utcnow

ATTEMPTS = 8
# not `tags_written`: only the pipeline writes it (ingest sets it on insert only), and an ingest that read
# the row before the pipeline's write would otherwise put back the stale value (a lost update)
FACT_COLUMNS = ("order_updated_at", "last_triggered_at", "cancelled_at", "facts", "fulfillments", "revision",
                "updated_at")


class Conflict(Exception):
    """Another writer changed the row between our read and our write."""


def load(session: Session, shop: str, order_id: str) -> OrderState | None:
    return session.exec(select(OrderState).where(
        OrderState.shop_domain == shop, OrderState.order_id == order_id)).first()


def load_detached(session: Session, shop: str, order_id: str) -> OrderState | None:
    """Read for an optimistic update: detached, so no autoflush writes it behind the revision check."""
    state = load(session, shop, order_id)
    if state is not None:
        session.expunge(state)
    return state


def shop_domain_holding(db, shop: str, order_id: str) -> str | None:
    """The shop other than `shop` whose stored orders include this order id, if any."""
    with db.session() as session:
        return session.exec(select(OrderState.shop_domain).where(
            OrderState.order_id == str(order_id), OrderState.shop_domain != shop)).first()


def retrying(db, fn):
    """Run fn(session) in its own transaction; retry on a concurrent insert/update of the same row."""
    for attempt in range(ATTEMPTS):
        try:
            with db.session() as session:
                return fn(session)
        except (IntegrityError, OperationalError, Conflict):
            if attempt == ATTEMPTS - 1:
                raise
            time.sleep(0.01 * (attempt + 1))


def save(session: Session, state: OrderState, seen_revision: int | None) -> None:
    """Insert, or update the fact columns only if nobody bumped the revision meanwhile (optimistic concurrency:
    `Conflict` otherwise)."""
    state.updated_at = utcnow()
    if seen_revision is None:
        session.add(state)
        session.flush()
        return
    values = {c: getattr(state, c) for c in FACT_COLUMNS}
    result = session.execute(update(OrderState).where(OrderState.id == state.id, OrderState.revision == seen_revision)
                             .values(**values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise Conflict()


def mark(session: Session, state_id: int, **values) -> None:
    """Update only the named columns (ingest may be changing facts concurrently); `updated_at` with them."""
    values["updated_at"] = utcnow()
    session.execute(update(OrderState).where(OrderState.id == state_id).values(**values)
                    .execution_options(synchronize_session=False))


def active_policy(session: Session, shop: str) -> str | None:
    return session.exec(select(Shop.active_policy).where(Shop.domain == shop)).first()


def log_decision(session: Session, **fields) -> None:
    session.add(DecisionLogEntry(**fields))


def take_lease(db, shop: str, order_id: str, owner: str, ttl: float) -> bool:
    """The order's row leased to `owner` for `ttl` seconds, in one conditional UPDATE: True if it was free
    (or its lease had lapsed)."""
    now = utcnow()
    with db.session() as session:
        result = session.execute(
            update(OrderState)
            .where(OrderState.shop_domain == shop, OrderState.order_id == order_id,
                   or_(OrderState.lock_owner.is_(None), OrderState.lock_expires_at < now))
            .values(lock_owner=owner, lock_expires_at=now + timedelta(seconds=ttl))
            .execution_options(synchronize_session=False))
        return result.rowcount == 1


def renew_lease(db, shop: str, order_id: str, owner: str, ttl: float) -> None:
    with db.session() as session:
        session.execute(update(OrderState)
                        .where(OrderState.shop_domain == shop, OrderState.order_id == order_id,
                               OrderState.lock_owner == owner)
                        .values(lock_expires_at=utcnow() + timedelta(seconds=ttl))
                        .execution_options(synchronize_session=False))


def release_lease(db, shop: str, order_id: str, owner: str) -> None:
    with db.session() as session:
        release_lease_in(session, shop, order_id, owner)


def release_lease_in(session: Session, shop: str, order_id: str, owner: str) -> None:
    """The lease given up in the caller's transaction (only while `owner` still holds it)."""
    session.execute(update(OrderState)
                    .where(OrderState.shop_domain == shop, OrderState.order_id == order_id,
                           OrderState.lock_owner == owner)
                    .values(lock_owner=None, lock_expires_at=None)
                    .execution_options(synchronize_session=False))
