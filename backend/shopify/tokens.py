"""Token-endpoint calls: authorization code, session-token exchange, refresh, migration to expiring.

Token exchange and refresh run shopifyapp's own `token_exchange` /
`refresh_access_token`; those hard-wire `https://{name}.myshopify.com`, so we
inject an httpx client that rewrites that origin to SHOPIFY_ADMIN_ORIGIN
(`transport.py`). shopifyapp has neither the authorization-code grant nor the
migration of a non-expiring offline token: those two are small hand-written
POSTs to `/admin/oauth/access_token` (`_grant`).

Every offline token we ask for expires (`expiring=1`): Shopify refuses
non-expiring offline tokens of public apps from 2027-01-01
(shopify.dev/docs/apps/build/authentication-authorization/migrate-to-expiring-offline-access-tokens).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import httpx
import jwt
from shopify_app import refresh_access_token, token_exchange

from backend.shopify.errors import TokenRequestError
from backend.shopify.transport import origin_client

TIMEOUT = 10.0


@dataclass(frozen=True)
class AccessToken:
    shop: str
    access_token: str
    scope: str
    expires_at: datetime | None = None            # None: a non-expiring offline token
    refresh_token: str | None = None
    refresh_token_expires_at: datetime | None = None
    online: bool = False

    @property
    def expiring(self) -> bool:
        return self.expires_at is not None

    def expires_within(self, seconds: float, now: datetime | None = None) -> bool:
        now = now or datetime.now(timezone.utc)
        return self.expires_at is not None and self.expires_at <= now + timedelta(seconds=seconds)

    def __repr__(self) -> str:  # never print secrets
        return f"AccessToken(shop={self.shop!r}, scope={self.scope!r}, expires_at={self.expires_at})"


TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
OFFLINE_TOKEN_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"


def exchange_code(shop: str, code: str, config, *, expiring: bool = True,
                  http_client: httpx.Client | None = None) -> AccessToken:
    """Authorization-code grant: POST {client_id, client_secret, code, expiring} to the shop's token endpoint.
    `expiring=1` asks for an expiring offline token and its refresh token (without it Shopify hands out a
    non-expiring one: shopify.dev changelog "Offline access tokens now support expiry and refresh")."""
    body = {"client_id": config.api_key, "client_secret": config.api_secret, "code": code}
    if expiring:
        body["expiring"] = "1"
    return _grant(shop, body, config, http_client)


def migrate_offline_token(shop: str, offline_token: str, config, *,
                          http_client: httpx.Client | None = None) -> AccessToken:
    """A stored non-expiring offline token for an expiring one and its refresh token: token exchange with
    the offline token as subject, as shopify.dev's "Migrate to expiring offline access tokens" documents
    (and shopify-api-js `migrateToExpiringToken` sends). After it the old token no longer works; a retry
    with the same old token within 7 days answers the same pair (shopify.dev changelog, "More resilient
    token exchanges when migrating tokens without a user session"), so a lost answer is recovered by asking
    again."""
    body = {"client_id": config.api_key, "client_secret": config.api_secret, "grant_type": TOKEN_EXCHANGE,
            "subject_token": offline_token, "subject_token_type": OFFLINE_TOKEN_TYPE,
            "requested_token_type": OFFLINE_TOKEN_TYPE, "expiring": "1"}
    return _grant(shop, body, config, http_client)


def _grant(shop: str, body: dict, config, http_client: httpx.Client | None) -> AccessToken:
    url = f"{config.origin_for(shop)}/admin/oauth/access_token"
    client = http_client or httpx.Client(timeout=TIMEOUT)
    try:
        response = client.post(url, json=body, headers={"Accept": "application/json"})
    except httpx.HTTPError as exc:
        raise TokenRequestError(shop, "network_error", type(exc).__name__) from exc
    finally:
        if http_client is None:
            client.close()
    data = _json(response)
    if response.status_code != 200 or not data.get("access_token"):
        raise TokenRequestError(shop, str(data.get("error", f"http_{response.status_code}")),
                                str(data.get("error_description", "no access token")), response.status_code)
    return _from_response(shop, data)


def exchange_session_token(shop: str, session_token: str, config, *, expiring: bool = True,
                           online: bool = False, http_client: httpx.Client | None = None) -> AccessToken:
    """Token exchange (managed install): a verified App Bridge session token for an access token."""
    # The caller has verified the token; shopifyapp only needs its claims to find `dest`.
    claims = jwt.decode(session_token, options={"verify_signature": False})
    if claims.get("dest", "").removeprefix("https://") != shop:
        raise TokenRequestError(shop, "invalid_subject_token", "session token is for another shop")
    with http_client or origin_client(config.origin_for, TIMEOUT) as client:
        result = token_exchange(
            "online" if online else "offline",
            {"client_id": config.api_key, "client_secret": config.api_secret, "old_client_secret": None},
            id_token={"exchangeable": True, "token": session_token, "claims": claims},
            expiring=expiring, http_client=client)
    return _from_result(shop, result, online)


def refresh_token(shop: str, refresh_token: str, config, *, http_client: httpx.Client | None = None) -> AccessToken:
    """Refresh an expiring offline token; the answer carries a NEW refresh token (rotation)."""
    current = {"shop": shop.removesuffix(".myshopify.com"), "refresh_token": refresh_token,
               "expires": "", "refresh_token_expires": "", "access_mode": "offline"}
    with http_client or origin_client(config.origin_for, TIMEOUT) as client:
        result = refresh_access_token(
            current, {"client_id": config.api_key, "client_secret": config.api_secret, "old_client_secret": None},
            http_client=client)
    return _from_result(shop, result, online=False)


def _from_result(shop: str, result, online: bool) -> AccessToken:
    tok = result.access_token
    if not result.ok or tok is None or not tok.token:
        raise TokenRequestError(shop, result.log.code, result.log.detail, result.response.status)
    return AccessToken(shop=shop, access_token=tok.token, scope=tok.scope or "",
                       expires_at=_parse(tok.expires), refresh_token=tok.refresh_token or None,
                       refresh_token_expires_at=_parse(tok.refresh_token_expires), online=online)


def _from_response(shop: str, data: dict) -> AccessToken:
    now = datetime.now(timezone.utc)
    expires_in, refresh_in = data.get("expires_in"), data.get("refresh_token_expires_in")
    return AccessToken(
        shop=shop, access_token=data["access_token"], scope=data.get("scope", ""),
        expires_at=now + timedelta(seconds=expires_in) if expires_in else None,
        refresh_token=data.get("refresh_token"),
        refresh_token_expires_at=now + timedelta(seconds=refresh_in) if refresh_in else None,
        online="associated_user" in data)


def _parse(stamp: str | None) -> datetime | None:
    return datetime.fromisoformat(stamp.replace("Z", "+00:00")) if stamp else None


def _json(response: httpx.Response) -> dict:
    try:
        data = response.json()
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}
