"""Installing the app: the authorization-code grant, token exchange, and uninstalling.

Checks in the callback run in the order Shopify's own examples use: state
(single use, consumed first), HMAC, shop domain, timestamp freshness (90 s, as
Shopify's library), then the code exchange (asking for an expiring offline
token) and the granted scopes. Nothing is stored unless all pass. Signed admin
links (`/`, `/auth/install`) get the same HMAC, shop and freshness checks.
"""
from __future__ import annotations

import logging
from datetime import timedelta
from urllib.parse import urlencode

from backend.errors import AppError, Forbidden, Unauthorized
from backend.services.install import tokens
from backend.shopify import oauth, verify
from backend.store import oauth_states, shops
from backend.store.models import OAuthState, Shop, WebhookEvent, utcnow

log = logging.getLogger(__name__)

STATE_TTL = timedelta(minutes=15)
ADMIN_PAGE = "/app"
PASSED_TO_ADMIN = ("shop", "host", "embedded", "id_token")


class InstallError(AppError):
    status = 400
    code = "install_failed"


def admin_page_url(args, shop: str) -> str:
    """The embedded admin page, keeping what App Bridge needs from the incoming query."""
    query = {k: args.get(k) for k in PASSED_TO_ADMIN if args.get(k)}
    query["shop"] = shop
    return f"{ADMIN_PAGE}?{urlencode(query)}"


def verified_shop(args, config) -> str:
    """The shop of a Shopify-signed admin link (`/`, `/auth/install`); raises on a forged one."""
    if not verify.oauth_query_valid(verify.oauth_params(args), config):
        raise Unauthorized("this link is not signed by Shopify (bad or missing hmac)", code="invalid_hmac")
    shop = oauth.normalize_shop(args.get("shop"))
    if shop is None:
        raise InstallError("the shop parameter is not a *.myshopify.com domain", code="invalid_shop")
    _require_fresh(args)
    return shop


def _require_fresh(args) -> None:
    """A signed link older (or newer) than Shopify's window is a replay: refused like a stale callback.
    90 s is what Shopify's own library allows (shopify-app-js `HMAC_TIMESTAMP_PERMITTED_CLOCK_TOLERANCE_SEC`)."""
    if not verify.timestamp_fresh(args.get("timestamp")):
        raise InstallError(f"this link has expired (signed more than {verify.OAUTH_TIMESTAMP_WINDOW} s ago); "
                           "open the app again from the Shopify admin", code="stale_request")


def has_token(db, shop: str) -> bool:
    with db.session() as s:
        return tokens.usable(shops.find(s, shop))


def begin_authorization(db, config, shop: str) -> str:
    """A fresh single-use state for the shop and the authorize URL that carries it."""
    nonce = oauth.new_nonce()
    oauth_states.add(db, nonce, shop)
    return oauth.authorize_url(config.origin_for(shop), client_id=config.api_key, scopes=config.scope_list,
                               app_url=config.app_url, state=nonce)


def _consume_state(db, nonce: str | None) -> OAuthState | None:
    """The state row, consumed; a second use finds nothing."""
    return oauth_states.consume(db, nonce) if nonce else None


def complete_authorization(db, cipher, config, args) -> str:
    """The OAuth callback. Returns the shop domain once its token is stored."""
    state = _consume_state(db, args.get("state"))
    if state is None:
        raise Forbidden("unknown, expired or already used state; start the installation again", code="invalid_state")
    params = verify.oauth_params(args)
    if not verify.oauth_query_valid(params, config):
        raise Unauthorized("the callback is not signed by Shopify (bad or missing hmac)", code="invalid_hmac")
    shop = oauth.normalize_shop(args.get("shop"))
    if shop is None or shop != state.shop_domain:
        raise InstallError("the shop does not match the one the installation started for", code="invalid_shop")
    if utcnow() - tokens.aware(state.created_at) > STATE_TTL:
        raise InstallError("the authorization is stale; start the installation again", code="stale_request")
    _require_fresh(args)
    token = _exchange(shop, args.get("code"), config)
    _require_scopes(config, token)
    save_token(db, cipher, config, shop, token)
    return shop


def _exchange(shop: str, code: str | None, config):
    from backend.shopify import tokens as token_endpoint
    from backend.shopify.errors import TokenRequestError

    if not code:
        raise InstallError("the callback carries no authorization code", code="missing_code")
    try:
        return token_endpoint.exchange_code(shop, code, config, expiring=True)
    except TokenRequestError as err:
        log.warning("code exchange for %s refused: %s", shop, err.code)
        status = 502 if err.code == "network_error" else 400
        raise InstallError(f"Shopify did not accept the authorization code ({err.code})", code="code_exchange_failed",
                           status=status) from err


def save_token(db, cipher, config, shop_domain: str, token) -> None:
    """Store the offline token encrypted and mark the shop installed. Concurrent callers: last wins."""
    def install(shop: Shop) -> bool:  # True: the shop needs the default policy
        tokens.store(shop, token, cipher)
        if shop.uninstalled_at is not None or shop.installed_at is None:
            shop.installed_at = utcnow()
        shop.uninstalled_at = None
        return shop.active_policy is None and bool(config.default_policy)

    needs_policy = shops.upsert(db, shop_domain, install)
    log.info("stored the offline token of %s (scopes %s)", shop_domain, token.scope)
    if needs_policy:
        _give_default_policy(shop_domain, config.default_policy)


def _give_default_policy(shop_domain: str, name_or_path: str) -> None:
    """DEFAULT_POLICY: a new shop starts on that policy, as a kept version like any the merchant activates.
    A policy that cannot be loaded leaves the shop without one (the admin page asks) rather than failing
    the install."""
    from flask import current_app

    from backend.services.decisions import policies

    try:
        policies.set_policy(current_app._get_current_object(), shop_domain, name_or_path, "DEFAULT_POLICY",
                            redecide=False)
    except Exception as exc:  # a bad DEFAULT_POLICY must not lose the install
        log.error("DEFAULT_POLICY %r could not be given to %s: %s", name_or_path, shop_domain, exc)


def _has_expiring_token(db, shop: str) -> bool:
    with db.session() as s:
        row = shops.find(s, shop)
        return tokens.usable(row) and row.access_token_expires_at is not None


def ensure_offline_token(db, cipher, config, session) -> bool:
    """Managed install: exchange the verified session token for an expiring offline token when the shop
    has none we can use, or only a non-expiring one (which this replaces: Shopify's documented way to
    cycle them is the next time the merchant opens the app). A grant short of the scopes we need is
    refused like the OAuth callback, and nothing is stored. Returns True when it exchanged."""
    from backend.shopify import tokens as token_endpoint
    from backend.shopify.errors import TokenRequestError

    if _has_expiring_token(db, session.shop):
        return False
    try:
        token = token_endpoint.exchange_session_token(session.shop, session.token, config, expiring=True)
    except TokenRequestError as err:
        log.warning("token exchange for %s refused: %s", session.shop, err.code)
        if has_token(db, session.shop):  # the non-expiring token still works; its next use migrates it
            return False
        raise Unauthorized("Shopify did not exchange the session token; reload the app",
                           code="token_exchange_failed", details={"reason": err.code}) from err
    _require_scopes(config, token)
    save_token(db, cipher, config, session.shop, token)
    return True


def _require_scopes(config, token) -> None:
    missing = oauth.missing_scopes(config.scope_list, token.scope)
    if missing:
        log.warning("%s granted %s, short of %s: token not stored", token.shop, token.scope, missing)
        raise Forbidden("the app was not granted the access it needs; approve the requested access in "
                        "the Shopify admin and open the app again", code="missing_scopes",
                        details={"missing": missing})


def handle_app_uninstalled(s, event: WebhookEvent) -> str:
    """`app/uninstalled`: forget the tokens (Shopify has revoked them) and mark the shop uninstalled.

    Only the body is signed, and it carries no event time, so a captured body replayed later (with
    any `Triggered-At` an attacker likes) cannot be told apart by itself. Shopify revokes the app's
    tokens on uninstall: while the stored token still works the shop is installed, and the event is
    stale or replayed."""
    shop = shops.find(s, event.shop_domain)
    event.payload = None  # the shop owner's contact details: nothing to keep
    if shop is None:
        return "ignored"
    if shop.access_token_encrypted and _token_still_works(shop.domain):
        log.warning("ignoring app/uninstalled for %s: its access token still works (stale or replayed)",
                    shop.domain)
        return "ignored"
    tokens.clear(shop)
    shop.scopes = ""
    shop.uninstalled_at = utcnow()
    s.add(shop)
    oauth_states.delete_for_shop(s, shop.domain)
    log.info("%s uninstalled the app: tokens deleted", shop.domain)
    return "done"


STILL_INSTALLED_QUERY = "query FineprintStillInstalled { shop { myshopifyDomain } }"


def _token_still_works(shop_domain: str) -> bool:
    """Ask Shopify with the stored token. 401 or no usable token: gone. Anything else (network, 5xx after
    the client's retries) raises, and the event is retried rather than acted on unconfirmed."""
    from flask import current_app

    from backend.services.orders.apply_decision import admin_for
    from backend.shopify.errors import TokenRevoked

    try:
        admin_for(current_app._get_current_object(), shop_domain).graphql(STILL_INSTALLED_QUERY)
    except (TokenRevoked, tokens.ReauthorizationRequired):
        return False
    return True
