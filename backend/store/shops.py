"""`shops`: one row per installed (or uninstalled) shop: its encrypted tokens, settings and active policy."""
from __future__ import annotations

from sqlmodel import select

from backend.store.models import Shop


def get(db, domain: str) -> Shop | None:
    with db.session() as s:
        return s.exec(select(Shop).where(Shop.domain == domain)).first()
