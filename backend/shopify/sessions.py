"""Shopify session tokens (App Bridge id tokens, checkout and customer-account extension tokens).

`shopify_app.verify_app_home_req` checks the signature (HS256 only, current or old
client secret), `exp`/`nbf`/`iat` with a 10 s leeway and `aud` = our client id. On
top of it we check what it leaves out: `iss` is a shop host and `dest` names the
same host, and the shop taken from `dest` is a valid `*.myshopify.com` domain.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from shopify_app import verify_app_home_req

from backend.shopify.oauth import normalize_shop
from backend.shopify.verify import app_config

CUSTOMER_GID = "gid://shopify/Customer/"


class InvalidSessionToken(Exception):
    """The token is missing, forged, expired or not for this app. `code` says which."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SessionToken:
    shop: str                  # "example.myshopify.com"
    user_id: str | None        # staff user id (admin tokens); None for buyers
    customer_gid: str | None   # logged-in buyer (checkout / customer-account tokens)
    token: str = field(repr=False)
    claims: dict = field(repr=False, default_factory=dict)


def bearer_token(authorization: str | None) -> str | None:
    if not authorization or not authorization.startswith("Bearer "):
        return None
    token = authorization[len("Bearer "):].strip()
    return token or None


def _host(value: object) -> str | None:
    if not isinstance(value, str) or not value:
        return None
    parts = urlsplit(value if "://" in value else f"https://{value}")
    return (parts.hostname or "").lower() or None


def verify_session_token(token: str | None, config, url: str = "https://app.invalid/") -> SessionToken:
    """A verified `SessionToken`, or `InvalidSessionToken`."""
    if not token:
        raise InvalidSessionToken("missing_session_token", "a Shopify session token (Authorization: Bearer) is required")
    try:
        result = verify_app_home_req({"method": "GET", "headers": {"Authorization": f"Bearer {token}"},
                                      "url": url, "body": ""}, app_config(config), "/auth/patch-id-token")
    except (AttributeError, TypeError, ValueError):  # a signed claim of the wrong type (`dest` as a list)
        raise InvalidSessionToken("invalid_session_token", "the session token is invalid") from None
    if not result.ok or result.id_token is None:
        code = result.log.code
        raise InvalidSessionToken(code, "the session token is expired" if code == "expired_id_token"
                                  else "the session token is invalid")
    claims = dict(result.id_token.claims)
    return _checked(claims, token)


def _checked(claims: dict, token: str) -> SessionToken:
    iss_host, dest_host = _host(claims.get("iss")), _host(claims.get("dest"))
    shop = normalize_shop(dest_host)
    if shop is None:
        raise InvalidSessionToken("invalid_dest", "the session token's destination is not a shop")
    if iss_host is None or normalize_shop(iss_host) is None:
        raise InvalidSessionToken("invalid_issuer", "the session token's issuer is not a shop")
    if iss_host != dest_host:
        raise InvalidSessionToken("mismatched_hosts", "the session token's issuer and destination differ")
    sub = claims.get("sub")
    sub = str(sub) if sub is not None else None
    customer = sub if sub and sub.startswith(CUSTOMER_GID) else None
    user_id = sub if sub and not customer else None
    return SessionToken(shop=shop, user_id=user_id, customer_gid=customer, token=token, claims=claims)
