"""Settings from the environment (contract §2), with development defaults.

Only `APP_ENV` (or `FLASK_ENV`) `development`, `test` or `demo` may run on the
development values. Any other value (`production`, `staging`, `prod`, a typo)
is production: the app refuses to start when any secret or key, current or
old, first in a rotation list or not, is a development value, and names the
variable to set.
"""
from __future__ import annotations

import os
from dataclasses import dataclass, field, fields, replace
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


@dataclass(frozen=True)
class Config:
    env: str = "development"
    api_key: str = DEV_API_KEY
    api_secret: str = DEV_API_SECRET
    old_api_secret: str | None = None
    scopes: str = DEFAULT_SCOPES
    port: int = 8000
    app_url: str = ""
    database_url: str = f"sqlite:///{INSTANCE / 'app.db'}"
    redis_url: str | None = None
    admin_origin: str = "https://{shop}"
    api_version: str = DEFAULT_API_VERSION
    default_policy: str | None = None
    token_key: str = DEV_TOKEN_KEY
    huey_immediate: bool = False
    huey_path: str | None = None
    testing: bool = False
    extra: dict = field(default_factory=dict)

    @property
    def production(self) -> bool:
        return self.env not in DEVELOPMENT_ENVS

    @property
    def scope_list(self) -> list[str]:
        return [s.strip() for s in self.scopes.split(",") if s.strip()]

    def origin_for(self, shop: str) -> str:
        return self.admin_origin.replace("{shop}", shop).rstrip("/")

    def with_overrides(self, overrides: dict) -> "Config":
        known = {f.name for f in fields(self)}
        unknown = set(overrides) - known
        extra = {**self.extra, **{k: overrides[k] for k in unknown}}
        cfg = replace(self, **{k: v for k, v in overrides.items() if k in known}, extra=extra)
        return cfg.completed()

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
            default_policy=e.get("DEFAULT_POLICY") or None,
            token_key=e.get("TOKEN_ENCRYPTION_KEY") or DEV_TOKEN_KEY,
            huey_immediate=(e.get("HUEY_IMMEDIATE") or "").lower() in ("1", "true", "yes"),
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
