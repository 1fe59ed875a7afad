"""Demo mode: the admin page outside the Shopify iframe, for the demo shop on the simulated Shopify.

On when the app runs with `APP_ENV=demo` (`fineprint demo` sets it for the
app it serves). Never in production: production is `APP_ENV=production`.
The demo shop is `config.demo_shop` (`$DEMO_SHOP`, default below). Nothing is
bypassed: the simulated admin (devshop) opens the page with a session token
and issues fresh ones, and the app verifies them as it verifies Shopify's.

    Lease.write(config, shop, origin, url) / Lease.current(config) / lease.release()
    reach(config, shop) -> the config a CLI command uses to call SHOP's Admin API
"""
from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from pathlib import Path

from sqlalchemy.engine import make_url

from backend.config import INSTANCE
from backend.errors import Conflict

DEFAULT_SHOP = "fineprint-demo.myshopify.com"


def enabled(config) -> bool:
    return config.env == "demo" and not config.production


def shop(config) -> str | None:
    if not enabled(config):
        return None
    return config.demo_shop or DEFAULT_SHOP


def id_token_url(config) -> str | None:
    """Where the demo page gets fresh session tokens: the simulated Shopify admin (the demo has no App Bridge
    frame to ask). The tokens are Shopify's kind, verified like any other; None outside demo mode."""
    domain = shop(config)
    return None if domain is None else f"{config.origin_for(domain)}/admin/apps/{config.api_key}/id-token"


# --------------------------------------------------------------- the lease
# While `fineprint demo` serves, the file below says where its simulated Shopify listens, so
# that CLI commands run from another terminal reach the demo shop's Admin API (`orders backfill`).
# A file rather than a table: it lives exactly as long as the demo process, and a stale one (the
# demo was killed) is recognised by its process id.

@dataclass(frozen=True)
class Lease:
    path: Path
    shop: str
    admin_origin: str
    app_url: str
    pid: int

    @staticmethod
    def path_for(config) -> Path:
        """Beside the SQLite database (so a test's private database has its own), else in instance/."""
        url = make_url(config.database_url)
        if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
            return Path(url.database).with_name("demo.json")
        return INSTANCE / "demo.json"

    @classmethod
    def write(cls, config, shop: str, admin_origin: str, app_url: str) -> "Lease":
        lease = cls(cls.path_for(config), shop, admin_origin, app_url, os.getpid())
        lease.path.parent.mkdir(parents=True, exist_ok=True)
        data = {"shop": shop, "admin_origin": admin_origin, "app_url": app_url, "pid": lease.pid}
        lease.path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        return lease

    @classmethod
    def current(cls, config) -> "Lease | None":
        """The running demo's lease, or None (no demo, or the demo that wrote it is gone)."""
        lease = cls._read(cls.path_for(config))
        return lease if lease is not None and _alive(lease.pid) else None

    def release(self) -> None:
        on_disk = Lease._read(self.path)
        if on_disk is None or on_disk.pid == self.pid:  # never remove a newer demo's lease
            self.path.unlink(missing_ok=True)

    @classmethod
    def _read(cls, path: Path) -> "Lease | None":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            return cls(path, str(data["shop"]), str(data["admin_origin"]), str(data["app_url"]), int(data["pid"]))
        except (OSError, ValueError, KeyError, TypeError):
            return None


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: an existence check; PermissionError means it exists, as someone else's
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    return True


class DemoNotRunning(Conflict):
    code = "demo_not_running"


def reach(config, shop: str):
    """The config a CLI command uses for SHOP: pointed at the running demo's simulator when SHOP is the
    demo shop. A demo shop with no demo running is an error that says what to do."""
    lease = Lease.current(config)
    if lease is not None and lease.shop == shop:
        return replace(config, admin_origin=lease.admin_origin)
    if shop == (os.environ.get("DEMO_SHOP") or DEFAULT_SHOP):
        raise DemoNotRunning(f"{shop} is the demo shop: its simulated Shopify runs only while `make demo` "
                             "does; start it in another terminal, then run this again")
    return config

