"""The pipeline's one door to the Admin GraphQL API: `AdminPort(app, shop).graphql(query, variables) -> data`.

Delegates to `backend.shopify.admin.AdminClient`: pacing on throttleStatus, retries of THROTTLED / 429 /
5xx / timeouts, one refresh on 401. A GraphQL `errors` answer that is not throttling raises: the document or
the input is wrong, retrying the same request would not help.
"""
from __future__ import annotations

import threading

from backend.shopify.admin import AdminClient, RetryPolicy
from backend.shopify.pacing import MemoryThrottleStore, store_for

_guard = threading.Lock()


class AdminPort:
    def __init__(self, app, shop: str):
        self.app, self.shop = app, shop
        self._client = _client(app, shop)

    def graphql(self, query: str, variables: dict | None = None, *, resend: bool = True) -> dict:
        """`resend=False` for a write that must not be sent twice blindly: a timeout or 5xx raises
        WriteOutcomeUnknown and the caller reads the target back before writing again."""
        return self._client.query(query, variables or {}, resend=resend) or {}


def _client(app, shop: str) -> AdminClient:
    """One AdminClient per (shop, thread), reused for its HTTP connection and the shared per-shop pacing.
    The clients belong to the app (its extensions), so a new app never meets an old app's client; the key
    names the config a client was built with, because a command may point a shop elsewhere (`make demo`)."""
    config = app.config["FINEPRINT"]
    key = (config.admin_origin, config.database_url, shop, threading.get_ident())
    with _guard:
        clients = app.extensions.setdefault("fineprint.admin_clients", {})
        client = clients.get(key)
        if client is None:
            # pacing shared by the app's clients (in Redis when configured), never across apps
            kwargs = {"store": store_for(config, app.extensions.setdefault("fineprint.throttle",
                                                                           MemoryThrottleStore()))}
            if config.admin_timeout:  # e.g. the simulator runs a big bulk query inline
                kwargs["retry"] = RetryPolicy(timeout=config.admin_timeout)
            client = clients[key] = AdminClient(shop, _TokenProvider(app), config, **kwargs)
        return client


class _TokenProvider:
    """tokens_for(shop) (stored, refreshed before it lapses) and refresh_after_401, in the app's context."""

    def __init__(self, app):
        self.app = app

    def token(self, shop: str) -> str:
        from backend.services.install.tokens import tokens_for

        with self.app.app_context():
            return tokens_for(shop)

    def refresh(self, shop: str, rejected: str) -> str | None:
        from backend.services.install.tokens import refresh_after_401

        with self.app.app_context():
            return refresh_after_401(shop, rejected)
