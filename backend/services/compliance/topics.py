"""The mandatory compliance topics: customers/data_request, customers/redact, shop/redact.

Every table that holds personal data takes part through `PERSONAL_DATA`, a
registry of `PersonalData(name, find, redact_customer, redact_shop)`; a new
table adds one entry (here, or with `register()` from its own module, imported
by the app). For shop/redact, every table with a `shop_domain` column is emptied
of the shop's rows unless its entry says otherwise, so a new table is covered
from day one. Each request leaves a `ComplianceRecord`: a data request keeps
the report the merchant must hand over; a redaction keeps only counts.
"""
from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Callable, Iterable, Optional

from backend.store import redaction
from backend.store.models import ComplianceRecord, WebhookEvent

log = logging.getLogger(__name__)

EMAIL_KEYS = ("email", "contact_email", "customer_email")
KEPT_ON_SHOP_REDACT = {"compliance_records"}  # redaction logs: counts only, no personal data


@dataclass(frozen=True)
class Customer:
    """Whom a compliance request is about."""

    shop: str
    id: str | None
    email: str | None
    phone: str | None
    order_ids: frozenset[str]

    @property
    def gid(self) -> str | None:
        return f"gid://shopify/Customer/{self.id}" if self.id else None

    @classmethod
    def from_payload(cls, shop: str, payload: dict) -> "Customer":
        who = payload.get("customer") or {}
        orders = payload.get("orders_to_redact") or payload.get("orders_requested") or []
        email = who.get("email")
        return cls(shop=shop, id=str(who["id"]) if who.get("id") is not None else None,
                   email=email.strip().lower() if isinstance(email, str) and email.strip() else None,
                   phone=who.get("phone") or None, order_ids=frozenset(str(o) for o in orders))


@dataclass(frozen=True)
class PersonalData:
    name: str
    # each takes the Session of the webhook's transaction first
    find: Optional[Callable[..., list]] = None           # (s, Customer): data for a data request
    redact_customer: Optional[Callable[..., int]] = None  # (s, Customer): rows deleted or scrubbed
    redact_shop: Optional[Callable[..., int]] = None      # (s, shop): default, delete by shop_domain


def mentions(payload, who: Customer) -> bool:
    """Does a Shopify payload name this customer (id, GID, email) or one of their orders?"""
    if isinstance(payload, dict):
        if _top_level_order(payload, who):
            return True
        return any(_node_mentions(node, who) for node in _walk(payload))
    return False


def _top_level_order(payload: dict, who: Customer) -> bool:
    for key in ("order_id", "id"):
        if key in payload and str(payload[key]) in who.order_ids and ("order_number" in payload or key == "order_id"):
            return True
    return False


def _walk(node) -> Iterable[dict]:
    if isinstance(node, dict):
        yield node
        for value in node.values():
            yield from _walk(value)
    elif isinstance(node, list):
        for value in node:
            yield from _walk(value)


def _node_mentions(node: dict, who: Customer) -> bool:
    customer = node.get("customer")
    if who.id and isinstance(customer, dict) and str(customer.get("id")) == who.id:
        return True
    if who.gid and node.get("admin_graphql_api_id") == who.gid:
        return True
    return bool(who.email) and any(isinstance(node.get(k), str) and node[k].strip().lower() == who.email
                                   for k in EMAIL_KEYS)


# --- built-in participants ------------------------------------------------------------------

def _find_events(s, who: Customer) -> list:
    return [{"event_id": e.event_id, "topic": e.topic, "received_at": e.received_at.isoformat(),
             "payload": e.payload} for e in redaction.events_with_payload(s, who.shop) if mentions(e.payload, who)]


def _scrub_events(s, who: Customer) -> int:
    """Keep the event rows (their ids keep redelivery idempotent), drop the payloads."""
    count = 0
    for event in redaction.events_with_payload(s, who.shop):
        if mentions(event.payload, who):
            event.payload = None
            s.add(event)
            count += 1
    return count


def _delete_reports(s, who: Customer) -> int:
    return redaction.delete_data_reports(s, who.shop, customer_id=who.id) if who.id else 0


def _delete_shop_reports(s, shop: str) -> int:
    return redaction.delete_data_reports(s, shop)


PERSONAL_DATA: dict[str, PersonalData] = {
    "webhook_events": PersonalData("webhook_events", find=_find_events, redact_customer=_scrub_events),
    "compliance_records": PersonalData("compliance_records", redact_customer=_delete_reports,
                                       redact_shop=_delete_shop_reports),
}


def register(entry: PersonalData) -> PersonalData:
    PERSONAL_DATA[entry.name] = entry
    return entry


from backend.services.compliance import pipeline_tables  # noqa: E402,F401  (order_states, decision_log, pipeline_jobs)


# --- the three topics -----------------------------------------------------------------------

def handle_data_request(s, event: WebhookEvent) -> str:
    request_id = ((event.payload or {}).get("data_request") or {}).get("id")
    if request_id is not None and _already_reported(s, event.shop_domain, request_id):
        log.info("data request %s of %s already reported: not repeated", request_id, event.shop_domain)
        return "ignored"
    who = Customer.from_payload(event.shop_domain, event.payload or {})
    found = {name: entry.find(s, who) for name, entry in PERSONAL_DATA.items() if entry.find}
    found["webhook_events"] = [e for e in found.get("webhook_events", []) if e["event_id"] != event.event_id]
    report = {"data_request_id": request_id, "customer_id": who.id, "found": found}
    s.add(ComplianceRecord(shop_domain=event.shop_domain, topic=event.topic, webhook_event_id=event.event_id,
                           customer_id=who.id, report=report))
    log.info("data request %s for customer %s of %s: %s", request_id, who.id, event.shop_domain,
             {k: len(v) for k, v in found.items()})
    return "done"


def _already_reported(s, shop: str, request_id) -> bool:
    """One report per data request (its signed `data_request.id`), however many deliveries carry it."""
    return any((r or {}).get("data_request_id") == request_id for r in redaction.data_request_reports(s, shop))


def handle_customer_redact(s, event: WebhookEvent) -> str:
    who = Customer.from_payload(event.shop_domain, event.payload or {})
    deleted = {name: entry.redact_customer(s, who) for name, entry in PERSONAL_DATA.items() if entry.redact_customer}
    deleted = {name: count for name, count in deleted.items() if count}  # as shop/redact: what was touched
    event.payload = None
    s.add(ComplianceRecord(shop_domain=event.shop_domain, topic=event.topic, webhook_event_id=event.event_id,
                           customer_id=who.id, report={"deleted": deleted}))
    log.info("redacted customer %s of %s: %s", who.id, event.shop_domain, deleted)
    return "done"


def handle_shop_redact(s, event: WebhookEvent) -> str:
    shop = event.shop_domain
    deleted: dict[str, int] = {}
    for table, by_shop in redaction.shop_tables():
        entry = PERSONAL_DATA.get(table)
        if entry and entry.redact_shop:
            deleted[table] = entry.redact_shop(s, shop)
        elif table == WebhookEvent.__tablename__:
            deleted[table] = redaction.delete_shop_events(s, shop, keep_id=event.id)
        elif by_shop and table not in KEPT_ON_SHOP_REDACT:
            deleted[table] = redaction.delete_shop_rows(s, table, shop)
    deleted["shops"] = redaction.delete_shop(s, shop)
    event.payload = None
    s.add(ComplianceRecord(shop_domain=shop, topic=event.topic, webhook_event_id=event.event_id,
                           report={"deleted": {k: v for k, v in deleted.items() if v}}))
    log.info("redacted shop %s: %s", shop, {k: v for k, v in deleted.items() if v})
    return "done"
