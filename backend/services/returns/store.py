"""Shopify returns as the returns/* webhooks tell them: one `returns` row per return, for the deciding layer.

`returns/request` records a return in `requested` (Shopify's customer-account `orderRequestReturn`, or an
app's `returnRequest`, sends it); the other topics move its status. Deliveries may arrive out of order
(Shopify does not promise order): a status is applied only when its event was triggered no earlier than
the one that set the current status, and a late `returns/request` never turns an approved, declined or
cancelled return back into a request. A body that names no return is ignored, not failed (retrying it
cannot help).
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from backend.shopify.payloads.returns import NotAReturn, return_from_webhook
from backend.store import returns as returns_repo
from backend.store.models import ReturnRecord, WebhookEvent, utcnow

log = logging.getLogger(__name__)


def handle_return_request(s, event: WebhookEvent) -> str:
    facts = _facts(event)
    if facts is None:
        return "ignored"
    row = find(s, event.shop_domain, facts["id"])
    if row is None:
        row = _new_row(event, facts)
        row.status, row.status_at = "requested", _when(event)
        s.add(row)
    _fill(row, facts)
    row.requested_at = row.requested_at or _when(event)
    return "done"


def handle_return_status(s, event: WebhookEvent) -> str:
    facts = _facts(event)
    if facts is None or facts["status"] is None:
        return "ignored"
    row = find(s, event.shop_domain, facts["id"])
    if row is None:  # its returns/request is late or lost: the status still counts
        row = _new_row(event, facts)
        s.add(row)
    _fill(row, facts)
    when = _when(event)
    if row.status_at is None or when is None or when >= _aware(row.status_at):
        row.status, row.status_at = facts["status"], when or row.status_at
        if facts["decline"]:
            row.decline_reason, row.decline_note = facts["decline"]["reason"], facts["decline"]["note"]
    else:
        log.info("return %s of %s: %s triggered before the current status %s, kept", facts["id"],
                 event.shop_domain, event.topic, row.status)
    return "done"


def find(s, shop: str, return_id: str) -> ReturnRecord | None:
    return returns_repo.get(s, shop, return_id)


def list_returns(s, shop: str, status: str | None = None) -> list[ReturnRecord]:
    return returns_repo.in_id_order(s, shop, status)


def _facts(event: WebhookEvent) -> dict | None:
    try:
        return return_from_webhook(event.payload, event.topic)
    except NotAReturn as exc:
        log.warning("%s from %s not recorded: %s", event.topic, event.shop_domain, exc)
        return None


def _new_row(event: WebhookEvent, facts: dict) -> ReturnRecord:
    return ReturnRecord(shop_domain=event.shop_domain, return_id=facts["id"], status=facts["status"] or "requested")


def _fill(row: ReturnRecord, facts: dict) -> None:
    row.order_id = row.order_id or facts["order_id"]
    if facts["line_count"] is not None:
        row.line_count = facts["line_count"]
    row.updated_at = utcnow()


def _when(event: WebhookEvent) -> datetime | None:
    return _aware(event.triggered_at) if event.triggered_at else None


def _aware(value: datetime) -> datetime:
    """SQLite hands timestamps back without their zone; every stored one is UTC."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
