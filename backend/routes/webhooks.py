"""POST /webhooks: one URI for every topic. Verify the raw body, record, enqueue (Redis), answer 200.

A body whose parse could only answer "is it JSON?" (orders, products, fulfillments, returns: their bodies name
no shop) is recorded without the app parsing it, the database checking it is JSON in the insert itself
(services/webhooks/ingest.py, `record_unparsed`); anything else, and anything that insert does not take
(a duplicate, or not JSON), goes the parsed way, which answers as it always has."""
from __future__ import annotations

import json
import logging

import orjson
from flask import Blueprint, Response, current_app, request

from backend.errors import Unauthorized
from backend.services import queue
from backend.services.webhooks import ingest as webhooks
from backend.shopify.verify import webhook_check

bp = Blueprint("webhooks", __name__)
log = logging.getLogger(__name__)

# The three answers' bodies, encoded once: {"status": "accepted" | "duplicate" | "dropped"}.
_BODIES = {outcome: orjson.dumps({"status": outcome}) for outcome in ("accepted", "duplicate", "dropped")}


@bp.post("/webhooks")
def receive():
    raw = request.get_data(cache=False)  # the bytes Shopify signed, before anything parses them
    config = current_app.config["FINEPRINT"]
    headers = _headers(request.environ)
    check = _checked(raw, headers, config)
    if not check.ok:
        raise Unauthorized("webhook signature missing or invalid", details={"reason": check.reason})
    delivery = webhooks.Delivery.from_headers(headers)
    db, q = current_app.extensions["fineprint.db"], queue.of(current_app)
    # On SQLite the recorded row is the queue entry (the worker polls, recovery.pick_up): one commit per webhook
    # where a second, into huey's queue file, contended across the server's processes (issue 19).
    enqueue = None if q.polls_webhooks() else q.process_webhook
    if webhooks.unparsed_candidate(delivery, raw):  # an order, product ... body: the database checks it is JSON
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = None
        outcome = webhooks.record_unparsed(db, delivery, text, enqueue) if text is not None else None
        if outcome is not None:
            return Response(_BODIES[outcome], 200, mimetype="application/json")
        # nothing inserted: a duplicate, or not JSON the database takes; the parsed path below tells which
    try:
        payload = _parsed(raw)
    except (ValueError, RecursionError):  # bytes that are not UTF-8, or nesting deeper than any Shopify body
        log.error("signed webhook %s (%s, %s) is not valid JSON", delivery.event_id, delivery.topic, delivery.shop)
        raise webhooks.MalformedWebhook("the webhook body is not valid JSON") from None
    if not isinstance(payload, dict):
        log.error("signed webhook %s (%s) is not a JSON object", delivery.event_id, delivery.topic)
        raise webhooks.MalformedWebhook("the webhook body is not a JSON object")
    delivery = delivery.signed(payload)  # the shop the signed body names wins over the unsigned header
    try:  # store the signed text itself rather than json.dumps(payload) again (json.loads also takes UTF-16/32)
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = json.dumps(payload)
    outcome = webhooks.record(db, delivery, text, enqueue)
    return Response(_BODIES[outcome], 200, mimetype="application/json")



def _parsed(raw: bytes):
    """The body as JSON: orjson (a maintained C parser, several times the standard library's speed on an
    order body) for what Shopify sends, UTF-8; anything it refuses (UTF-16/32 text, ints beyond 64 bits,
    nesting past its limit) gets the standard library's answer, so what is accepted or refused is unchanged.
    The parsed value only answers "an object? which shop?": the signed text itself is what is stored, so
    orjson reading an integer past 64 bits as a float changes nothing recorded."""
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError:
        return json.loads(raw)


def _headers(environ) -> dict[str, str]:
    """The request's headers as a plain dict with lower-case names, read once from the WSGI environ (as
    Werkzeug's `request.headers` maps them: HTTP_X_SHOPIFY_TOPIC is x-shopify-topic), for the signature check
    and the delivery's fields, which look up a few names each (iterating `request.headers` cost more)."""
    headers = {key[5:].replace("_", "-").lower(): value for key, value in environ.items() if key.startswith("HTTP_")}
    for key in ("CONTENT_TYPE", "CONTENT_LENGTH"):
        if environ.get(key):
            headers[key.replace("_", "-").lower()] = environ[key]
    return headers


def _checked(raw: bytes, headers: dict[str, str], config):
    """webhook_check, with hostile input (a non-ASCII or malformed signature header, a body nested deeper
    than the JSON parser goes, which shopify_app parses to redact its log of a refusal) answered as what
    it is, an unverifiable request (401), never a 500."""
    try:
        return webhook_check(request.method, headers, raw, config)
    except (ValueError, TypeError, RecursionError, UnicodeError) as exc:
        log.warning("webhook refused: its signature could not be checked (%s)", type(exc).__name__)
        raise Unauthorized("webhook signature missing or invalid", details={"reason": "unverifiable"}) from None
