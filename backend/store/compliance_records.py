"""`compliance_records`: what each compliance webhook did, and the customer data reports kept for the merchant."""
from __future__ import annotations

from sqlmodel import select

from backend.store.models import ComplianceRecord


def of_topic(db, shop: str, topic: str, limit: int | None = None, newest_first: bool = True) -> list[ComplianceRecord]:
    with db.session() as s:
        order = ComplianceRecord.id.desc() if newest_first else ComplianceRecord.id
        query = select(ComplianceRecord).where(ComplianceRecord.shop_domain == shop,
                                               ComplianceRecord.topic == topic).order_by(order)
        return list(s.exec(query if limit is None else query.limit(limit)))


def get(db, record_id: int) -> ComplianceRecord | None:
    with db.session() as s:
        return s.get(ComplianceRecord, record_id)
