"""Session tokens for tests, signed from the payloads Shopify publishes; no claim is made up here.

Shapes (`kind`):

* `checkout`, `customer_account` — the documented extension payloads
  (`tests/fixtures/shopify/extension_session_token_payloads.json`, Shopify/ui-extensions docs): no `iss`,
  bare `dest`, `sub` only for a signed-in customer, 5-minute lifetime;
* `checkout_with_iss` — shopify-api-ruby's checkout extension payload (`iss` ending in `/checkouts`);
* `admin` — the App Bridge (staff) payload of shopify_python_api's tests (`iss` .../admin, `sid`).

Only what Shopify leaves to the store and the app is filled in: the shop, the client id, the customer,
the times (the documented lifetime, from now) and a fresh `jti`. A test that proves a refusal passes
`changes` (a claim set to a value Shopify would not send, or None to drop it) and says so in its name.
"""
from __future__ import annotations

import json
import re
import time
import uuid
from pathlib import Path

import jwt

TESTS = Path(__file__).resolve().parent
EXTENSIONS = json.loads((TESTS / "fixtures" / "shopify" / "extension_session_token_payloads.json").read_text())
LIBRARIES = json.loads((TESTS / "data" / "shopify" / "test-vectors" / "session_token_jwt.json").read_text())[
    "official_test_fixtures"]
_DROP = object()


def _documented(kind: str) -> tuple[dict, str, str]:
    """(payload, the shop host the document uses, its client-id placeholder)."""
    if kind == "checkout":
        return EXTENSIONS["checkout_ui_extension"]["payload"], "store-name.myshopify.com", "<clientId>"
    if kind == "customer_account":
        return EXTENSIONS["customer_account_ui_extension"]["payload"], "store-name.myshopify.com", "<clientId>"
    if kind == "checkout_with_iss":
        ruby = LIBRARIES["shopify-api-ruby"]
        return ruby["checkout_ui_extension_payload_template"], "test-shop.myshopify.io", ruby["api_key"]
    if kind == "admin":
        python = LIBRARIES["shopify_python_api"]
        return python["payload_template"], "test-shop.myshopify.com", python["api_key"]
    raise ValueError(f"no documented session-token payload of kind {kind!r}")


def _time(value, documented: dict, now: int):
    """Documented times move to `now` keeping their distance from `iat`; templates' `now+N` become numbers."""
    if isinstance(value, str):
        match = re.fullmatch(r"now(?:([+-])(\d+))?", value)
        if match:
            offset = int(match.group(2) or 0)
            return now + (offset if match.group(1) != "-" else -offset)
        return value
    iat = documented.get("iat")
    if isinstance(iat, int) and isinstance(value, int) and iat > 10**9:  # a real timestamp: keep the lifetime
        return now + (value - iat)
    return value


def claims(kind: str, shop: str, api_key: str, *, customer_id=None, now: int | None = None,
           changes: dict | None = None) -> dict:
    documented, doc_shop, doc_key = _documented(kind)
    now = int(time.time()) if now is None else now
    out = {}
    for name, value in documented.items():
        if name in ("exp", "nbf", "iat"):
            out[name] = _time(value, documented, now)
        elif name == "aud":
            out[name] = api_key
        elif name == "jti":
            out[name] = str(uuid.uuid4())
        elif name == "sub" and str(value).startswith("gid://shopify/Customer/"):
            if customer_id is not None:  # absent for a guest, as the documents say
                out[name] = f"gid://shopify/Customer/{customer_id}"
        elif isinstance(value, str):
            out[name] = value.replace(doc_shop, shop).replace(doc_key, api_key) if doc_key else value
        else:
            out[name] = value
    for name, value in (changes or {}).items():
        if value is None:
            out.pop(name, None)
        else:
            out[name] = value
    return out


def sign(payload: dict, secret: str) -> str:
    return jwt.encode(payload, secret, algorithm="HS256")


def session_token(kind: str, shop: str, api_key: str, secret: str, **options) -> str:
    return sign(claims(kind, shop, api_key, **options), secret)
