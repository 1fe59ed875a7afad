"""`shops`: one row per installed (or uninstalled) shop: its encrypted tokens, settings and active policy."""
from __future__ import annotations

from sqlmodel import select

from backend.store.models import Shop


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
