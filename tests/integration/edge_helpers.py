"""Small helpers for the Shopify-edge stories: signed webhooks and installed shops."""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

from sqlmodel import select

from backend.store.models import Shop, WebhookEvent

WEBHOOKS = Path(__file__).resolve().parent.parent / "data" / "shopify" / "webhooks"
# Shopify's published examples of the newest version they exist for (2026-01; the app subscribes on 2026-10),
# then the older folder, which alone holds the (hand-written) products/* payloads: see tests/data/shopify/README.md.
EXAMPLES = WEBHOOKS / "2026-01"
OLDER_EXAMPLES = WEBHOOKS / "2025-10"
RETURNS_EXAMPLES = WEBHOOKS / "2026-04"  # returns/* examples are published from 2026-04 only
API_VERSION = "2026-10"  # X-Shopify-API-Version: the version shopify.app.toml subscribes with
SHOP = "fineprint-demo.myshopify.com"


def example(topic: str) -> dict:
    name = f"{topic.replace('/', '_')}.json"
    folder = next((f for f in (EXAMPLES, RETURNS_EXAMPLES) if (f / name).exists()), OLDER_EXAMPLES)
    text = (folder / name).read_text()
    return json.loads(text.replace("{shop}", "fineprint-demo"))


def signature(body: bytes, secret: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def webhook_headers(app, body: bytes, topic: str, *, shop=SHOP, event_id=None, secret=None, **extra) -> dict:
    secret = secret or app.config["FINEPRINT"].api_secret
    headers = {"Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": shop,
               "X-Shopify-Webhook-Id": event_id or str(uuid.uuid4()), "X-Shopify-API-Version": API_VERSION,
               "X-Shopify-Triggered-At": datetime.now(timezone.utc).isoformat(),
               "X-Shopify-Hmac-Sha256": signature(body, secret)}
    headers.update(extra)
    return headers


def post_webhook(client, app, topic: str, payload=None, **kw):
    body = payload if isinstance(payload, bytes) else json.dumps(payload if payload is not None else {}).encode()
    return client.post("/webhooks", data=body, headers=webhook_headers(app, body, topic, **kw))


def install_shop(app, domain=SHOP, token="shpat_example_token", **fields) -> None:
    cipher = app.extensions["fineprint.cipher"]
    with app.extensions["fineprint.db"].session() as s:
        s.add(Shop(domain=domain, access_token_encrypted=cipher.encrypt(token), scopes="write_orders,read_products",
                   installed_at=datetime.now(timezone.utc) - timedelta(days=1), **fields))


def events(app, **where) -> list[WebhookEvent]:
    with app.extensions["fineprint.db"].session() as s:
        query = select(WebhookEvent).order_by(WebhookEvent.id)
        for key, value in where.items():
            query = query.where(getattr(WebhookEvent, key) == value)
        return list(s.exec(query))


def shop_row(app, domain=SHOP) -> Shop | None:
    with app.extensions["fineprint.db"].session() as s:
        return s.exec(select(Shop).where(Shop.domain == domain)).first()
