"""Helpers for the shopper-facing stories: seeded shops, catalog and orders; session tokens of each
surface's shape; signed app-proxy URLs."""
from __future__ import annotations

import hashlib
import hmac
import time
from datetime import datetime, timezone
from urllib.parse import urlencode

from backend.services.orders import catalog
from backend.store.models import OrderState, Shop
from tests import session_tokens

SHOP = "fineprint-dev.myshopify.com"
OTHER_SHOP = "other-dev.myshopify.com"
RETRY_HEADER = "X-Shopify-Retry-Invalid-Session-Request"


def _db(app):
    return app.extensions["fineprint.db"]


def seed_shop(app, domain=SHOP, policy="aallyn", access_token=None) -> None:
    cipher = app.extensions["fineprint.cipher"]
    with _db(app).session() as s:
        s.add(Shop(domain=domain, active_policy=policy, installed_at=datetime.now(timezone.utc),
                   access_token_encrypted=cipher.encrypt(access_token) if access_token else None))


def seed_product(app, product_id, *, shop=SHOP, tags=(), product_type="", gift_card=False, variants=()) -> None:
    """variants: (variant_id, price, compare_at_price, sku) tuples."""
    entry = {"product": {"product_id": str(product_id), "title": f"Product {product_id}",
                         "product_type": product_type, "tags": list(tags), "gift_card": gift_card,
                         "updated_at": "2024-01-01T00:00:00Z"},
             "variants": [{"variant_id": str(v), "product_id": str(product_id), "title": "Default", "sku": sku or "",
                           "price": price, "compare_at_price": compare_at, "updated_at": None}
                          for v, price, compare_at, sku in variants]}
    with _db(app).session() as s:
        catalog.upsert_product(s, shop, entry)


def seed_order(app, order_id, line_items, *, shop=SHOP, created_at="2024-11-20T09:30:00-08:00",
               delivered_at=None, **facts) -> None:
    order = {"id": f"gid://shopify/Order/{order_id}", "created_at": created_at, "currency": "USD",
             "source_name": "web", "tags": [], "discount_codes": [],
             "shipping_address": {"country_code": "US", "province_code": "CA", "address1": "1 Main St"},
             "shipping_lines": [{"title": "UPS Ground", "carrier": "ups", "price": "0.00"}],
             "line_items": line_items, **facts}
    fulfillments = []
    if delivered_at:
        fulfillments = [{"id": "1", "line_item_ids": sorted(str(ln["id"]) for ln in line_items),
                         "shipped_at": created_at, "delivered_at": delivered_at, "cancelled": False}]
    with _db(app).session() as s:
        s.add(OrderState(shop_domain=shop, order_id=str(order_id), facts=order, fulfillments=fulfillments,
                         revision=1))


# ------------------------------------------------------------------------------ tokens

def _config(app):
    return app.config["FINEPRINT"]


def token(app, shop=SHOP, *, secret=None, **changes) -> str:
    """Staff's App Bridge token (the documented admin payload); `changes` only to prove a refusal."""
    return _signed(app, "admin", shop, secret, changes=changes)


def checkout_token(app, shop=SHOP, customer_id=None, *, with_iss=False, **changes) -> str:
    """A checkout UI extension's token as Shopify documents it (no `iss`; `with_iss=True`: the `/checkouts`
    issuer of shopify-api-ruby's tests); `sub` only for a signed-in buyer."""
    return _signed(app, "checkout_with_iss" if with_iss else "checkout", shop, None, customer_id=customer_id,
                   changes=changes)


def customer_account_token(app, customer_id=None, shop=SHOP, **changes) -> str:
    """A customer-account UI extension's token as Shopify documents it; no `sub` before the customer signs in."""
    return _signed(app, "customer_account", shop, None, customer_id=customer_id, changes=changes)


def _signed(app, kind, shop, secret, **options) -> str:
    config = _config(app)
    return session_tokens.session_token(kind, shop, config.api_key, secret or config.api_secret, **options)


def bearer(value: str) -> dict:
    return {"Authorization": f"Bearer {value}"}


# --------------------------------------------------------------------------- app proxy

def proxy_url(app, path: str, params: dict | None = None, *, shop=SHOP, secret=None, timestamp=None,
              customer_id="") -> str:
    """Sign like Shopify's app proxy: sorted `k=v` joined with no separator, hex HMAC-SHA256 in `signature`."""
    query = {"shop": shop, "logged_in_customer_id": customer_id, "path_prefix": "/apps/fineprint",
             "timestamp": str(int(time.time()) if timestamp is None else timestamp), **(params or {})}
    message = "".join(f"{k}={v}" for k, v in sorted(query.items()))
    key = (secret or _config(app).api_secret).encode()
    query["signature"] = hmac.new(key, message.encode(), hashlib.sha256).hexdigest()
    return f"{path}?{urlencode(query)}"
