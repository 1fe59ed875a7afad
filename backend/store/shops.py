"""`shops`: one row per installed (or uninstalled) shop: its encrypted tokens, settings and active policy."""
from __future__ import annotations

from typing import Callable, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from backend.store.models import Shop

T = TypeVar("T")


def get(db, domain: str) -> Shop | None:
    with db.session() as s:
        return s.exec(select(Shop).where(Shop.domain == domain)).first()


def listing(db) -> list[Shop]:
    """Every shop the app knows, by domain."""
    with db.session() as s:
        return list(s.exec(select(Shop).order_by(Shop.domain)))


def installed_domains(db) -> list[str]:
    """Domains of the shops installed now (a stored token, not uninstalled), by domain."""
    with db.session() as s:
        return list(s.exec(select(Shop.domain).where(Shop.uninstalled_at.is_(None),
                                                     Shop.access_token_encrypted.is_not(None)).order_by(Shop.domain)))


# --- within a caller's Session -------------------------------------------------------------------

def find(s: Session, domain: str) -> Shop | None:
    return s.exec(select(Shop).where(Shop.domain == domain)).first()


def find_for_update(s: Session, domain: str) -> Shop | None:
    """The shop row locked until the session ends (a row lock on PostgreSQL; SQLite has one writer anyway)."""
    return s.exec(select(Shop).where(Shop.domain == domain).with_for_update()).first()


def upsert(db, domain: str, change: Callable[[Shop], T]) -> T:
    """Apply `change` to the shop's row (a new one when the shop is unknown) and commit; returns what
    `change` returns. Two concurrent creators: the loser's insert fails and it updates the winner's row."""
    for attempt in (1, 2):
        try:
            with db.session() as s:
                shop = find(s, domain) or Shop(domain=domain)
                result = change(shop)
                s.add(shop)
            return result
        except IntegrityError:  # another request created the row first: update it instead
            if attempt == 2:
                raise
    raise AssertionError("unreachable")
