"""Is this request really from Shopify? Three HMAC formats, kept apart:

* OAuth / admin-link query: hex HMAC of the sorted `k=v` pairs joined by `&`
  (`oauth_query_valid`, written here: `shopify_app` has no authorization-code grant);
* app proxy query: hex HMAC of the sorted `k=v` pairs with NO separator, 90 s window
  (`app_proxy_check`, on `shopify_app.verify_app_proxy_req`);
* webhook body: base64 HMAC of the raw body bytes in `X-Shopify-Hmac-Sha256`
  (`webhook_check`, on `shopify_app.verify_webhook_req`).

Each accepts the current client secret and, during a rotation, the old one.
Comparisons are constant-time (`hmac.compare_digest`). Never log the digests.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from dataclasses import dataclass
from typing import Iterable, Mapping
from urllib.parse import parse_qs, urlsplit

from shopify_app import verify_app_proxy_req, verify_webhook_req

from backend.shopify.oauth import normalize_shop

OAUTH_TIMESTAMP_WINDOW = 90  # seconds, as Shopify's own JS library


def app_config(config) -> dict:
    """The `AppConfig` dict `shopify_app` wants, from our `Config`."""
    return {"client_id": config.api_key, "client_secret": config.api_secret,
            "old_client_secret": config.old_api_secret}


def _secrets(config) -> list[str]:
    return [s for s in (config.api_secret, config.old_api_secret) if s]


# --- OAuth query (hex, '&'-joined) -------------------------------------------------------------
# Hand-written because shopify_app does not implement the authorization-code grant. The
# canonical string follows Shopify's Python API library: drop `hmac` (and `signature`), escape
# '%', '&' and '=' in keys and '%' and '&' in values, sign `k[]` lists as `k=["a", "b"]`, sort.

def _escape(text: str, *, key: bool) -> str:
    text = text.replace("%", "%25").replace("&", "%26")
    return text.replace("=", "%3D") if key else text


def oauth_message(params: Mapping[str, str | list[str]]) -> str:
    pairs = []
    for key, value in params.items():
        if key in ("hmac", "signature"):
            continue
        if key.endswith("[]"):
            key = key[:-2]
            value = json.dumps([str(v) for v in (value if isinstance(value, list) else [value])])
        pairs.append(f"{_escape(str(key), key=True)}={_escape(str(value), key=False)}")
    return "&".join(sorted(pairs))


def oauth_params(multi) -> dict[str, str | list[str]] | None:
    """Flatten a query (werkzeug MultiDict or a list of pairs); None when a plain key repeats."""
    items = multi.items(multi=True) if hasattr(multi, "getlist") else multi
    out: dict[str, str | list[str]] = {}
    for key, value in items:
        if key.endswith("[]"):
            out.setdefault(key, []).append(value)  # type: ignore[union-attr]
        elif key in out:
            return None  # a repeated `shop`, `hmac` or `timestamp` is ambiguous: refuse
        else:
            out[key] = value
    return out


def oauth_query_valid(params: Mapping[str, str | list[str]] | None, config) -> bool:
    """The query's `hmac` matches (current or old secret). Says nothing about freshness."""
    if not params:
        return False
    received = params.get("hmac")
    if not isinstance(received, str) or not received:
        return False
    message = oauth_message(params).encode()
    for secret in _secrets(config):
        digest = hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()
        if hmac.compare_digest(digest, received.lower()):
            return True
    return False


def timestamp_fresh(value: object, window: int = OAUTH_TIMESTAMP_WINDOW, now: float | None = None) -> bool:
    if not isinstance(value, str) or not value.isdigit():
        return False
    now = time.time() if now is None else now
    return abs(now - int(value)) <= window


# --- Webhook body (base64 of the raw bytes) ---------------------------------------------------

@dataclass(frozen=True)
class WebhookCheck:
    ok: bool
    status: int  # what to answer when not ok: 401 (signature) or 405 (method)
    reason: str


def webhook_check(method: str, headers: Mapping[str, str], raw_body: bytes, config) -> WebhookCheck:
    """Verify `X-Shopify-Hmac-Sha256` over the raw body, before anything parses it.

    A genuine delivery is accepted by `_signed` alone; shopify_app's `verify_webhook_req`
    gives the refusals their reasons (and answers 405 for a wrong method). It is not the
    accepting path because it json-parses and re-serialises the whole body to redact its
    log record (~0.4 ms for a 10 KB order, more than the rest of the request).
    """
    if method == "POST" and _signed(headers, raw_body, config):
        return WebhookCheck(True, 200, "verified")
    try:
        body = raw_body.decode("utf-8")
    except UnicodeDecodeError:  # shopify_app takes text; a non-UTF-8 body was already checked byte for byte
        return WebhookCheck(False, 401, "invalid_hmac" if _received(headers) else "missing_hmac_header")
    result = verify_webhook_req({"method": method, "headers": dict(headers), "url": "", "body": body},
                                app_config(config))
    if result.ok:
        return WebhookCheck(True, 200, "verified")
    status = 405 if result.response.status == 405 else 401  # the library says 400 for a missing header
    return WebhookCheck(False, status, result.log.code)


def _received(headers: Mapping[str, str]) -> str:
    """The signature header as shopify_app reads it: the first of its two names present."""
    lowered = {k.lower(): v for k, v in headers.items()}
    return lowered.get("x-shopify-hmac-sha256") or lowered.get("shopify-hmac-sha256") or ""


def _signed(headers: Mapping[str, str], raw_body: bytes, config) -> bool:
    """Base64 HMAC-SHA256 of the raw body bytes, current then old secret, constant-time."""
    received = _received(headers).encode()
    for secret in _secrets(config):
        digest = base64.b64encode(hmac.new(secret.encode(), raw_body, hashlib.sha256).digest())
        if received and hmac.compare_digest(digest, received):
            return True
    return False


# --- App proxy (hex, no separator, 90 s) ------------------------------------------------------

@dataclass(frozen=True)
class ProxyCheck:
    ok: bool
    reason: str
    shop: str | None = None
    logged_in_customer_id: str | None = None


SINGLE_VALUED = ("shop", "signature", "hmac", "timestamp")


def app_proxy_check(url: str, config) -> ProxyCheck:
    """Verify an app-proxy request URL (`signature` over the other params, 90 s window)."""
    query = parse_qs(urlsplit(url).query, keep_blank_values=True)
    repeated = [k for k in SINGLE_VALUED if len(query.get(k, [])) > 1]
    if repeated:
        return ProxyCheck(False, f"repeated_{repeated[0]}")
    result = verify_app_proxy_req({"method": "GET", "headers": {}, "url": url, "body": ""}, app_config(config))
    if not result.ok:
        return ProxyCheck(False, result.log.code)
    shop = normalize_shop((query.get("shop") or [""])[0])
    if shop is None:
        return ProxyCheck(False, "invalid_shop")
    return ProxyCheck(True, "verified", shop, result.logged_in_customer_id or None)


def first_header(headers: Mapping[str, str], names: Iterable[str]) -> str:
    """The first present header among `names` (legacy `X-Shopify-*` and new `shopify-*` spellings)."""
    lowered = {k.lower(): v for k, v in headers.items()}
    for name in names:
        if lowered.get(name.lower()):
            return lowered[name.lower()].strip()
    return ""
