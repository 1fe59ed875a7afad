"""returns/* webhooks the simulated shop sends, bodies shaped exactly like Shopify's published examples
(`tests/data/shopify/webhooks/2026-04/returns_*.json`, from shopify.dev's webhook reference), signed and
headed as Shopify delivers them (shopify.dev/docs/apps/build/webhooks/subscribe/https, "headers":
X-Shopify-Topic, -Hmac-Sha256 (base64 HMAC-SHA256 of the raw body with the client secret), -Shop-Domain,
-API-Version, -Webhook-Id, -Event-Id, -Triggered-At). Deliveries wait in the shop's outbox: a test posts
them to the app (or drops, repeats or reorders them, as Shopify may).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timezone

from devshop.ids import gid
from devshop.returns import book
from devshop.returns_models import Return, SentWebhook

API_VERSION = "2026-10"


def _set(amount, currency: str) -> dict:
    money = {"amount": f"{amount:.2f}", "currency_code": currency}
    return {"shop_money": money, "presentment_money": dict(money)}


def _head(ret: Return) -> dict:
    return {"id": ret.id, "admin_graphql_api_id": gid("Return", ret.id), "status": ret.status.lower()}


def _order(ret: Return) -> dict:
    return {"id": ret.order_id, "admin_graphql_api_id": gid("Order", ret.order_id)}


def body(topic: str, ret: Return, currency: str) -> dict:
    """The body Shopify's reference publishes for `topic` (returns/process is published as `{}`)."""
    if topic in ("returns/request", "returns/approve"):
        fees = [] if ret.shipping_fee is None else [
            {"id": ret.shipping_fee_id, "admin_graphql_api_id": gid("ReturnShippingFee", ret.shipping_fee_id),
             "price": _set(ret.shipping_fee, currency)}]
        return {**_head(ret), "order": _order(ret), "total_return_line_items": ret.total_quantity,
                "name": ret.name, "return_line_items": [], "return_shipping_fees": fees,
                "exchange_line_items": [], "total_exchange_line_items": 0}
    if topic == "returns/decline":
        decline = ret.decline or {}
        return {**_head(ret), "order": _order(ret),
                "decline": {"reason": str(decline.get("reason", "")).lower(), "note": decline.get("note")}}
    if topic in ("returns/cancel", "returns/close", "returns/reopen"):
        return {**_head(ret), "order_id": ret.order_id}
    if topic == "returns/process":
        return {}
    raise ValueError(f"devshop sends no {topic} webhook")


def send(sim, state, topic: str, ret: Return) -> SentWebhook:
    raw = json.dumps(body(topic, ret, state.orders[ret.order_id].currency)).encode()
    digest = base64.b64encode(hmac.new(sim.api_secret.encode(), raw, hashlib.sha256).digest()).decode()
    headers = {"Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Hmac-Sha256": digest,
               "X-Shopify-Shop-Domain": state.domain, "X-Shopify-API-Version": API_VERSION,
               "X-Shopify-Webhook-Id": str(uuid.uuid4()), "X-Shopify-Event-Id": str(uuid.uuid4()),
               "X-Shopify-Triggered-At": datetime.now(timezone.utc).isoformat()}
    sent = SentWebhook(topic, raw, headers)
    book(sim, state).outbox.append(sent)
    return sent
