"""The authorization-code grant, as far as URLs and names go: shop domains, state nonces, scopes.

Nothing here talks to the network or the database; `services/install/lifecycle.py` does.
"""
from __future__ import annotations

import re
import secrets
from urllib.parse import urlencode

SHOP_DOMAIN = re.compile(r"^[a-z0-9][a-z0-9-]*\.myshopify\.com$")
NONCE_BYTES = 24


def normalize_shop(raw: object) -> str | None:
    """The shop's `*.myshopify.com` domain, lowercased, or None when it is not one.

    Refuses anything that could redirect a merchant or a token elsewhere:
    `evil.com`, `x.myshopify.com.evil.com`, `x.myshopify.com/path`, `https://...`,
    whitespace, empty, non-ASCII look-alikes (the regex is ASCII only).
    """
    if not isinstance(raw, str):
        return None
    shop = raw.lower()
    if len(shop) > 255 or not SHOP_DOMAIN.fullmatch(shop):
        return None
    return shop


def new_nonce() -> str:
    return secrets.token_urlsafe(NONCE_BYTES)


def redirect_uri(app_url: str) -> str:
    return f"{app_url.rstrip('/')}/auth/callback"


def authorize_url(origin: str, *, client_id: str, scopes: list[str], app_url: str, state: str) -> str:
    """`{origin}/admin/oauth/authorize?...` for an offline (shop) token."""
    query = urlencode({
        "client_id": client_id,
        "scope": ",".join(scopes),
        "redirect_uri": redirect_uri(app_url),
        "state": state,
    })
    return f"{origin.rstrip('/')}/admin/oauth/authorize?{query}"


def missing_scopes(requested: list[str], granted: str | list[str]) -> list[str]:
    """Requested scopes the grant does not cover. `write_x` implies `read_x` (Shopify omits the read)."""
    have = set(granted.split(",") if isinstance(granted, str) else granted)
    have = {s.strip() for s in have if s and s.strip()}
    implied = {s.replace("write_", "read_", 1) for s in have if "write_" in s}
    return [s for s in requested if s not in have and s not in implied]
