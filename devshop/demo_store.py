"""The demo store: the app, its worker and the Shopify simulator (devshop) in one process.

    store = DemoStore(preset="aallyn", port=8000).start()   # simulator, app, worker; OAuth install
    store.load_samples()                                      # products and orders, their webhooks signed
    store.wait_for_tags(timeout=60)                           # the worker decided and tagged every order
    print(store.admin_url)
    store.stop()

The app is installed the way a merchant installs it: an HTTP client follows the
signed install link → the simulator's authorize page → /auth/callback (code
exchange) → /app. Webhooks are POSTed to /webhooks with Shopify's HMAC header.

The demo uses the app's own database and job queue (`DATABASE_URL`, default
instance/app.db), so every CLI command sees the demo shop like any installed
shop. The simulator keeps its shop in memory, so each run first forgets what an
earlier run stored for the demo shop (that shop only), and, while it serves,
records where its simulated Shopify listens (`services.admin.demo.Lease`) for CLI
commands that call the shop's Admin API (`orders backfill`).
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
import logging
import threading
import time
import uuid
from datetime import datetime, timedelta, timezone
from urllib.parse import urlencode

import httpx
from sqlalchemy import delete
from sqlmodel import SQLModel, select
from werkzeug.serving import WSGIRequestHandler, make_server

from backend.config import DEV_API_KEY, DEV_API_SECRET, Config
from devshop import Simulator
from devshop.sessiontokens import admin_host_param, oauth_query_hmac
from backend.services.admin import demo
from backend.services.admin.demo import DEFAULT_SHOP
from backend.store.models import DecisionLogEntry, OrderState, Shop

log = logging.getLogger(__name__)


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def _iso(ts: datetime) -> str:
    return ts.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# name, product_type, tags, price, compare_at_price, sku
PRODUCTS = [
    ("Classic Tote", "Handbags", [], "295.00", None, "TOTE-1"),
    ("Mini Crossbody", "Handbags", ["final-sale"], "180.00", None, "XBODY-1"),
    ("Flash Sale Clutch", "Handbags", ["flash-sale"], "120.00", None, "CLUTCH-1"),
    ("Suede Loafer", "Shoes", [], "250.00", "350.00", "LOAFER-1"),
    ("Silk Socks", "Socks", [], "18.00", "24.00", "SOCKS-1"),
    ("Gold Hoops", "Jewelry", [], "85.00", None, "HOOPS-1"),
    ("Leather Belt", "Accessories", ["sample"], "60.00", None, "BELT-1"),
    ("Return protection", "Service", ["return-protection"], "2.98", None, "RETURN-PROTECTION"),
]
US = {"country_code": "US", "province_code": "CA", "address1": "1 Main St", "city": "Los Angeles", "zip": "90012"}
CA = {"country_code": "CA", "province_code": "ON", "address1": "10 King St W", "city": "Toronto", "zip": "M5H 1A1"}
UPS = [{"title": "UPS Ground", "code": "ups_ground", "price": "0.00"}]
USPS = [{"title": "USPS Priority Mail", "code": "usps_priority", "price": "5.00"}]
# days ago, skus, address, shipping, shipped days later (None: not yet), delivered days after shipping
ORDERS = [
    (26, ["TOTE-1"], US, UPS, 1, 4),
    (24, ["XBODY-1", "RETURN-PROTECTION"], US, USPS, 1, 3),
    (21, ["CLUTCH-1"], US, USPS, 1, 3),
    (19, ["LOAFER-1", "SOCKS-1"], US, UPS, 2, 4),
    (16, ["TOTE-1", "HOOPS-1"], US, UPS, 1, 5),
    (13, ["HOOPS-1"], CA, UPS, 1, 6),
    (11, ["BELT-1", "RETURN-PROTECTION"], US, USPS, 1, 3),
    (8, ["LOAFER-1"], US, UPS, 1, 3),
    (6, ["SOCKS-1", "CLUTCH-1"], US, USPS, 1, 2),
    (4, ["TOTE-1", "XBODY-1", "RETURN-PROTECTION"], US, UPS, 1, None),
    (2, ["HOOPS-1", "BELT-1"], US, USPS, None, None),
    (0, ["TOTE-1"], US, UPS, None, None),
]


class DemoStore:
    def __init__(self, config: Config | None = None, preset: str = "aallyn", port: int | None = None,
                 shop: str = DEFAULT_SHOP, workers: int = 4):
        self.config = config or Config.from_env()
        if self.config.production:
            raise RuntimeError("the demo store is for development: it will not run with APP_ENV=production")
        self.preset, self.shop, self.workers = preset, shop, workers
        self.port = port or self.config.port
        self.database_url = self.config.database_url
        self.app_url = f"http://127.0.0.1:{self.port}"
        self.sim = self.app = self.server = self.consumer = self.lease = None
        self.order_ids: list[int] = []

    @property
    def admin_url(self) -> str:
        """The app opened from the simulated admin: a redirect to the app's page with a session token."""
        return self.sim.admin_app_url(self.shop)

    # ---------------------------------------------------------------- lifecycle
    def start(self) -> "DemoStore":
        from backend.policy import load_policy

        policy = load_policy(self.preset)  # fails early on an unknown preset
        self.sim = Simulator(api_key=DEV_API_KEY, api_secret=DEV_API_SECRET).start()
        self.sim.app_url = self.app_url
        self.sim.add_shop(self.shop, name="Fineprint Demo", timezone=policy.timezone, currency=policy.currency)
        self.app = self._create_app()
        self._forget_earlier_run()
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True, request_handler=_Quiet)
        threading.Thread(target=self.server.serve_forever, name="demo-web", daemon=True).start()
        self._start_worker()
        self.install()
        self.lease = demo.Lease.write(self.config, self.shop, self.sim.origin_template, self.app_url)
        return self

    def stop(self) -> None:
        if self.lease is not None:
            self.lease.release()
        if self.consumer is not None:
            self.consumer.stop(graceful=True)
        if self.server is not None:
            self.server.shutdown()
        if self.sim is not None:
            self.sim.stop()
        if self.app is not None:
            self.app.extensions["fineprint.db"].dispose()

    def _forget_earlier_run(self) -> None:
        """The simulator starts empty each run: drop what the app stored for the demo shop last time
        (only that shop: the database is the app's own)."""
        from backend.store import migrate

        migrate.upgrade(self.database_url)
        with self.app.extensions["fineprint.db"].session() as s:
            for table in reversed(SQLModel.metadata.sorted_tables):
                if "shop_domain" in table.c:
                    s.exec(delete(table).where(table.c.shop_domain == self.shop))
            s.exec(delete(Shop).where(Shop.domain == self.shop))

    def _create_app(self):
        from backend import create_app

        return create_app(self.config.with_overrides({
            "env": "demo", "demo_shop": self.shop, "admin_origin": self.sim.origin_template,
            "api_key": DEV_API_KEY, "api_secret": DEV_API_SECRET, "port": self.port, "app_url": self.app_url,
        }))

    def _start_worker(self) -> None:
        from backend import jobs

        self.consumer = jobs.huey.create_consumer(workers=self.workers, worker_type="thread", periodic=True,
                                                  initial_delay=0.05, backoff=1.15, max_delay=0.5,
                                                  check_worker_health=False)
        self.consumer.start()

    # ------------------------------------------------------------------ install
    def install(self) -> None:
        """The merchant clicks "Install": signed link → authorize → callback → the admin page."""
        from backend.services.decisions import policies

        params = {"shop": self.shop, "host": admin_host_param(self.shop), "timestamp": str(int(time.time()))}
        params["hmac"] = oauth_query_hmac(params, DEV_API_SECRET)
        with httpx.Client(follow_redirects=True, timeout=30) as client:
            page = client.get(f"{self.app_url}/auth/install?{urlencode(params)}")
        hops = [str(r.url).split("?")[0] for r in page.history]
        if page.status_code != 200 or "/auth/callback" not in " ".join(hops):
            raise RuntimeError(f"the OAuth install did not complete ({page.status_code}): {page.text[:300]}")
        log.info("installed through %s", " → ".join(hops + [str(page.url).split("?")[0]]))
        self.install_hops = hops
        policies.set_policy(self.app, self.shop, self.preset, "demo")

    # ------------------------------------------------------------------ samples
    def load_samples(self, now: datetime | None = None) -> list[int]:
        now = now or datetime.now(timezone.utc)
        by_sku = {}
        for title, ptype, tags, price, compare, sku in PRODUCTS:
            product = self.sim.add_product(self.shop, title, product_type=ptype, tags=tags, price=price,
                                           compare_at_price=compare, sku=sku)
            by_sku[sku] = product.variants[0]
            self.send("products/create", self.sim.product_payload(self.shop, product.id))
        for days_ago, skus, address, shipping, shipped, delivered in ORDERS:
            created = now - timedelta(days=days_ago, hours=3)
            order = self.sim.add_order(self.shop, [{"variant": by_sku[s], "quantity": 1} for s in skus],
                                       created_at=_iso(created), shipping_address=dict(address),
                                       shipping_lines=[dict(s) for s in shipping])
            if shipped is not None:
                shipped_at = created + timedelta(days=shipped)
                delivered_at = shipped_at + timedelta(days=delivered) if delivered is not None else None
                if delivered_at is not None and delivered_at > now:
                    delivered_at = None
                self.sim.fulfill(self.shop, order.id, created_at=_iso(shipped_at),
                                 delivered_at=_iso(delivered_at) if delivered_at else None)
            self.send("orders/create", self.sim.order_payload(self.shop, order.id))
            self.order_ids.append(order.id)
        return self.order_ids

    def send(self, topic: str, payload: dict) -> None:
        body = json.dumps(payload).encode()
        digest = base64.b64encode(hmac.new(DEV_API_SECRET.encode(), body, hashlib.sha256).digest()).decode()
        headers = {"Content-Type": "application/json", "X-Shopify-Topic": topic, "X-Shopify-Shop-Domain": self.shop,
                   "X-Shopify-Webhook-Id": str(uuid.uuid4()), "X-Shopify-API-Version": "2026-10",
                   "X-Shopify-Triggered-At": _iso(datetime.now(timezone.utc)), "X-Shopify-Hmac-Sha256": digest}
        response = httpx.post(f"{self.app_url}/webhooks", content=body, headers=headers, timeout=30)
        if response.status_code != 200:
            raise RuntimeError(f"{topic} webhook refused: {response.status_code} {response.text[:200]}")

    # ------------------------------------------------------------------ waiting
    def decided(self) -> dict:
        """Order id -> tags written, for the sample orders the worker has decided."""
        with self.app.extensions["fineprint.db"].session() as s:
            done = {row.order_id for row in s.exec(select(DecisionLogEntry).where(
                DecisionLogEntry.shop_domain == self.shop,
                DecisionLogEntry.write_result.in_(("written", "verified", "unchanged"))))}
            states = {st.order_id: st.tags_written for st in s.exec(
                select(OrderState).where(OrderState.shop_domain == self.shop))}
        return {oid: states.get(oid, []) for oid in done}

    def wait_for_tags(self, timeout: float = 60.0) -> dict:
        deadline = time.monotonic() + timeout
        wanted = {str(i) for i in self.order_ids}
        while time.monotonic() < deadline:
            decided = self.decided()
            if wanted <= set(decided):
                return decided
            time.sleep(0.2)
        raise TimeoutError(f"only {len(self.decided())} of {len(wanted)} orders were decided in {timeout:.0f}s")

    def shopify_tags(self) -> dict:
        """What the simulated Shopify shows on each sample order (tags and the return deadline metafield)."""
        out = {}
        for oid in self.order_ids:
            order = self.sim.order(self.shop, oid)
            deadline = next((m.value for (ns, key), m in order.metafields.items() if key == "deadline"), None)
            out[oid] = {"name": order.name, "tags": sorted(order.tags), "deadline": deadline}
        return out
