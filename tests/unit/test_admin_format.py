"""The admin page's words: times in the shop's zone with the year, order names, product titles; and the demo's lease."""
from __future__ import annotations

import subprocess
import sys
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest

from backend.config import Config
from backend.services.admin import demo
from backend.services.admin.format import Store, line_titles


def test_times_carry_the_year_and_the_shops_zone_even_when_the_database_returns_naive_utc():
    store = Store(ZoneInfo("America/New_York"))
    assert store.when(datetime(2026, 1, 2, 3, 4)) == "Jan 1, 2026 22:04 EST"  # SQLite: naive, UTC
    assert store.when(datetime(2026, 7, 2, 3, 4, tzinfo=timezone.utc)) == "Jul 1, 2026 23:04 EDT"
    assert store.day("2026-07-02T03:04:00Z") == "Jul 1, 2026"
    assert store.when(None) == "—"


def test_an_order_is_named_as_shopify_names_it_and_never_passed_off_as_a_store_number():
    assert Store.order_name({"name": "#1010"}, "5012345") == "#1010"
    assert Store.order_name({}, "5012345") == "order 5012345"  # a snapshot from before names were kept


def test_lines_are_their_product_titles():
    facts = {"line_items": [{"id": "11", "title": "Classic Tote"}, {"id": "12", "title": "", "sku": "SOCKS-1"}]}
    assert line_titles(facts) == {"11": "Classic Tote", "12": "SOCKS-1"}


def test_the_lease_names_the_running_demos_shopify_and_expires_with_its_process(tmp_path):
    config = Config(database_url=f"sqlite:///{tmp_path / 'app.db'}")
    lease = demo.Lease.write(config, "fineprint-demo.myshopify.com", "http://127.0.0.1:9/{shop}", "http://x")
    assert lease.path == tmp_path / "demo.json"
    assert demo.reach(config, "fineprint-demo.myshopify.com").admin_origin == "http://127.0.0.1:9/{shop}"
    assert demo.reach(config, "other.myshopify.com") is config

    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    lease.path.write_text(lease.path.read_text().replace(str(lease.pid), gone.stdout.strip()))
    assert demo.Lease.current(config) is None  # the demo that wrote it has exited
    with pytest.raises(demo.DemoNotRunning, match="runs only while `make demo` does"):
        demo.reach(config, "fineprint-demo.myshopify.com")


def test_the_demo_refuses_production():
    from devshop.demo_store import DemoStore

    with pytest.raises(RuntimeError, match="APP_ENV=production"):
        DemoStore(Config(env="production"))
