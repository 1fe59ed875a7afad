"""Admin GraphQL client: paced per shop, retried with jittered backoff, one refresh on 401.

Each attempt goes through shopifyapp's `admin_graphql_request` (its headers,
user agent and log redaction) with `max_retries=0`: retries, pacing and the
401 policy are ours, because shopifyapp sleeps whole seconds, drops the
Retry-After of the last 429, treats THROTTLED as a final error and returns
at once on timeouts. Its hard-wired `https://{name}.myshopify.com` is
rewritten to SHOPIFY_ADMIN_ORIGIN by the injected client (`transport.py`).
"""
from __future__ import annotations

import json
import random
import time
from dataclasses import dataclass

from shopify_app import admin_graphql_request

from backend.shopify.errors import (GraphQLError, QueryCostExceeded, RetriesExhausted, TokenRevoked,
                                    WriteOutcomeUnknown)
from backend.shopify.pacing import store_for
from backend.shopify.transport import origin_client


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 6
    base_delay: float = 0.5
    max_delay: float = 30.0
    timeout: float = 20.0

    def backoff(self, attempt: int) -> float:
        """Full jitter: uniform in [base/2, base * 2^attempt], capped."""
        ceiling = min(self.max_delay, self.base_delay * 2 ** attempt)
        return random.uniform(min(self.base_delay / 2, ceiling), ceiling)


@dataclass(frozen=True)
class Response:
    data: dict | None
    extensions: dict
    errors: list


class _Retry(Exception):
    def __init__(self, wait: float, reason: str, ambiguous: bool = False):
        self.wait, self.reason, self.ambiguous = wait, reason, ambiguous  # ambiguous: may have been applied


class AdminClient:
    """`AdminClient(shop, token_provider, config).query(document, variables) -> data`.

    `token_provider` is a callable `(shop) -> access token`, or an object with
    `token(shop)` and optionally `refresh(shop, rejected_token) -> new token | None`
    (asked once per call when Shopify answers 401)."""

    def __init__(self, shop: str, token_provider, config, *, retry: RetryPolicy | None = None,
                 store=None, http_client=None, sleep=time.sleep):
        self.shop, self.config, self.retry, self._sleep = shop, config, retry or RetryPolicy(), sleep
        self.store = store or store_for(config)  # shared in Redis when REDIS_URL is set
        self._provider = token_provider
        self._http = http_client or origin_client(config.origin_for, self.retry.timeout)
        self.last_cost: dict | None = None

    def query(self, document: str, variables: dict | None = None, *, resend: bool = True) -> dict:
        return self.execute(document, variables, resend=resend).data

    def execute(self, document: str, variables: dict | None = None, *, resend: bool = True) -> Response:
        """`resend=False`: a timeout or 5xx, after which Shopify may have applied the document, raises
        WriteOutcomeUnknown instead of sending it again (429 and THROTTLED, never applied, still retry)."""
        mutation = document.lstrip().startswith("mutation")
        token, refreshed, last = self._token(), False, None
        for attempt in range(self.retry.max_attempts):
            expected = self.store.expected_cost(self.shop, document, mutation)
            self.store.begin(self.shop, expected)   # counted from reservation to answer
            try:
                self._pace(expected)
                return self._attempt(document, variables, token, expected)
            except _Retry as retry:
                if retry.ambiguous and not resend:
                    raise WriteOutcomeUnknown(self.shop, f"no answer to a write: {retry.reason}",
                                              last_error=retry.reason, attempts=attempt + 1) from None
                last = retry.reason
                self._sleep(retry.wait)
            except TokenRevoked:
                if refreshed or (token := self._refreshed(token)) is None:
                    raise
                refreshed = True
        raise RetriesExhausted(self.shop, f"gave up after {self.retry.max_attempts} attempts: {last}",
                               last_error=last, attempts=self.retry.max_attempts)

    def _pace(self, expected: float) -> None:
        wait = self.store.bucket(self.shop).reserve(expected)
        if wait > 0:
            self._sleep(wait)

    def _attempt(self, document, variables, token, expected) -> Response:
        try:
            result = admin_graphql_request(document, self.shop.removesuffix(".myshopify.com"), token,
                                           self.config.api_version, variables=variables, max_retries=0,
                                           http_client=self._http)
        finally:
            in_flight = self.store.end(self.shop, expected)
        raw = result.http_logs[-1].res if result.http_logs else result.response
        return self._classify(raw.status, raw.body, raw.headers, document, in_flight, attempt_cost=expected)

    def _classify(self, status, body, headers, document, in_flight, attempt_cost) -> Response:
        if status == 401:
            raise TokenRevoked(self.shop, "Shopify refused the access token (401)", status=401,
                               last_error=_text(body))
        if status == 429:
            wait = _retry_after(headers) or self.retry.backoff(1)
            raise _Retry(wait + random.uniform(0, 0.1), f"429 Too Many Requests (Retry-After {wait:g}s)")
        if status == 0 or status >= 500:
            raise _Retry(self.retry.backoff(1), f"HTTP {status or 'timeout/network error'}", ambiguous=True)
        payload = _json(body)
        ext = payload.get("extensions") or {}
        cost = ext.get("cost") or {}
        self._observe(cost, document, in_flight, attempt_cost)
        errors = payload.get("errors") or []
        if isinstance(errors, (str, dict)):
            errors = [{"message": json.dumps(errors) if isinstance(errors, dict) else errors}]
        codes = {(e.get("extensions") or {}).get("code") for e in errors if isinstance(e, dict)}
        if "THROTTLED" in codes:
            raise _Retry(self._throttle_wait(cost), "THROTTLED")
        if "MAX_COST_EXCEEDED" in codes:
            raise QueryCostExceeded(self.shop, errors, status=status)
        if errors or status != 200:
            raise GraphQLError(self.shop, errors or [{"message": f"HTTP {status}: {_text(body)}"}],
                               data=payload.get("data"), status=status)
        return Response(payload.get("data"), ext, errors)

    def _observe(self, cost: dict, document: str, in_flight: float, reserved: float) -> None:
        status = cost.get("throttleStatus")
        if not status:
            return
        self.last_cost = cost
        if cost.get("requestedQueryCost") and cost.get("actualQueryCost") is not None:
            self.store.learn_cost(self.shop, document, cost["requestedQueryCost"])
        charged = float(cost.get("actualQueryCost") or 0)  # a THROTTLED call is charged nothing
        self.store.bucket(self.shop).observe(status, in_flight, refund=max(0.0, reserved - charged))

    def _throttle_wait(self, cost: dict) -> float:
        status = cost.get("throttleStatus") or {}
        needed = float(cost.get("requestedQueryCost") or 50) - float(status.get("currentlyAvailable", 0))
        rate = float(status.get("restoreRate") or 50)
        return max(needed, 0) / rate + random.uniform(0, self.retry.base_delay / 2)

    def _token(self) -> str:
        return self._provider.token(self.shop) if hasattr(self._provider, "token") else self._provider(self.shop)

    def _refreshed(self, rejected: str) -> str | None:
        refresh = getattr(self._provider, "refresh", None)
        return refresh(self.shop, rejected) if refresh else None

    def close(self) -> None:
        self._http.close()


def _retry_after(headers: dict) -> float | None:
    value = next((v for k, v in (headers or {}).items() if k.lower() == "retry-after"), None)
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


def _json(body: str) -> dict:
    try:
        data = json.loads(body or "{}")
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


def _text(body) -> str:
    return (body or "")[:300]
