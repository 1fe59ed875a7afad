"""Demo mode: the admin page reachable outside the Shopify iframe, for the demo shop only.

On when the app runs with `APP_ENV=demo` (`flask --app app demo` sets it for the
app it serves). Never in production: production is `APP_ENV=production`.
The demo shop is `config.extra["demo_shop"]` or `$DEMO_SHOP` (default below);
its session tokens are minted here, exactly as App Bridge would get them.
"""
from __future__ import annotations

import os

from backend.devshop.sessiontokens import mint_session_token

DEFAULT_SHOP = "fineprint-demo.myshopify.com"
DEMO_USER = "demo-merchant"


def enabled(config) -> bool:
    return config.env == "demo" and not config.production


def shop(config) -> str | None:
    if not enabled(config):
        return None
    return config.extra.get("demo_shop") or os.environ.get("DEMO_SHOP") or DEFAULT_SHOP


def session_token(config, ttl: int = 300) -> str:
    """A session token for the demo shop, signed with the app's secret (demo mode only)."""
    domain = shop(config)
    if domain is None:
        raise RuntimeError("demo mode is off")
    return mint_session_token(domain, config.api_key, config.api_secret, sub=DEMO_USER, ttl=ttl)
