"""The dashboard's charts in a real browser: Chart.js draws what the server counted, each order once.

Reuses the admin story's browser (`page`: Debian's chromium, Shopify's CDN routed to stand-ins) with
its own shop: two orders on one day, one of them carrying two tags, and one order on another day.
The screenshot lands in test-artifacts/dashboard-<backend>.png for review by eye.
"""
from __future__ import annotations

import subprocess
import threading
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select
from werkzeug.serving import make_server

from backend import create_app
from devshop.net import free_port
from devshop.sessiontokens import admin_host_param
from backend.services.decisions import policies
from backend.store.models import OrderState
from tests.e2e.test_admin_browser import ARTIFACTS, ROOT, SHOP, US, _Quiet, iso, page  # noqa: F401  (page is a fixture)
from tests.integration.edge_helpers import install_shop, post_webhook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

UPS = [{"title": "UPS Ground", "code": "ups_ground", "price": "0.00"}]
BUNDLE = ROOT / "backend/static/admin/build/charts.js"


@pytest.fixture(scope="module", autouse=True)
def charts_bundle():
    """The page loads Chart.js from the esbuild bundle `make test` builds; build it when pytest runs alone."""
    if not BUNDLE.exists():
        done = subprocess.run(["npm", "run", "build:admin", "--silent"], cwd=ROOT, capture_output=True, text=True,
                              timeout=300)
        assert done.returncode == 0, f"npm run build:admin failed (run `make install`):\n{done.stderr[-2000:]}"


@pytest.fixture
def served(db_url, simulator):
    """aallyn; 6 days ago a $300 final-sale bag shipped by UPS (final-sale + signature-required) and a
    plain tote; 2 days ago another tote; 35 days ago a tote delivered 10 days ago (a deadline ahead)."""
    port = free_port()
    app = create_app({"database_url": db_url, "huey_immediate": True, "testing": True, "port": port,
                      **simulator.app_overrides})
    install_shop(app, SHOP, token=simulator.install(SHOP)["access_token"])
    policies.set_policy(app, SHOP, "aallyn", "setup")
    client = app.test_client()
    now = datetime.now(timezone.utc)
    bag = simulator.add_product(SHOP, "Evening Bag", tags=["final-sale"], price="300.00")
    tote = simulator.add_product(SHOP, "Classic Tote", tags=[], price="95.00")
    orders = {}
    for product in (bag, tote):
        post_webhook(client, app, "products/create", simulator.product_payload(SHOP, product.id), shop=SHOP)
    # (key, product, days ago, shipping, delivered days ago): "old" is outside the orders chart, but its
    # return deadline falls in the next 30 days.
    for key, product, days_ago, shipping, delivered in (("bag", bag, 6, UPS, None), ("tote", tote, 6, [], None),
                                                         ("later", tote, 2, [], None), ("old", tote, 35, [], 10)):
        created = now - timedelta(days=days_ago)
        order = simulator.add_order(SHOP, [{"variant": product.variants[0]}], created_at=iso(created),
                                    shipping_address=dict(US), shipping_lines=list(shipping))
        if delivered:
            simulator.fulfill(SHOP, order.id, created_at=iso(created + timedelta(days=1)),
                              delivered_at=iso(now - timedelta(days=delivered)))
        post_webhook(client, app, "orders/create", simulator.order_payload(SHOP, order.id), shop=SHOP)
        orders[key] = order.id
    assert {"final-sale", "signature-required"} <= set(simulator.order(SHOP, orders["bag"]).tags)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    with app.extensions["fineprint.db"].session() as s:
        deadline = s.exec(select(OrderState.deadline_written).where(OrderState.order_id == str(orders["old"]))).one()
    assert deadline, "the delivered order has a return deadline"
    yield {"url": f"http://127.0.0.1:{port}", "sim": simulator, "now": now, "deadline": date.fromisoformat(deadline)}
    server.shutdown()
    app.extensions["fineprint.db"].dispose()


def _day_index(chart: dict, day: date) -> int:
    return chart["labels"].index(day.isoformat())


def test_the_dashboard_charts_count_each_order_once_on_integer_axes(served, page, db_url):
    backend = "postgres" if db_url.startswith("postgresql") else "sqlite"
    token = served["sim"].session_token(SHOP, sub="4242")
    page.goto(f"{served['url']}/app?shop={SHOP}&host={admin_host_param(SHOP)}&embedded=1&id_token={token}#dashboard")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_function("window.fineprintCharts && Object.keys(window.fineprintCharts).length === 2")

    orders = page.evaluate("""() => { const c = window.fineprintCharts['orders-chart'];
        return {labels: c.data.labels, sets: c.data.datasets.map(d => ({label: d.label, data: d.data})),
                ticks: c.scales.y.ticks.map(t => t.value), bar: c.getDatasetMeta(0).data.map(b => b.height)}; }""")
    six_days_ago = _day_index(orders, (served["now"] - timedelta(days=6)).date())
    two_days_ago = _day_index(orders, (served["now"] - timedelta(days=2)).date())
    total = orders["sets"][0]
    assert total["label"] == "Orders"
    assert total["data"][six_days_ago] == 2  # three tags over two orders: still two orders
    assert total["data"][two_days_ago] == 1 and sum(total["data"]) == 3
    by_tag = {s["label"]: s["data"] for s in orders["sets"][1:]}
    assert by_tag["with final-sale"][six_days_ago] == 1 and by_tag["with signature-required"][six_days_ago] == 1
    assert orders["bar"][six_days_ago] > orders["bar"][two_days_ago] > 0  # drawn, and taller for more orders
    _assert_integer_axis(orders["ticks"], top=2)

    deadlines = page.evaluate("""() => { const c = window.fineprintCharts['deadlines-chart'];
        return {labels: c.data.labels, data: c.data.datasets[0].data, ticks: c.scales.y.ticks.map(t => t.value)}; }""")
    assert len(deadlines["labels"]) == 61
    assert deadlines["data"][_day_index(deadlines, served["deadline"])] == 1 and sum(deadlines["data"]) == 1
    _assert_integer_axis(deadlines["ticks"], top=1)
    assert page.inner_text("#orders-total") == "3 orders in the last 30 days."
    assert page.inner_text("#deadlines-total") == "1 return deadline in the next 30 days."

    ARTIFACTS.mkdir(exist_ok=True)
    page.locator("#dashboard").screenshot(path=str(ARTIFACTS / f"dashboard-{backend}.png"))
    assert page.errors == []


def _assert_integer_axis(ticks: list, top: int) -> None:
    """Ticks from 0, whole numbers, evenly spaced, reaching the tallest bar (the issue saw 0, 2, 3 with 2 at 1.5)."""
    assert ticks[0] == 0 and all(float(t).is_integer() for t in ticks), ticks
    steps = {b - a for a, b in zip(ticks, ticks[1:])}
    assert len(steps) == 1 and steps.pop() > 0, ticks
    assert ticks[-1] >= top, ticks
