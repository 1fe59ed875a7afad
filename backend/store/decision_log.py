"""`decision_log`: one row per applied (or failed) decision, newest last."""
from __future__ import annotations

from sqlmodel import select

from backend.store.models import DecisionLogEntry


def record_failure(db, shop: str, order_id: str, trigger: str, error: str) -> None:
    """A decision that could not be applied: kept beside the applied ones, with its error."""
    with db.session() as s:
        s.add(DecisionLogEntry(shop_domain=shop, order_id=order_id, trigger=trigger, input={},
                               write_result="failed", error=error[:4000]))


def recent(db, shop: str, limit: int) -> list[DecisionLogEntry]:
    with db.session() as s:
        return list(s.exec(select(DecisionLogEntry).where(DecisionLogEntry.shop_domain == shop)
                           .order_by(DecisionLogEntry.id.desc()).limit(limit)))
