"""The pipeline's one door to the Admin GraphQL API: `AdminPort(app, shop).graphql(query, variables) -> data`.

Delegates to `backend.shopify.admin.AdminClient` (pacing on throttleStatus,
retries of THROTTLED / 429 / 5xx / timeouts, one refresh on 401) when it is
available; until then a minimal built-in client with the same retry rules.
A GraphQL `errors` answer that is not throttling raises: the document or the
input is wrong, retrying the same request would not help.
"""
from __future__ import annotations

import random
import threading
import time

import httpx

from backend.shopify.errors import AdminApiError, GraphQLError, RetriesExhausted, WriteOutcomeUnknown

_clients: dict = {}
_guard = threading.Lock()


class AdminPort:
    def __init__(self, app, shop: str):
        self.app, self.shop = app, shop
        self._delegate = _delegate(app, shop)

    def graphql(self, query: str, variables: dict | None = None, *, resend: bool = True) -> dict:
        """`resend=False` for a write that must not be sent twice blindly: a timeout or 5xx raises
        WriteOutcomeUnknown and the caller reads the target back before writing again."""
        if self._delegate is not None:
            return self._delegate.query(query, variables or {}, resend=resend) or {}
        return _builtin(self.app, self.shop, query, variables, resend)


def _delegate(app, shop):
    """One AdminClient per (shop, thread), reused (its HTTP connection and the shared per-shop pacing)."""
    try:
        from backend.shopify.admin import AdminClient
    except ImportError:
        return None
    config = app.config["FINEPRINT"]
    key = (id(app), config.admin_origin, config.database_url, shop, threading.get_ident())
    with _guard:
        client = _clients.get(key)
        if client is None:
            kwargs = {}
            if config.extra.get("admin_timeout"):  # e.g. the simulator runs a big bulk query inline
                from backend.shopify.admin import RetryPolicy
                kwargs["retry"] = RetryPolicy(timeout=float(config.extra["admin_timeout"]))
            client = _clients[key] = AdminClient(shop, _TokenProvider(app), config, **kwargs)
        return client


class _TokenProvider:
    """tokens_for(shop) (stored, refreshed before it lapses) and refresh_after_401, in the app's context."""

    def __init__(self, app):
        self.app = app

    def token(self, shop: str) -> str:
        from backend.services.tokens import tokens_for

        with self.app.app_context():
            return tokens_for(shop)

    def refresh(self, shop: str, rejected: str) -> str | None:
        from backend.services.tokens import refresh_after_401

        with self.app.app_context():
            return refresh_after_401(shop, rejected)


# ------------------------------------------------------- minimal fallback

MAX_TRIES = 8


def _builtin(app, shop: str, query: str, variables: dict | None, resend: bool = True) -> dict:
    from backend.services.tokens import tokens_for

    config = app.config["FINEPRINT"]
    url = f"{config.origin_for(shop)}/admin/api/{config.api_version}/graphql.json"
    http = _http()
    last = None
    for attempt in range(1, MAX_TRIES + 1):
        token = tokens_for(shop)
        try:
            response = http.post(url, json={"query": query, "variables": variables or {}},
                                 headers={"X-Shopify-Access-Token": token, "Content-Type": "application/json"})
        except httpx.TransportError as exc:
            last = f"{type(exc).__name__}"
            if not resend:
                raise WriteOutcomeUnknown(shop, f"no answer to a write: {last}", last_error=last) from exc
            time.sleep(_jitter(attempt))
            continue
        if response.status_code == 429:
            last = "429"
            time.sleep(float(response.headers.get("Retry-After") or _jitter(attempt)))
            continue
        if response.status_code >= 500:
            last = str(response.status_code)
            if not resend:
                raise WriteOutcomeUnknown(shop, f"no answer to a write: HTTP {last}", last_error=last)
            time.sleep(_jitter(attempt))
            continue
        if response.status_code == 401:
            raise AdminApiError(shop, "401 Unauthorized", status=401)
        body = response.json()
        errors = body.get("errors")
        if errors:
            if any((e.get("extensions") or {}).get("code") == "THROTTLED" for e in errors if isinstance(e, dict)):
                last = "THROTTLED"
                time.sleep(_wait_for_bucket(body, query_cost=100))
                continue
            raise GraphQLError(shop, errors, body.get("data"))
        _pace(body)
        return body.get("data") or {}
    raise RetriesExhausted(shop, f"gave up after {MAX_TRIES} tries (last: {last})", last_error=last,
                           attempts=MAX_TRIES)


_http_clients: dict = {}


def _http() -> httpx.Client:
    with _guard:
        key = threading.get_ident()
        if key not in _http_clients:
            _http_clients[key] = httpx.Client(timeout=15.0)
        return _http_clients[key]


def _jitter(attempt: int) -> float:
    ceiling = min(8.0, 0.1 * 2 ** attempt)
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def _wait_for_bucket(body: dict, query_cost: float) -> float:
    status = ((body.get("extensions") or {}).get("cost") or {}).get("throttleStatus") or {}
    available, rate = status.get("currentlyAvailable", 0), status.get("restoreRate") or 50
    return max(0.05, (query_cost - available) / rate)


def _pace(body: dict) -> None:
    """Stay inside the bucket: when less than one more request's worth is left, wait for it to refill."""
    cost = (body.get("extensions") or {}).get("cost") or {}
    status = cost.get("throttleStatus") or {}
    spent = cost.get("actualQueryCost") or cost.get("requestedQueryCost") or 0
    available, rate = status.get("currentlyAvailable"), status.get("restoreRate")
    if available is not None and rate and available < spent:
        time.sleep((spent - available) / rate)
