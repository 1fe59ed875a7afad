"""The simulator's OAuth server: authorize redirect and /admin/oauth/access_token grants.

Codes are single use; expiring offline tokens rotate their refresh token on
every refresh; errors have Shopify's `{"error", "error_description"}` shape.
Token exchange takes an App Bridge id token (managed install) or, to migrate it,
a non-expiring offline token: the old token stops working, and the same old
token asked again within 7 days (until the new pair is refreshed) answers the
same pair, as shopify.dev documents ("Migrate to expiring offline access
tokens"; changelog "More resilient token exchanges when migrating tokens").
"""
from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import urlencode

from devshop.models import Token
from devshop.sessiontokens import admin_host_param, decode_session_token, oauth_query_hmac

TOKEN_EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ONLINE_TYPE = "urn:shopify:params:oauth:token-type:online-access-token"
OFFLINE_TYPE = "urn:shopify:params:oauth:token-type:offline-access-token"
ID_TOKEN_TYPE = "urn:ietf:params:oauth:token-type:id_token"
CODE_TTL = 600
MIGRATION_RECOVERY = 7 * 86400


@dataclass
class _Migration:
    issued: float
    answer: dict


@dataclass
class _Code:
    shop: str
    scope: str
    mode: str
    issued: float
    used: bool = False


class OAuthError(Exception):
    def __init__(self, status: int, error: str, description: str):
        super().__init__(description)
        self.status, self.error, self.description = status, error, description

    def body(self) -> dict:
        return {"error": self.error, "error_description": self.description}


class OAuthServer:
    def __init__(self, api_key: str, api_secret: str, *, token_ttl: int = 3600,
                 refresh_ttl: int = 90 * 86400, online_ttl: int = 86399):
        self.api_key, self.api_secret = api_key, api_secret
        self.token_ttl, self.refresh_ttl, self.online_ttl = token_ttl, refresh_ttl, online_ttl
        self.tokens: dict[str, Token] = {}
        self.refresh_tokens: dict[str, Token] = {}
        self._codes: dict[str, _Code] = {}
        self._migrations: dict[str, _Migration] = {}  # old non-expiring token -> the pair it became
        self._lock = threading.Lock()

    # -- authorize ---------------------------------------------------------
    def authorize(self, shop, granted_scopes: str | None, args: dict) -> str:
        """The merchant consents at once: returns the redirect URL with code and HMAC."""
        if args.get("client_id") != self.api_key:
            raise OAuthError(400, "invalid_request", "Oauth error invalid_request: The client_id is invalid")
        redirect_uri = args.get("redirect_uri")
        if not redirect_uri:
            raise OAuthError(400, "invalid_request", "Oauth error invalid_request: redirect_uri is required")
        mode = "online" if args.get("grant_options[]") == "per-user" else "offline"
        scope = granted_scopes if granted_scopes is not None else args.get("scope", "")
        code = secrets.token_hex(16)
        with self._lock:
            self._codes[code] = _Code(shop, scope, mode, time.time())
        params = {"code": code, "host": admin_host_param(shop), "shop": shop,
                  "timestamp": str(int(time.time()))}
        if args.get("state") is not None:
            params["state"] = args["state"]
        params["hmac"] = oauth_query_hmac(params, self.api_secret)
        sep = "&" if "?" in redirect_uri else "?"
        return f"{redirect_uri}{sep}{urlencode(params)}"

    # -- token endpoint ----------------------------------------------------
    def token(self, shop: str, body: dict, managed_scope: str) -> dict:
        """Answer one token request; `managed_scope` is what a managed install grants."""
        self._check_client(body)
        grant = body.get("grant_type") or ("authorization_code" if "code" in body else None)
        if grant == "authorization_code":
            return self._code_grant(shop, body)
        if grant == TOKEN_EXCHANGE:
            return self._exchange_grant(shop, body, managed_scope)
        if grant == "refresh_token":
            return self._refresh_grant(shop, body)
        raise OAuthError(400, "unsupported_grant_type", f"The grant type {grant!r} is not supported")

    def _check_client(self, body: dict) -> None:
        ok_id = hmac.compare_digest(str(body.get("client_id", "")), self.api_key)
        ok_secret = hmac.compare_digest(str(body.get("client_secret", "")), self.api_secret)
        if not (ok_id and ok_secret):
            raise OAuthError(401, "invalid_client", "Client authentication failed due to unknown client, "
                             "no client authentication included, or unsupported authentication method.")

    def _code_grant(self, shop: str, body: dict) -> dict:
        with self._lock:
            code = self._codes.get(str(body.get("code", "")))
            if not code or code.used or code.shop != shop or time.time() - code.issued > CODE_TTL:
                raise OAuthError(400, "invalid_request",
                                 "The authorization code was not found or was already used")
            code.used = True
        return self._issue(shop, code.scope, code.mode, _truthy(body.get("expiring")))

    def _exchange_grant(self, shop: str, body: dict, granted: str) -> dict:
        subject_type = body.get("subject_token_type")
        if subject_type == OFFLINE_TYPE:
            return self._migration_grant(shop, body)
        if subject_type != ID_TOKEN_TYPE:
            raise OAuthError(400, "invalid_request", f"The subject_token_type {subject_type!r} is not supported")
        try:
            claims = decode_session_token(str(body.get("subject_token", "")), shop, self.api_key, self.api_secret)
        except Exception as exc:  # any JWT problem is the same error to the caller
            raise OAuthError(400, "invalid_subject_token", f"Invalid subject token: {exc}") from exc
        mode = "online" if body.get("requested_token_type") == ONLINE_TYPE else "offline"
        return self._issue(shop, granted, mode, _truthy(body.get("expiring")), user_id=int(claims["sub"]))

    def _migration_grant(self, shop: str, body: dict) -> dict:
        """A non-expiring offline token for an expiring pair (only `expiring=1` to an offline token)."""
        if body.get("requested_token_type") != OFFLINE_TYPE or not _truthy(body.get("expiring")):
            raise OAuthError(400, "invalid_request", "Only expiring offline access tokens can be requested")
        subject = str(body.get("subject_token", ""))
        with self._lock:
            old, done = self.tokens.get(subject), self._migrations.get(subject)
            if done and time.time() - done.issued < MIGRATION_RECOVERY \
                    and done.answer["refresh_token"] in self.refresh_tokens:
                self.tokens[done.answer["access_token"]].expires_at = time.time() + self.token_ttl
                return {**done.answer, "expires_in": self.token_ttl}
            if not old or old.shop != shop or old.mode != "offline" or old.expires_at is not None or old.revoked:
                raise OAuthError(400, "invalid_subject_token", "Invalid subject token: not a live non-expiring "
                                 "offline access token of this shop")
            old.revoked = True  # the old token no longer works once migrated
        answer = self._issue(shop, old.scope, "offline", True)
        with self._lock:
            self._migrations[subject] = _Migration(time.time(), answer)
        return answer

    def _refresh_grant(self, shop: str, body: dict) -> dict:
        with self._lock:
            old = self.refresh_tokens.pop(str(body.get("refresh_token", "")), None)
        if not old or old.shop != shop or old.revoked or (old.refresh_expires_at or 0) < time.time():
            raise OAuthError(400, "invalid_grant", "The refresh token is invalid, expired or was already used")
        return self._issue(shop, old.scope, old.mode, True, user_id=old.user_id)

    # -- issuing and checking tokens ---------------------------------------
    def _issue(self, shop: str, scope: str, mode: str, expiring: bool, user_id: int | None = None) -> dict:
        now = time.time()
        tok = Token(value="shpat_" + secrets.token_hex(16), shop=shop, scope=scope, mode=mode, user_id=user_id)
        body: dict = {"access_token": tok.value, "scope": scope}
        if mode == "online":
            tok.expires_at = now + self.online_ttl
            body.update(expires_in=self.online_ttl, associated_user_scope=scope,
                        associated_user=_user(user_id or 1))
        elif expiring:
            tok.expires_at = now + self.token_ttl
            tok.refresh_token = "shprt_" + secrets.token_hex(16)
            tok.refresh_expires_at = now + self.refresh_ttl
            body.update(expires_in=self.token_ttl, refresh_token=tok.refresh_token,
                        refresh_token_expires_in=self.refresh_ttl)
        with self._lock:
            self.tokens[tok.value] = tok
            if tok.refresh_token:
                self.refresh_tokens[tok.refresh_token] = tok
        return body

    def valid_token(self, shop: str, value: str | None) -> Token | None:
        tok = self.tokens.get(value or "")
        if not tok or tok.shop != shop or tok.revoked:
            return None
        if tok.expires_at is not None and tok.expires_at < time.time():
            return None
        return tok

    def revoke_all(self, shop: str) -> int:
        with self._lock:
            hit = [t for t in self.tokens.values() if t.shop == shop and not t.revoked]
            for t in hit:
                t.revoked = True
        return len(hit)

    def issue_token(self, shop: str, scope: str, *, expiring: bool = False) -> dict:
        """Test helper: a token as if the shop had installed the app."""
        return self._issue(shop, scope, "offline", expiring)


def _truthy(value) -> bool:
    return str(value).lower() in ("1", "true", "yes")


def _user(user_id: int) -> dict:
    return {"id": user_id, "first_name": "Dev", "last_name": "Merchant", "email": "merchant@example.com",
            "account_owner": True, "locale": "en", "collaborator": False, "email_verified": True}
