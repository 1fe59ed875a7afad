"""Settings from the environment (contract §2), with development defaults.

Only `APP_ENV` (or `FLASK_ENV`) `development`, `test` or `demo` may run on the
development values. Any other value (`production`, `staging`, `prod`, a typo)
is production: the app refuses to start when any secret or key, current or
old, first in a rotation list or not, is a development value, and names the
variable to set.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, fields, replace
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
INSTANCE = ROOT / "instance"

DEV_API_KEY = "dev-api-key"
DEV_API_SECRET = "dev-api-secret"
# A Fernet key (32 url-safe base64 bytes). Public on purpose: development only.
DEV_TOKEN_KEY = "ZGV2LXRva2VuLWtleS1maW5lcHJpbnQtZGV2LW9ubHk="
DEFAULT_API_VERSION = "2026-10"
# What the features need, and every scope Shopify's schema names for the subscribed webhook topics
# (tests/unit/test_scopes_from_schema.py): orders read and tagged (read/write_orders), the catalog
# (read_products), fulfillments/* and fulfillment_events/* (read_fulfillments), the app proxy (write_app_proxy).
DEFAULT_SCOPES = "read_orders,write_orders,read_products,read_fulfillments,write_app_proxy,read_returns,write_returns"
# Asked for after install, when the merchant wants it: orders older than 60 days (backfill).
OPTIONAL_SCOPES = ("read_all_orders",)
# Settings that may use the public development values. Everything else is production: an unknown or
# misspelt APP_ENV must fail closed, never run silently on secrets anyone can read in this repository.
DEVELOPMENT_ENVS = frozenset({"development", "test", "demo"})


class ConfigError(RuntimeError):
    """The environment does not describe a runnable app."""


def _port(raw: str | None) -> int:
    text = (raw or "").strip() or "8000"
    if not text.isdigit() or not 0 < int(text) < 65536:
        raise ConfigError(f"PORT must be a TCP port number (1-65535), not {raw!r}")
    return int(text)


def _number(e, name: str, kind, default):
    """A numeric setting: unset is `default`; anything that is not a positive number is one line naming it."""
    raw = (e.get(name) or "").strip()
    if not raw:
        return default
    try:
        value = kind(raw)
    except ValueError:
        value = None
    if value is None or value <= 0:
        raise ConfigError(f"{name} must be a positive {'whole ' if kind is int else ''}number, not {raw!r}")
    return value


def _flag(e, name: str) -> bool:
    return (e.get(name) or "").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class Config:
    """Every setting, typed; `from_env` reads each from the variable named beside it (README, Configuration)."""

    env: str = "development"  # APP_ENV (or FLASK_ENV)
    api_key: str = DEV_API_KEY  # SHOPIFY_API_KEY
    api_secret: str = DEV_API_SECRET  # SHOPIFY_API_SECRET
    old_api_secret: str | None = None  # SHOPIFY_OLD_API_SECRET
    scopes: str = DEFAULT_SCOPES  # SHOPIFY_SCOPES
    port: int = 8000  # PORT
    app_url: str = ""  # APP_URL (default http://127.0.0.1:$PORT)
    database_url: str = f"sqlite:///{INSTANCE / 'app.db'}"  # DATABASE_URL
    redis_url: str | None = None  # REDIS_URL
    admin_origin: str = "https://{shop}"  # SHOPIFY_ADMIN_ORIGIN
    api_version: str = DEFAULT_API_VERSION  # SHOPIFY_API_VERSION
    admin_timeout: float | None = None  # SHOPIFY_ADMIN_TIMEOUT, seconds per Admin call (None: the client's 20)
    default_policy: str | None = None  # DEFAULT_POLICY
    token_key: str = DEV_TOKEN_KEY  # TOKEN_ENCRYPTION_KEY
    huey_immediate: bool = False  # HUEY_IMMEDIATE: jobs run inline, in the process that queues them
    huey_path: str | None = None  # HUEY_PATH: the SQLite queue file (None: huey.db beside the database)
    huey_name: str = "fineprint"  # QUEUE_NAME: prefix of the queue, throttle and lock keys in Redis
    order_lock_ttl: float | None = None  # ORDER_LOCK_TTL, seconds (None: services/orders/locks.DEFAULT_TTL)
    apply_lease: float | None = None  # APPLY_LEASE, seconds a run owns its job (None: store/jobs.APPLY_LEASE)
    pipeline_max_attempts: int = 6  # PIPELINE_MAX_ATTEMPTS before a job is parked
    pipeline_retry_base: float = 2.0  # PIPELINE_RETRY_BASE, seconds: the backoff's first step
    backfill_dir: str | None = None  # BACKFILL_DIR: downloaded bulk results (None: instance/backfill)
    backfill_poll_interval: float = 1.0  # BACKFILL_POLL_INTERVAL, seconds between bulk operation polls
    backfill_concurrency: int = 4  # BACKFILL_CONCURRENCY: orders written at once
    max_body: int = 1024 * 1024  # MAX_BODY_BYTES: the largest request body (webhooks aside)
    webhook_max_body: int = 1024 * 1024  # WEBHOOK_MAX_BODY_BYTES
    demo_shop: str | None = None  # DEMO_SHOP: the demo store's domain (`fineprint demo`)
    testing: bool = False  # tests only (Flask's TESTING)

    @property
    def production(self) -> bool:
        return self.env not in DEVELOPMENT_ENVS

    @property
    def scope_list(self) -> list[str]:
        return [s.strip() for s in self.scopes.split(",") if s.strip()]

    def origin_for(self, shop: str) -> str:
        return self.admin_origin.replace("{shop}", shop).rstrip("/")

    def with_overrides(self, overrides: dict) -> "Config":
        """These settings changed (tests, the demo); a name that is not a setting is an error, not ignored."""
        unknown = set(overrides) - {f.name for f in fields(self)}
        if unknown:
            raise ConfigError(f"unknown setting(s): {', '.join(sorted(unknown))}")
        return replace(self, **overrides).completed()

    def completed(self) -> "Config":
        app_url = self.app_url or f"http://127.0.0.1:{self.port}"
        return replace(self, app_url=app_url.rstrip("/"))

    @classmethod
    def from_env(cls, environ: dict | None = None) -> "Config":
        e = os.environ if environ is None else environ
        env = (e.get("APP_ENV") or e.get("FLASK_ENV") or "development").lower()
        port = _port(e.get("PORT"))
        return cls(
            env=env,
            api_key=e.get("SHOPIFY_API_KEY") or DEV_API_KEY,
            api_secret=e.get("SHOPIFY_API_SECRET") or DEV_API_SECRET,
            old_api_secret=e.get("SHOPIFY_OLD_API_SECRET") or None,
            scopes=e.get("SHOPIFY_SCOPES") or DEFAULT_SCOPES,
            port=port,
            app_url=e.get("APP_URL") or "",
            database_url=e.get("DATABASE_URL") or cls.database_url,
            redis_url=e.get("REDIS_URL") or None,
            admin_origin=e.get("SHOPIFY_ADMIN_ORIGIN") or "https://{shop}",
            api_version=e.get("SHOPIFY_API_VERSION") or DEFAULT_API_VERSION,
            admin_timeout=_number(e, "SHOPIFY_ADMIN_TIMEOUT", float, None),
            default_policy=e.get("DEFAULT_POLICY") or None,
            token_key=e.get("TOKEN_ENCRYPTION_KEY") or DEV_TOKEN_KEY,
            huey_immediate=_flag(e, "HUEY_IMMEDIATE"),
            huey_path=e.get("HUEY_PATH") or None,
            huey_name=e.get("QUEUE_NAME") or cls.huey_name,
            order_lock_ttl=_number(e, "ORDER_LOCK_TTL", float, None),
            apply_lease=_number(e, "APPLY_LEASE", float, None),
            pipeline_max_attempts=_number(e, "PIPELINE_MAX_ATTEMPTS", int, cls.pipeline_max_attempts),
            pipeline_retry_base=_number(e, "PIPELINE_RETRY_BASE", float, cls.pipeline_retry_base),
            backfill_dir=e.get("BACKFILL_DIR") or None,
            backfill_poll_interval=_number(e, "BACKFILL_POLL_INTERVAL", float, cls.backfill_poll_interval),
            backfill_concurrency=_number(e, "BACKFILL_CONCURRENCY", int, cls.backfill_concurrency),
            max_body=_number(e, "MAX_BODY_BYTES", int, cls.max_body),
            webhook_max_body=_number(e, "WEBHOOK_MAX_BODY_BYTES", int, cls.webhook_max_body),
            demo_shop=e.get("DEMO_SHOP") or None,
        ).completed()

    def check(self) -> "Config":
        """Refuse development values outside development. Returns self."""
        if not self.production:
            return self
        found = _development_values(self)
        if found:
            raise ConfigError(
                f"refusing to start in production (APP_ENV={self.env}) with development values: set "
                + ", ".join(found)
                + " (TOKEN_ENCRYPTION_KEY: a Fernet key, e.g. from "
                "`python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'`)"
            )
        return self


def _parts(value: str | None) -> list[str]:
    """A setting's values: rotation lists are comma-separated, and every entry counts, not just the first."""
    return [p.strip() for p in (value or "").split(",") if p.strip()]


def _development_values(cfg: Config) -> list[str]:
    """The variables holding a development value (or, for a required one, nothing at all)."""
    dev = {DEV_API_KEY, DEV_API_SECRET, DEV_TOKEN_KEY}
    settings = {"SHOPIFY_API_KEY": (cfg.api_key, True), "SHOPIFY_API_SECRET": (cfg.api_secret, True),
                "SHOPIFY_OLD_API_SECRET": (cfg.old_api_secret, False),
                "TOKEN_ENCRYPTION_KEY": (cfg.token_key, True)}
    return [name for name, (value, required) in settings.items()
            if any(p in dev for p in _parts(value)) or (required and not _parts(value))]
