"""The returns/* webhooks that start a decision: `returns/request` (a new request) and `returns/update` (its
lines or fees changed: decided again). Each records the return (services.returns.store), commits, and only
then enqueues one decide job, so the worker always sees the row.

`reverse_fulfillment_orders/dispose` (Shopify: "Occurs whenever a disposition is made on a reverse fulfillment
order", scope read_returns) is the receipt of returned items: when the shop asked Fineprint to process returns
on receipt, each approved, unprocessed return of the shop is checked (its job reads the return's reverse
fulfillment orders from the Admin API and processes it once all its units are back: apply.process_on_receipt).
Nothing is read from the body: no documented example of it is at hand, and the Admin read is the truth.

The decision job is queued through the queue port (services/queue.py).
"""
from __future__ import annotations

import logging

from flask import current_app

from backend.services import queue
from backend.services.returns import store as returns_store
from backend.shopify.payloads.returns import NotAReturn, return_from_webhook

log = logging.getLogger(__name__)


def _enqueue(shop: str, return_id: str, trigger: str) -> None:
    queue.enqueue_decide_return(current_app._get_current_object(), shop, return_id, trigger)


def handle_request(s, event) -> str:
    status = returns_store.handle_return_request(s, event)
    if status == "done":
        _decide_later(s, event)
    return status


def handle_update(s, event) -> str:
    try:
        facts = return_from_webhook(event.payload, event.topic)
    except NotAReturn as exc:
        log.warning("%s from %s ignored: %s", event.topic, event.shop_domain, exc)
        return "ignored"
    row = returns_store.find(s, event.shop_domain, facts["id"])
    if row is None or row.status != "requested":
        return "done"  # an update of a return we never heard requested, or one no longer a request: nothing to decide
    _decide_later(s, event, facts["id"])
    return "done"


RECEIPT_TOPIC = "reverse_fulfillment_orders/dispose"


def handle_dispose(s, event) -> str:
    from backend.store import returns as repo

    if not repo.settings(s, event.shop_domain).process_on_receipt:
        return "done"
    waiting = repo.awaiting_receipt(s, event.shop_domain)
    s.commit()
    for return_id in waiting:
        _enqueue(event.shop_domain, return_id, RECEIPT_TOPIC)
    return "done"


def _decide_later(s, event, return_id: str | None = None) -> None:
    from backend.store import returns as repo

    facts = return_from_webhook(event.payload, event.topic)
    return_id = return_id or facts["id"]
    s.flush()
    repo.set_exchange_lines(s, event.shop_domain, return_id, facts["exchange_count"])
    s.commit()  # the row is visible before the job that reads it is queued
    _enqueue(event.shop_domain, return_id, event.topic)
