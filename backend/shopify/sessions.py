"""Shopify session tokens: App Bridge id tokens (staff) and checkout / customer-account extension tokens.

Signature, `exp`/`nbf` (10 s leeway) and `aud` = our client id are checked by Shopify's own
verifiers: `verify_app_home_req` for App Bridge tokens, `verify_checkout_ui_ext_req` /
`verify_customer_account_ui_ext_req` for extension tokens (HS256 only, current or old secret).
On top of them we check what they leave out:

* `exp` and `nbf` are present (PyJWT checks them only when they are there);
* `dest` is a `*.myshopify.com` host (bare, as extensions send it, or a URL, as App Bridge does);
* `iss`: App Bridge tokens carry `https://{shop}/admin`; extension tokens carry none (Shopify's
  documented payloads) or `https://{shop}/checkouts` (shopify-api-ruby's tests) — when present,
  its host must be `dest`'s.

Each token is decoded by Shopify's verifiers only, never by us before them (on the Decision API's
latency path one verification is ~0.2 ms of PyJWT; an unverified decode of our own to pick the
verifier cost nearly as much again). On `/api/v1` the route's extension verifier runs first; a token
it verifies whose `iss` path is `/admin` is staff's App Bridge token and is then verified as App Home
does (staff only: one more decode). Nothing is read from a token before its signature is checked.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlsplit

from shopify_app import verify_app_home_req, verify_checkout_ui_ext_req, verify_customer_account_ui_ext_req

from backend.shopify.oauth import normalize_shop
from backend.shopify.verify import app_config

CUSTOMER_GID = "gid://shopify/Customer/"
ADMIN, CHECKOUT, CUSTOMER_ACCOUNT = "admin", "checkout", "customer_account"
_EXTENSION_VERIFIERS = {CHECKOUT: verify_checkout_ui_ext_req, CUSTOMER_ACCOUNT: verify_customer_account_ui_ext_req}


class InvalidSessionToken(Exception):
    """The token is missing, forged, expired or not for this app. `code` says which."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True)
class SessionToken:
    shop: str                  # "example.myshopify.com"
    user_id: str | None        # staff user id (App Bridge tokens); None for buyers
    customer_gid: str | None   # signed-in buyer (extension tokens); None for guests and staff
    token: str = field(repr=False)
    claims: dict = field(repr=False, default_factory=dict)
    kind: str = ADMIN          # ADMIN (App Bridge), CHECKOUT or CUSTOMER_ACCOUNT

    @property
    def staff(self) -> bool:
        return self.kind == ADMIN


def bearer_token(authorization: str | None) -> str | None:
    if not authorization or not authorization.startswith("Bearer "):
        return None
    token = authorization[len("Bearer "):].strip()
    return token or None


def verify_session_token(token: str | None, config, url: str = "https://app.invalid/") -> SessionToken:
    """An App Bridge (admin) token, verified as App Home does; for the embedded admin pages."""
    return _admin(_present(token), config, url)


def verify_extension_or_admin_token(token: str | None, config, surface: str,
                                    url: str = "https://app.invalid/") -> SessionToken:
    """A token from an extension of `surface` (CHECKOUT or CUSTOMER_ACCOUNT), or staff's App Bridge token."""
    result = _shielded(_EXTENSION_VERIFIERS[surface], {"method": "GET", "url": url, "body": "",
                                                       "headers": {"Authorization": f"Bearer {_present(token)}"}},
                       app_config(config))
    verified = _claims_of(result)
    if _path(verified.get("iss")).rstrip("/") == "/admin":  # staff's App Bridge token: App Home's checks
        return _admin(token, config, url)
    sub = _sub(verified)
    customer = sub if sub and sub.startswith(CUSTOMER_GID) else None
    return SessionToken(shop=_shop_of(verified, iss_required=False), user_id=None, customer_gid=customer,
                        token=token, claims=verified, kind=surface)


def _admin(token: str, config, url: str) -> SessionToken:
    result = _shielded(verify_app_home_req, {"method": "GET", "headers": {"Authorization": f"Bearer {token}"},
                                             "url": url, "body": ""}, app_config(config), "/auth/patch-id-token")
    verified = _claims_of(result)
    shop = _shop_of(verified, iss_required=True)
    if _path(verified.get("iss")).rstrip("/") != "/admin":  # a checkout token is no staff token
        raise InvalidSessionToken("invalid_issuer", "the session token was not issued by the Shopify admin")
    sub = _sub(verified)
    if not sub or sub.startswith(CUSTOMER_GID):  # an App Bridge token always names a staff user
        raise InvalidSessionToken("invalid_sub", "the session token's subject is not a staff user")
    return SessionToken(shop=shop, user_id=sub, customer_gid=None, token=token, claims=verified, kind=ADMIN)


def _shielded(verifier, *args):
    """Shopify's verifier, with a signed claim of the wrong type refused as an invalid token instead of
    crashing it. After the signature, `aud` and the times (PyJWT's own errors, which the verifiers turn
    into results), the only claim they read is `dest`, as a string (`dest.replace`, `urlparse(dest)`):
    a crash there (`dest` a number, a list, an unbalanced "[") is a destination that is not a shop."""
    try:
        return verifier(*args)
    except UnicodeError:  # the token's own text (it is encoded before anything is verified)
        raise InvalidSessionToken("invalid_id_token", "the session token is invalid") from None
    except (AttributeError, TypeError, ValueError):
        raise InvalidSessionToken("invalid_dest", "the session token's destination is not a shop") from None


def _present(token: str | None) -> str:
    if not token:
        raise InvalidSessionToken("missing_session_token", "a Shopify session token (Authorization: Bearer) is required")
    return token


def _claims_of(result) -> dict:
    if not result.ok or result.id_token is None:
        code = result.log.code
        raise InvalidSessionToken(code, "the session token is expired" if code == "expired_id_token"
                                  else "the session token is invalid")
    claims = result.id_token.claims
    if not isinstance(claims, dict):
        raise InvalidSessionToken("invalid_id_token", "the session token is invalid")
    claims = dict(claims)
    for name in ("exp", "nbf"):  # PyJWT checks them only when present; Shopify always sends both
        if not isinstance(claims.get(name), (int, float)) or isinstance(claims.get(name), bool):
            raise InvalidSessionToken(f"missing_{name}", f"the session token has no valid `{name}`")
    return claims


def _shop_of(claims: dict, *, iss_required: bool) -> str:
    dest_host, iss = _host(claims.get("dest")), claims.get("iss")
    shop = normalize_shop(dest_host)
    if shop is None:
        raise InvalidSessionToken("invalid_dest", "the session token's destination is not a shop")
    if iss is None and not iss_required:
        return shop
    iss_host = _host(iss)
    if iss_host is None or normalize_shop(iss_host) is None:
        raise InvalidSessionToken("invalid_issuer", "the session token's issuer is not a shop")
    if iss_host != dest_host:
        raise InvalidSessionToken("mismatched_hosts", "the session token's issuer and destination differ")
    return shop


def _sub(claims: dict) -> str | None:
    sub = claims.get("sub")
    return str(sub) if sub not in (None, "") else None


def _split(value: object):
    if not isinstance(value, str) or not value:
        return None
    try:
        return urlsplit(value if "://" in value else f"https://{value}")
    except ValueError:  # e.g. an unbalanced "[" read as an IPv6 host: not a shop either
        return None


def _host(value: object) -> str | None:
    parts = _split(value)
    try:
        return ((parts.hostname or "").lower() or None) if parts else None
    except ValueError:
        return None


def _path(value: object) -> str:
    parts = _split(value)
    return parts.path if parts else ""
