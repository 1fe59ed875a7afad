"""The merchant's story in a real browser (Debian's chromium through Playwright), on SQLite and PostgreSQL.

The app runs in a real HTTP server thread, talking to the Shopify simulator. Shopify's CDN is
not reachable here: `cdn.shopify.com` is routed to local stand-ins (an App Bridge whose
`shopify.idToken()` returns a freshly minted session token, a Polaris that defines a few
elements), which is also a check that the page works without the real ones.
Screenshots of every section land in test-artifacts/ (not committed).
"""
from __future__ import annotations

import os
import shutil
import threading
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlmodel import select
from werkzeug.serving import WSGIRequestHandler, make_server

from backend import create_app
from devshop.net import free_port
from devshop.sessiontokens import admin_host_param
from backend.services.decisions import policies
from backend.store.models import PipelineJob
from tests.integration.edge_helpers import install_shop, post_webhook

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium"
SHOP = "fineprint-dev.myshopify.com"
US = {"country_code": "US", "province_code": "CA", "address1": "1 Main St", "city": "Los Angeles", "zip": "90012"}
# A bound for every wait, only there so a broken build ends; each wait ends on its event, so load cannot fail it.
SAFETY_NET_MS = 180_000
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run"]

APP_BRIDGE_STAND_IN = """
window.shopify = {
  config: {apiKey: document.querySelector('meta[name="shopify-api-key"]').content},
  idToken: async function () { return (await fetch('https://cdn.shopify.com/__stand-in/id-token')).text(); },
  toast: {show: function (message) { window.__toasts = (window.__toasts || []).concat([message]); }}
};
"""
POLARIS_STAND_IN = """
['s-page', 's-section', 's-app-nav', 's-link'].forEach(function (name) {
  if (!customElements.get(name)) customElements.define(name, class extends HTMLElement {});
});
"""


def _chromium():
    if not Path(CHROMIUM).exists() or shutil.which("chromium") is None:
        message = "Debian's chromium is missing: run scripts/ensure-test-deps"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(message, pytrace=False)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    return sync_playwright


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@pytest.fixture
def served(db_url, simulator):
    """The app on a real port, installed on the simulator's shop with aallyn and two tagged orders."""
    port = free_port()
    app = create_app({"database_url": db_url, "huey_immediate": True, "testing": True, "port": port,
                      **simulator.app_overrides})
    install_shop(app, SHOP, token=simulator.install(SHOP)["access_token"])
    policies.set_policy(app, SHOP, "aallyn", "setup")
    client = app.test_client()
    orders = {}
    for key, title, tags, price in (("final", "Mini Crossbody", ["final-sale"], "180.00"),
                                    ("plain", "Classic Tote", [], "95.00")):
        product = simulator.add_product(SHOP, title, tags=tags, price=price)
        post_webhook(client, app, "products/create", simulator.product_payload(SHOP, product.id), shop=SHOP)
        created = datetime.now(timezone.utc) - timedelta(days=6)
        order = simulator.add_order(SHOP, [{"variant": product.variants[0]}], created_at=iso(created),
                                    shipping_address=dict(US))
        simulator.fulfill(SHOP, order.id, created_at=iso(created + timedelta(days=1)),
                          delivered_at=iso(created + timedelta(days=3)))
        post_webhook(client, app, "orders/create", simulator.order_payload(SHOP, order.id), shop=SHOP)
        orders[key] = order.id
    assert "final-sale" in simulator.order(SHOP, orders["final"]).tags
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield {"url": f"http://127.0.0.1:{port}", "app": app, "orders": orders, "sim": simulator}
    server.shutdown()
    app.extensions["fineprint.db"].dispose()


@pytest.fixture
def page(served, simulator):
    sync_playwright = _chromium()
    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(SAFETY_NET_MS)  # Playwright's 30 s is a load-dependent bound
        tab = context.new_page()

        def cdn(route):
            url = route.request.url
            cors = {"Access-Control-Allow-Origin": "*"}
            if url.endswith("/__stand-in/id-token"):
                route.fulfill(status=200, body=simulator.session_token(SHOP, sub="4242"), headers=cors,
                              content_type="text/plain")
            elif url.endswith("app-bridge.js"):
                route.fulfill(status=200, body=APP_BRIDGE_STAND_IN, content_type="application/javascript")
            elif url.endswith("polaris.js"):
                route.fulfill(status=200, body=POLARIS_STAND_IN, content_type="application/javascript")
            else:
                route.fulfill(status=404, body="")

        tab.route("https://cdn.shopify.com/**", cdn)
        errors = []
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        tab.errors = errors
        yield tab
        context.close()
        browser.close()


def shot(page, backend: str, step: int, name: str) -> None:
    page.screenshot(path=str(ARTIFACTS / f"admin-{backend}-{step:02d}-{name}.png"), full_page=True)


def open_tab(page, name: str) -> None:
    page.click(f'nav.tabs a[data-tab="{name}"]')
    page.wait_for_selector(f"section#{name}.current")


def replace_editor(page, text: str) -> None:
    if not page.is_visible("#policy-text"):  # the Builder view is the default; the TOML is "Advanced"
        page.click("#view-advanced")
    page.fill("#policy-text", text)


def answered(page, path: str, click) -> None:
    """Click, and wait for the page's own call to `path` to be answered (2xx)."""
    with page.expect_response(lambda r: r.request.method == "POST" and r.url.split("?")[0].endswith(path),
                              timeout=SAFETY_NET_MS) as answer:
        click()
    assert answer.value.ok, answer.value.text()


def redecided(app) -> None:
    """Wait until the re-decide the activation queued has run: no apply job of the shop is pending or
    running (the app's job table). The bound is only a safety net; the event ends the wait."""
    db, end = app.extensions["fineprint.db"], time.monotonic() + SAFETY_NET_MS / 1000
    while True:
        with db.session() as s:
            open_jobs = s.exec(select(PipelineJob.key, PipelineJob.status).where(
                PipelineJob.shop_domain == SHOP, PipelineJob.status.in_(("pending", "running", "rerun")))).all()
        if not open_jobs:
            return
        assert time.monotonic() < end, f"re-decide still open after {SAFETY_NET_MS // 1000}s: {open_jobs}"
        time.sleep(0.1)


def test_merchant_edits_backtests_activates_and_sees_the_order_redecided(served, page, db_url):
    backend = "postgres" if db_url.startswith("postgresql") else "sqlite"
    sim, orders = served["sim"], served["orders"]
    final_order = str(orders["final"])

    # 1. Shopify opens the app with a session token (id_token) in the URL.
    token = sim.session_token(SHOP, sub="4242")
    page.goto(f"{served['url']}/app?shop={SHOP}&host={admin_host_param(SHOP)}&embedded=1&id_token={token}")
    page.wait_for_selector("body[data-ready=true]")
    page.wait_for_selector("#check-status.ok")
    assert "aallyn" in page.inner_text("#active-policy")
    shot(page, backend, 1, "policy")

    # 2. Switch presets: novus, then back to aallyn.
    page.select_option("#policy-choice", "preset:novus")
    page.click("#load-policy")
    page.wait_for_function("document.querySelector('#policy-text').value.includes('name = \"novus\"')")
    page.wait_for_selector("#check-status.ok:has-text('novus')")
    page.select_option("#policy-choice", "preset:aallyn")
    page.click("#load-policy")
    page.wait_for_selector("#check-status.ok:has-text('aallyn')")
    source = page.input_value("#policy-text")

    # 3. An edit with an error: the error names the line, and that line is highlighted.
    lines = source.split("\n")
    bad_line = lines.index("days = 30") + 1
    lines[bad_line - 1] = 'days = "thirty"'
    replace_editor(page, "\n".join(lines))
    problem = page.wait_for_selector("#problems li.error")
    assert problem.inner_text().startswith(f"policy.toml:{bad_line}:")
    assert "error" in page.get_attribute(f'#gutter span[data-line="{bad_line}"]', "class")
    assert page.is_disabled("#activate")
    shot(page, backend, 2, "policy-error")

    # 4. Fix it, and make final-sale items store-credit-only instead.
    fixed = source.replace('when = { product_tag = ["final-sale"] }\nclass = "final_sale"',
                           'when = { product_tag = ["final-sale"] }\nclass = "credit_only"')
    assert fixed != source
    replace_editor(page, fixed)
    page.wait_for_selector("#check-status.ok")
    assert page.locator("#problems li.error").count() == 0
    assert page.locator(f'#gutter span[data-line="{bad_line}"].error').count() == 0

    # 5. Backtest: exactly the final-sale order would change; only then may it be activated.
    page.fill("#backtest-limit", "20")
    page.click("#run-backtest")
    page.wait_for_selector("#backtest-summary")
    assert page.inner_text("#bt-changed") == "1"
    row = page.inner_text(f'#backtest-table tr[data-order-id="{final_order}"]')
    assert "final-sale" in row and "sale-credit-only" in row
    page.wait_for_selector("#activate:not([disabled])")
    shot(page, backend, 3, "backtest")

    # 6. Activate: the stored orders are re-decided through the pipeline and Shopify gets the new tag.
    answered(page, "/app/api/policy/activate", lambda: page.click("#activate"))
    redecided(served["app"])
    assert "sale-credit-only" in sim.order(SHOP, orders["final"]).tags
    assert "final-sale" not in sim.order(SHOP, orders["final"]).tags
    page.wait_for_function("document.querySelectorAll('#versions tbody tr').length === 2")
    assert "4242" in page.inner_text("#versions tr.active")  # who activated it

    # 7. Activity shows the re-decided order.
    open_tab(page, "activity")
    page.click("#refresh-activity")
    page.wait_for_selector(f'#decisions tr[data-order-id="{final_order}"][data-trigger="policy_change"]')
    assert "sale-credit-only" in page.inner_text(f'#decisions tr[data-order-id="{final_order}"][data-trigger="policy_change"]')
    shot(page, backend, 4, "activity")

    # 8. Preview the order under the active policy: tags, deadline, reasons with policy sentences.
    open_tab(page, "preview")
    page.select_option("#preview-order", final_order)
    page.click("#run-preview")
    page.wait_for_selector("#preview-tags")
    assert "sale-credit-only" in page.inner_text("#preview-tags")
    assert "final-sale" in page.inner_text("#preview-reasons")
    shot(page, backend, 5, "preview")

    # 9. The other sections render (charts, settings, the policy page).
    open_tab(page, "dashboard")
    assert page.locator("#dashboard canvas").count() == 2  # Chart.js; tests/e2e/test_dashboard_browser.py checks them
    shot(page, backend, 6, "dashboard")
    open_tab(page, "settings")
    shot(page, backend, 7, "settings")
    page.fill("#settings-form input[name=reminder_days]", "5")  # Shopify Flow reminders, 5 days ahead
    answered(page, "/app/api/settings", lambda: page.click("#settings-form button[type=submit]"))
    from backend.services.flow import settings as flow_settings
    assert flow_settings.reminder_days(served["app"].extensions["fineprint.db"], SHOP) == 5
    open_tab(page, "page")
    assert "Returns" in page.inner_text("#policy-rendered")
    shot(page, backend, 8, "policy-page")

    # 10. One click rolls back, and the order is final sale again.
    open_tab(page, "policy")
    answered(page, "/app/api/policy/rollback", lambda: page.click("#rollback"))
    redecided(served["app"])
    assert "final-sale" in sim.order(SHOP, orders["final"]).tags
    page.wait_for_selector("#active-policy:has-text('aallyn')")
    shot(page, backend, 9, "rolled-back")
    assert page.errors == []


def open_admin(page, served) -> None:
    token = served["sim"].session_token(SHOP, sub="4242")
    page.goto(f"{served['url']}/app?shop={SHOP}&host={admin_host_param(SHOP)}&embedded=1&id_token={token}")
    page.wait_for_selector("body[data-ready=true]")


def test_the_admin_page_speaks_the_stores_language(served, page, db_url):
    """Order names, product titles, times with years in the shop's zone, the policy's sentences, the whole
    return outcome in Preview, and no "Roll back" until there is a version to go back to."""
    from zoneinfo import ZoneInfo

    from backend.services.decisions import backtest

    backend = "postgres" if db_url.startswith("postgresql") else "sqlite"
    app, sim, plain = served["app"], served["sim"], str(served["orders"]["plain"])
    name = sim.order(SHOP, served["orders"]["plain"]).name  # what Shopify calls it, e.g. "#1002"
    assert name != f"#{plain}"
    local_now = datetime.now(ZoneInfo("America/Los_Angeles"))  # aallyn's shop is in Los Angeles
    year_and_zone = (str(local_now.year), local_now.tzname())
    open_admin(page, served)

    # One version has ever been active: nothing to roll back to.
    assert page.is_disabled("#rollback")
    assert all(part in page.inner_text("#versions tbody tr") for part in year_and_zone)

    # Preview lists orders by their Shopify name and decides a full refund of one, fees and total included.
    open_tab(page, "preview")
    option = page.inner_text(f'#preview-order option[value="{plain}"]')
    assert option.startswith(name) and "Classic Tote" in option and f"#{plain}" not in option
    page.select_option("#preview-order", plain)
    page.select_option("#preview-return", "refund")
    page.click("#run-preview")
    page.wait_for_selector("#preview-return-lines")
    expected = backtest.preview(app, SHOP, order_id=plain, return_as="refund")
    outcome = expected["decision"]["return"]
    assert page.inner_text("#preview-order-name") == name
    assert "Classic Tote" in page.inner_text("#preview-lines") and "Classic Tote" in page.inner_text(
        "#preview-return-lines")
    assert page.inner_text("#preview-refund-total").split()[0] == outcome["refund_total"]
    fees = page.inner_text("#preview-fees")
    assert all(f["kind"] in fees and f["amount"] in fees for f in outcome["fees"]) and (outcome["fees"] or "none" in fees)
    sentences = [r["text"] for r in expected["reasons"]]
    assert sentences and all(s in page.inner_text("#preview-reasons") for s in sentences)
    shot(page, backend, 10, "preview-return")

    # Activity: the order's name, the time with its year in the shop's zone, reasons in the policy's words.
    open_tab(page, "activity")
    row = page.locator(f'#decisions tr[data-order-id="{plain}"]').first
    assert row.locator("td.order-name").inner_text() == name
    assert all(part in row.locator("td.when").inner_text() for part in year_and_zone)
    assert any(s in row.locator("td.reasons").inner_text() for s in sentences)
    shot(page, backend, 11, "activity-words")

    # A second version activated: now "Roll back" is offered, naming where it goes.
    open_tab(page, "policy")
    policies.set_policy(app, SHOP, "novus", "setup")
    page.reload()
    page.wait_for_selector("body[data-ready=true]")
    assert not page.is_disabled("#rollback") and "aallyn" in page.inner_text("#rollback")
    assert page.errors == []
