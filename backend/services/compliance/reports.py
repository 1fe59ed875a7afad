"""Customer data requests for the merchant: the reports `customers/data_request` left (services.compliance.topics),
listed in the admin page, downloaded from it, and exported with `fineprint compliance export`.

Shopify asks the app to hand the customer's data to the merchant, who answers the customer: a report is
readable only by its own shop, and a redaction (customers/redact, shop/redact) deletes it with the rest.
"""
from __future__ import annotations

from backend.errors import NotFound
from backend.store import compliance_records
from backend.store.models import ComplianceRecord

TOPIC = "customers/data_request"


def _summary(row: ComplianceRecord) -> dict:
    found = (row.report or {}).get("found") or {}
    return {"id": row.id, "customer_id": row.customer_id, "data_request_id": (row.report or {}).get("data_request_id"),
            "requested_at": row.created_at.isoformat() if row.created_at else None,
            "records": {name: len(items) for name, items in found.items() if items}}


def listing(db, shop: str, limit: int = 50) -> list[dict]:
    """The shop's data requests, newest first, with how many records of each kind each report holds."""
    return [_summary(row) for row in compliance_records.of_topic(db, shop, TOPIC, limit)]


def document(db, shop: str, record_id: int) -> dict:
    """One report as the merchant downloads it; another shop's report is not found."""
    row = compliance_records.get(db, record_id)
    if row is None or row.shop_domain != shop or row.topic != TOPIC:
        raise NotFound(f"no data request {record_id} in this shop", code="unknown_data_request")
    return _document(row)


def export(db, shop: str) -> list[dict]:
    """Every report of the shop, oldest first (the CLI's export)."""
    return [_document(row) for row in compliance_records.of_topic(db, shop, TOPIC, newest_first=False)]


def _document(row: ComplianceRecord) -> dict:
    return {**_summary(row), "shop": row.shop_domain, "found": (row.report or {}).get("found") or {}}
