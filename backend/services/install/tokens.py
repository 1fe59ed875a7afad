"""A shop's offline access token: stored encrypted, handed out valid, refreshed before it lapses.

`tokens_for(shop)` is what the Admin API client calls. Expiring offline tokens
(`expiring=1`) are refreshed when less than `REFRESH_MARGIN` is left; Shopify
rotates the refresh token on every refresh, so the new one is stored at once.
One refresh at a time per shop (a row lock on PostgreSQL, a process lock too),
because a second refresh with the already-rotated refresh token would be
refused. A refresh that Shopify refuses for good clears the shop's tokens: the
next time the merchant opens the app it is authorized anew (no retry loop).
`refresh_after_401(shop, rejected)` is the Admin client's one refresh when
Shopify answers 401 before the stored expiry (a revoked access token); for a
non-expiring token it is one migration attempt (a lost migration answer is
recovered so).

A shop still holding a non-expiring offline token (installed before we asked
for expiring ones) is migrated on its next use: `tokens_for` exchanges it for
an expiring pair first. When that fails the current token is used and the next
attempt waits `MIGRATION_RETRY` (in this process), so a refusal never blocks
the shop's work nor floods the token endpoint. `migrate(shop)` does the same on
demand and reports failures (`fineprint shops migrate-tokens`).
"""
from __future__ import annotations

import logging
import threading
from contextlib import contextmanager
from collections import defaultdict
from datetime import datetime, timedelta, timezone

from flask import current_app

from backend.errors import AppError, ServiceUnavailable
from backend.store import shops
from backend.store.models import Shop, utcnow

log = logging.getLogger(__name__)

REFRESH_MARGIN = timedelta(minutes=5)
MIGRATION_RETRY = timedelta(minutes=15)
_locks: dict[str, threading.Lock] = defaultdict(threading.Lock)


class ReauthorizationRequired(AppError):
    """The shop has no usable token: the merchant must open (and so re-authorize) the app."""

    status = 401
    code = "reauthorization_required"


def aware(stamp: datetime | None) -> datetime | None:
    """SQLite hands timestamps back naive; they were stored in UTC."""
    if stamp is None or stamp.tzinfo is not None:
        return stamp
    return stamp.replace(tzinfo=timezone.utc)


def store(shop: Shop, token, cipher) -> None:
    """Put a token-endpoint answer (`backend.shopify.tokens.AccessToken`) on the shop row, encrypted."""
    shop.access_token_encrypted = cipher.encrypt(token.access_token)
    shop.access_token_expires_at = token.expires_at
    shop.refresh_token_encrypted = cipher.encrypt(token.refresh_token) if token.refresh_token else None
    shop.refresh_token_expires_at = token.refresh_token_expires_at
    if token.scope:
        shop.scopes = token.scope


def clear(shop: Shop) -> None:
    shop.access_token_encrypted = None
    shop.refresh_token_encrypted = None
    shop.access_token_expires_at = None
    shop.refresh_token_expires_at = None


def usable(shop: Shop | None, now: datetime | None = None) -> bool:
    """A token we can use now or refresh (the shop is installed and not waiting for re-authorization)."""
    if shop is None or shop.uninstalled_at is not None or not shop.access_token_encrypted:
        return False
    now = now or utcnow()
    expires = aware(shop.access_token_expires_at)
    if expires is None or expires > now:
        return True
    refresh_expires = aware(shop.refresh_token_expires_at)
    return bool(shop.refresh_token_encrypted) and (refresh_expires is None or refresh_expires > now)


@contextmanager
def _installed_shop(shop_domain: str):
    """(session, shop row locked for update, app) under the shop's process lock; no token → reauthorize."""
    app = current_app._get_current_object()
    with _locks[shop_domain], app.extensions["fineprint.db"].session() as s:
        shop = shops.find_for_update(s, shop_domain)
        if shop is None or shop.uninstalled_at is not None or not shop.access_token_encrypted:
            raise ReauthorizationRequired(f"{shop_domain} has no access token; the merchant must open the app")
        yield s, shop, app


def tokens_for(shop_domain: str, *, now: datetime | None = None) -> str:
    """A valid offline access token for the shop: refreshed first when it is about to lapse, migrated
    first when it is a non-expiring one."""
    with _installed_shop(shop_domain) as (s, shop, app):
        cipher = app.extensions["fineprint.cipher"]
        now = now or utcnow()
        expires = aware(shop.access_token_expires_at)
        if expires is None:
            return _migrated_or_current(s, shop, app, now)
        if expires - now > REFRESH_MARGIN:
            return cipher.decrypt(shop.access_token_encrypted)
        return _refresh(s, shop, app, now)


def migrate(shop_domain: str) -> str:
    """Exchange the shop's non-expiring offline token for an expiring one now: "migrated", or
    "already_expiring". Raises ReauthorizationRequired (no token, or Shopify refused it for good) or
    ServiceUnavailable (try again)."""
    from backend.shopify.errors import TokenRequestError

    with _installed_shop(shop_domain) as (s, shop, app):
        if shop.access_token_expires_at is not None:
            return "already_expiring"
        try:
            _migrate(s, shop, app)
        except TokenRequestError as err:
            if err.needs_reauthorization:
                raise ReauthorizationRequired(f"Shopify refused to migrate the token of {shop_domain} ({err.code}); "
                                              "the merchant must open the app") from err
            raise ServiceUnavailable("Shopify's token endpoint is unavailable; try again shortly",
                                     details={"shop": shop_domain, "reason": err.code}) from err
        return "migrated"


def _migrated_or_current(s, shop: Shop, app, now: datetime) -> str:
    from backend.shopify.errors import TokenRequestError

    retry_at = app.extensions.setdefault("fineprint.token_migration_retry", {})
    current = app.extensions["fineprint.cipher"].decrypt(shop.access_token_encrypted)
    if retry_at.get(shop.domain, now) > now:
        return current
    try:
        return _migrate(s, shop, app)
    except TokenRequestError as err:
        retry_at[shop.domain] = now + MIGRATION_RETRY
        log.warning("could not migrate the non-expiring token of %s (%s); using it, retrying after %s",
                    shop.domain, err.code, retry_at[shop.domain])
        return current


def _migrated_after_401(s, shop: Shop, app) -> str | None:
    """A non-expiring token refused with 401: most likely migrated already, its answer lost (Shopify
    then answers the same pair to the same old token for 7 days); None when that fails too."""
    from backend.shopify.errors import TokenRequestError

    if shop.access_token_expires_at is not None:
        return None
    try:
        return _migrate(s, shop, app)
    except TokenRequestError as err:
        log.warning("Shopify refused the non-expiring token of %s and its migration (%s)", shop.domain, err.code)
        return None


def _migrate(s, shop: Shop, app) -> str:
    from backend.shopify import tokens as token_endpoint

    cipher, config = app.extensions["fineprint.cipher"], app.config["FINEPRINT"]
    token = token_endpoint.migrate_offline_token(shop.domain, cipher.decrypt(shop.access_token_encrypted), config)
    store(shop, token, cipher)
    s.add(shop)
    s.commit()  # the old token is dead from now on: never lose the new pair
    app.extensions.get("fineprint.token_migration_retry", {}).pop(shop.domain, None)
    log.info("migrated %s to an expiring offline token (valid until %s)", shop.domain, token.expires_at)
    return token.access_token


def refresh_after_401(shop_domain: str, rejected: str) -> str | None:
    """Shopify refused `rejected` (401): a new token from the stored refresh token, or None when there is
    none (a non-expiring token: nothing to refresh). When another worker already rotated the tokens, its
    newer token is returned without a second grant (the old refresh token would be refused)."""
    with _installed_shop(shop_domain) as (s, shop, app):
        current = app.extensions["fineprint.cipher"].decrypt(shop.access_token_encrypted)
        if current != rejected:
            return current
        if not shop.refresh_token_encrypted:
            return _migrated_after_401(s, shop, app)
        log.info("Shopify refused the access token of %s (401); refreshing once", shop_domain)
        return _refresh(s, shop, app, utcnow())


def _refresh(s, shop: Shop, app, now: datetime) -> str:
    from backend.shopify import tokens as token_endpoint
    from backend.shopify.errors import TokenRequestError

    cipher, config = app.extensions["fineprint.cipher"], app.config["FINEPRINT"]
    refresh_expires = aware(shop.refresh_token_expires_at)
    if not shop.refresh_token_encrypted or (refresh_expires is not None and refresh_expires <= now):
        return _give_up(s, shop, "the refresh token has expired")
    try:
        token = token_endpoint.refresh_token(shop.domain, cipher.decrypt(shop.refresh_token_encrypted), config)
    except TokenRequestError as err:
        if err.needs_reauthorization:
            return _give_up(s, shop, f"Shopify refused the refresh ({err.code})")
        log.warning("token refresh for %s failed (%s); keeping the current token", shop.domain, err.code)
        raise ServiceUnavailable("Shopify's token endpoint is unavailable; try again shortly",
                                 details={"shop": shop.domain, "reason": err.code}) from err
    store(shop, token, cipher)
    s.add(shop)
    log.info("refreshed the access token of %s (valid until %s)", shop.domain, token.expires_at)
    return token.access_token


def _give_up(s, shop: Shop, why: str) -> str:
    clear(shop)
    s.add(shop)
    s.commit()  # keep the cleared tokens although we raise
    log.warning("cleared the tokens of %s: %s; the next app open re-authorizes", shop.domain, why)
    raise ReauthorizationRequired(f"{shop.domain} must re-authorize the app: {why}")
