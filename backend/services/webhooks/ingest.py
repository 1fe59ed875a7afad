"""Webhooks after verification: record each delivery once, then process it in the worker.

`record()` inserts the event; the UNIQUE event id (`X-Shopify-Event-Id`, the same in
every delivery of one event; the delivery's `X-Shopify-Webhook-Id` is kept beside it)
makes a second delivery of the same event fail to insert (no read-then-write race), and that is answered
"duplicate" and never processed. `process()` (the huey task `process_webhook`)
claims the row with one conditional UPDATE, dispatches on the topic through
`TOPIC_HANDLERS`, and leaves the row `done`, `ignored`, `dropped` or `failed`
(with `attempts` and `last_error`). A claimed row carries a lease: the
pipeline's sweeper (`services/webhooks/recovery.py`) requeues rows a dead
worker left `processing`, and `fineprint jobs retry --webhooks` failed ones.

Adding a topic is one line in `TOPIC_HANDLERS` (and its subscription in
`shopify.app.toml`; a test checks the two agree). A handler is
`handler(session, event) -> str | None`: it runs in the worker's app context,
inside the transaction that marks the event done, so its writes and the status
commit together; it returns None ("done") or a status such as "ignored".
"""
from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable, Mapping, Optional

from backend.errors import AppError, ServiceUnavailable
from backend.services.compliance import topics as compliance
from backend.services.install import lifecycle as install
from backend.services.webhooks import order_events
from backend.services.returns import intake as returns_intake
from backend.services.returns import store as returns_store
from backend.services.orders.locks import renewing
from backend.shopify.oauth import normalize_shop
from backend.store import webhook_events as events
from backend.store.models import WebhookEvent, utcnow

log = logging.getLogger(__name__)

# A handler runs in seconds and renews its claim while it runs (services.orders.locks.renewing): past LEASE
# without renewal its worker is taken for dead. A `received` row waits RECEIVED_GRACE for a consumer
# before the sweeper enqueues it again (its queue message may have died with a consumer).
LEASE = timedelta(seconds=30)
RECEIVED_GRACE = timedelta(seconds=45)

Handler = Callable[[Any, WebhookEvent], Optional[str]]  # (the event's ORM session, the event)

TOPIC_HANDLERS: dict[str, Handler] = {
    "app/uninstalled": install.handle_app_uninstalled,
    "customers/data_request": compliance.handle_data_request,
    "customers/redact": compliance.handle_customer_redact,
    "shop/redact": compliance.handle_shop_redact,
    # order pipeline (issue 5): ingest facts, then one apply_order_task per change
    "orders/create": order_events.handle_order,
    "orders/updated": order_events.handle_order,
    "orders/cancelled": order_events.handle_order,
    "fulfillments/create": order_events.handle_fulfillment,
    "fulfillments/update": order_events.handle_fulfillment,
    "fulfillment_events/create": order_events.handle_fulfillment_event,
    "products/create": order_events.handle_product,
    "products/update": order_events.handle_product,
    "products/delete": order_events.handle_product_delete,
    # Shopify's native returns (issue 15): recorded, then decided by the written policy (services.returns)
    "returns/request": returns_intake.handle_request,
    "returns/update": returns_intake.handle_update,
    "returns/approve": returns_store.handle_return_status,
    "returns/decline": returns_store.handle_return_status,
    "returns/cancel": returns_store.handle_return_status,
    "returns/close": returns_store.handle_return_status,
    "returns/reopen": returns_store.handle_return_status,
    "reverse_fulfillment_orders/dispose": returns_intake.handle_dispose,  # returned items received
}

# Processed even when the shop is unknown or uninstalled (shop/redact comes 48 h after uninstall).
COMPLIANCE_TOPICS = frozenset({"customers/data_request", "customers/redact", "shop/redact"})
ALWAYS_PROCESSED = COMPLIANCE_TOPICS | {"app/uninstalled"}


class MalformedWebhook(AppError):
    status = 400
    code = "malformed_webhook"


class ShopMismatch(AppError):
    """The signed body names a shop and the (unsigned) shop header says another: a rewritten replay."""

    status = 401
    code = "webhook_shop_mismatch"


# Where a topic's signed body names its shop (Shopify's documented payloads, ../shared/shopify/webhooks/
# shopify-docs-examples/2026-01: compliance topics carry `shop_domain`, app/uninstalled the shop object with
# `myshopify_domain`; order and fulfillment bodies name no shop). The body wins; a disagreeing header is refused.
BODY_SHOP_FIELDS = ("shop_domain", "myshopify_domain")


@dataclass(frozen=True)
class Delivery:
    event_id: str     # X-Shopify-Event-Id: the event, the same in every delivery of it (the dedupe key)
    topic: str
    shop: str
    triggered_at: datetime | None  # unsigned: kept for the record, never used to order or accept events
    api_version: str
    webhook_id: str = ""  # X-Shopify-Webhook-Id: this delivery

    @classmethod
    def from_headers(cls, headers: Mapping[str, str]) -> "Delivery":
        lowered = {k.lower(): v for k, v in headers.items()}  # once: names are case-insensitive

        def first(*names: str) -> str:  # the legacy X-Shopify-* spelling, then the new shopify-* one
            return next((lowered[n].strip() for n in names if lowered.get(n)), "")

        topic = first("x-shopify-topic", "shopify-topic").lower()
        raw_shop = first("x-shopify-shop-domain", "shopify-shop-domain")
        webhook_id = first("x-shopify-webhook-id", "shopify-webhook-id")
        # Shopify's guidance (shopify.dev/docs/apps/build/webhooks/ignore-duplicates): the same
        # X-Shopify-Event-Id on more than one webhook marks a duplicate; the webhook id differs per delivery.
        event_id = first("x-shopify-event-id", "shopify-event-id") or webhook_id
        shop = normalize_shop(raw_shop)
        missing = [name for name, value in (("X-Shopify-Topic", topic), ("X-Shopify-Shop-Domain", shop),
                                            ("X-Shopify-Webhook-Id", event_id)) if not value]
        if missing:
            raise MalformedWebhook("required webhook headers are missing or invalid", details={"headers": missing})
        return cls(event_id=event_id[:255], topic=topic[:128], shop=shop, webhook_id=webhook_id[:255],
                   api_version=first("x-shopify-api-version", "shopify-api-version"),
                   triggered_at=_parse_time(first("x-shopify-triggered-at", "shopify-triggered-at")))

    def signed(self, payload: dict) -> "Delivery":
        """This delivery with its shop taken from the signed body where the body names one.

        A header that disagrees is refused; a compliance body that names no shop is malformed (those
        topics delete data, so they act only on a shop that Shopify signed). app/uninstalled names it in
        `myshopify_domain` (null in Shopify's docs example, a hostname in real traffic); when it does not,
        its handler asks Shopify whether the shop's token still works before acting."""
        named = next((payload[f] for f in BODY_SHOP_FIELDS if isinstance(payload.get(f), str)), None)
        if named is None:
            if self.topic in COMPLIANCE_TOPICS:
                raise MalformedWebhook("the webhook body does not name its shop",
                                       details={"fields": list(BODY_SHOP_FIELDS)})
            return self
        shop = normalize_shop(named)
        if not shop:
            raise MalformedWebhook("the webhook body names an invalid shop domain")
        if shop != self.shop:
            raise ShopMismatch("the shop header does not match the shop the signed body names")
        return self


def _parse_time(text: str) -> datetime | None:
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")) if text else None
    except ValueError:
        return None


def record(db, delivery: Delivery, payload: dict | str, enqueue: Callable[[int], object] | None) -> str:
    """Store the delivery (committed before this returns: one statement, `store.webhook_events.insert`);
    enqueue it (unless `enqueue` is None: the worker polls recorded rows, `recovery.pick_up`). Returns "accepted", "duplicate" or "dropped".

    `payload` is the body's JSON text (already checked to be an object) or the parsed dict."""
    text = payload if isinstance(payload, str) else json.dumps(payload)
    row = events.insert(db, event_id=delivery.event_id, topic=delivery.topic, shop=delivery.shop,
                        triggered_at=delivery.triggered_at, payload=text, webhook_id=delivery.webhook_id or None,
                        checked=delivery.topic not in ALWAYS_PROCESSED)
    if row is None:
        log.info("duplicate webhook %s (%s, %s) acknowledged, not processed", delivery.event_id, delivery.topic,
                 delivery.shop)
        return "duplicate"
    return _enqueue(db, delivery, row, enqueue)


# Where a key of the body could be one of BODY_SHOP_FIELDS: the word itself, or a JSON escape of a letter or
# "_" (\u0040-\u007f) that could spell it. A body with neither names no shop, so `Delivery.signed` is a no-op.
# Searched as substrings first (`bytes.__contains__` is a fast C search; the regular expression "domain|..."
# tried each of a 10 KB body's positions, ~450,000 instructions per webhook under callgrind).
_ESCAPED_LETTER = re.compile(rb"\\u00[4-7][0-9a-fA-F]")
_JSON_SPACE = b" \t\r\n"


def _may_name_a_shop(raw: bytes) -> bool:
    return b"domain" in raw or (b"\\u00" in raw and _ESCAPED_LETTER.search(raw) is not None)


def unparsed_candidate(delivery: Delivery, raw: bytes) -> bool:
    """May this body be recorded without the app parsing it (`record_unparsed`)? Only when parsing could not
    change the outcome beyond "is it JSON?": a topic whose body never decides its shop (not compliance, not
    app/uninstalled), a body that starts as a JSON object and holds nothing that could name a shop."""
    return (delivery.topic not in ALWAYS_PROCESSED and raw.lstrip(_JSON_SPACE)[:1] == b"{"
            and not _may_name_a_shop(raw))


def record_unparsed(db, delivery: Delivery, text: str, enqueue: Callable[[int], object] | None) -> str | None:
    """`record` for a body the app has not parsed (`unparsed_candidate`): the database checks that the text is
    JSON inside the insert (the app's JSON parse of a 12 KB order took a tenth of the route's CPU, for an answer
    the database's own check gives: a JSON text that starts with "{" is an object). Returns the outcome, or None
    when nothing was inserted (a duplicate, or not JSON): the caller then parses the body and calls `record`,
    which answers exactly as it always has."""
    row = events.insert(db, event_id=delivery.event_id, topic=delivery.topic, shop=delivery.shop,
                        triggered_at=delivery.triggered_at, payload=text, webhook_id=delivery.webhook_id or None,
                        checked=True, unparsed=True)
    if row is None:
        return None
    return _enqueue(db, delivery, row, enqueue)


def _enqueue(db, delivery: Delivery, row: tuple[int, str], enqueue: Callable[[int], object] | None) -> str:
    """`enqueue` None: the queue polls the recorded rows itself (the outbox, `recovery.pick_up`), so the
    committed row is the whole acknowledgement."""
    row_id, status = row
    if status == "dropped":
        log.info("webhook %s for %s dropped: the shop is not installed", delivery.topic, delivery.shop)
        return "dropped"
    if enqueue is None:
        return "accepted"
    try:
        enqueue(row_id)
    except Exception as exc:  # the queue is down: forget the row so Shopify's retry is not a "duplicate"
        log.error("could not enqueue webhook %s: %s", delivery.event_id, type(exc).__name__)
        events.forget(db, row_id)
        raise ServiceUnavailable("the job queue is unavailable; Shopify will retry") from exc
    return "accepted"


def _claim(db, row_id: int) -> bool:
    """received/failed → processing with a lease; what a dead worker leaves behind the sweeper requeues."""
    return events.claim(db, row_id, utcnow() + LEASE)


def _renew(db, row_id: int) -> None:
    events.renew(db, row_id, utcnow() + LEASE)


def process(db, row_id: int) -> str | None:
    """Run the event's handler once. Re-raises a handler's error so huey retries."""
    if not _claim(db, row_id):
        return None  # done, dropped, or being processed by another worker
    try:
        with renewing(LEASE.total_seconds() / 3, lambda: _renew(db, row_id)), db.session() as s:
            event = s.get(WebhookEvent, row_id)
            status = dispatch(s, event)
            event.status, event.processed_at, event.last_error, event.lease_until = status, utcnow(), None, None
            s.add(event)
        return status
    except Exception as exc:
        events.mark_failed(db, row_id, f"{type(exc).__name__}: {exc}")
        log.exception("webhook event %s failed", row_id)
        raise


def dispatch(s, event: WebhookEvent) -> str:
    handler = TOPIC_HANDLERS.get(event.topic)
    if handler is None:
        log.info("no handler for webhook topic %s (event %s): acknowledged and ignored", event.topic, event.event_id)
        return "ignored"
    if event.topic not in ALWAYS_PROCESSED and events.shop_gone(s, event.shop_domain):
        event.payload = None
        log.info("webhook %s for %s dropped: the shop is not installed", event.topic, event.shop_domain)
        return "dropped"
    return handler(s, event) or "done"
