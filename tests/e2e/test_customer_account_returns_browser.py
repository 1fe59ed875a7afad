"""A shopper returns and exchanges from their order page, in a real browser (Debian's chromium through
Playwright): the customer-account extension as Shopify CLI builds it, hosted with a fake Shopify API
(tests/e2e/extension_host.py), calling the real backend over HTTP, which calls the Shopify simulator.

Story: one line goes back for store credit, another is exchanged for a different size; the final-sale line
cannot be selected and says why; the backend sends Shopify exactly one `returnRequest` and one `returnCreate`
with exchange lines (each validated by the simulator against the Admin 2026-10 schema). A guest is asked to
sign in; the order-status block points to the action; the French strings are used in French.
"""
from __future__ import annotations

import json
import threading

import pytest
from werkzeug.serving import WSGIRequestHandler, make_server

from backend import create_app
from devshop.net import free_port
from tests.e2e.extension_host import ExtensionHost, host_page
from tests.e2e.test_admin_browser import ARGS, CHROMIUM, SAFETY_NET_MS, _chromium
from tests.integration.api_helpers import customer_account_token
from tests.integration.shopper_returns_helpers import shopper_order

pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning"),
              # one database is enough in the browser: tests/integration/test_shopper_returns.py runs both
              pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)]

HANDLE = "customer-account-returns"
ACTION = "customer-account.order.action.render"


class _Quiet(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):
        pass


@pytest.fixture
def served(db_url, simulator):
    port = free_port()
    app = create_app({"database_url": db_url, "huey_immediate": True, "testing": True, "port": port,
                      **simulator.app_overrides})
    bought = shopper_order(app, simulator)
    server = make_server("127.0.0.1", port, app, threaded=True, request_handler=_Quiet)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield {"url": f"http://127.0.0.1:{port}", "app": app, "bought": bought}
    server.shutdown()
    app.extensions["fineprint.db"].dispose()


@pytest.fixture
def browser():
    sync_playwright = _chromium()
    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield chromium
        chromium.close()


@pytest.fixture
def open_target(browser, served):
    contexts, errors = [], []
    hosts = {handle: ExtensionHost(handle).__enter__() for handle in (HANDLE, "order-status-returns")}

    def open_(target, *, customer=77, lang="en", handle=HANDLE, lines=None):
        context = browser.new_context(viewport={"width": 900, "height": 1200})
        context.set_default_timeout(SAFETY_NET_MS)
        contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        order = f"gid://shopify/Order/{served['bought'].order.id}"
        html = host_page(handle, target, backend=served["url"], order_id=order, lang=lang, lines=lines,
                         token=customer_account_token(served["app"], customer))
        page.sent = []  # the extension's requests to the backend, with their bodies
        page.on("request", lambda r: page.sent.append((r.method, r.url, r.post_data))
                if r.url.startswith(served["url"]) and r.method != "OPTIONS" else None)
        page.goto(hosts[handle].add(html))
        return page

    yield open_
    for context in contexts:
        context.close()
    for host in hosts.values():
        host.__exit__(None, None, None)
    assert not errors, f"JavaScript errors on the page: {errors}"


def change(locator, **props):
    """What a Polaris component does when the shopper changes it: its property, then a `change` event."""
    locator.evaluate("(el, props) => { Object.assign(el, props); el.dispatchEvent(new Event('change')); }", props)


def line(page, line_id):
    return page.locator(f"#line-{line_id}")


def test_a_shopper_returns_one_line_for_credit_and_exchanges_another_for_a_size(open_target, served, simulator):
    bought = served["bought"]
    page = open_target(ACTION)
    sample = line(page, bought.sample.id)
    sample.locator("s-checkbox").wait_for(state="attached")  # a Polaris checkbox, empty without Polaris
    assert sample.locator("s-checkbox").get_attribute("disabled") is not None
    assert "final sale" in sample.inner_text()  # the policy's sentence says why
    change(sample.locator("s-checkbox"), checked=True)  # a click that the extension refuses

    tote, sneaker = line(page, bought.tote.id), line(page, bought.sneaker.id)
    assert "Return by" in tote.inner_text()
    change(tote.locator("s-checkbox"), checked=True)
    change(tote.locator("s-select[label='I would like']"), value="store_credit")
    change(sneaker.locator("s-checkbox"), checked=True)
    change(sneaker.locator("s-select[label='I would like']"), value="exchange")
    change(sneaker.locator("s-select[label='Size wanted']"), value=bought.size_10)
    page.get_by_text("Store credit: $80.00").wait_for()

    submit = page.locator("s-button[slot='primary-action']")
    page.wait_for_function("() => !document.querySelector(`s-button[slot='primary-action']`).hasAttribute('disabled')")
    simulator.clear_calls()
    submit.click()
    page.get_by_text("Store credit requested").wait_for()
    page.get_by_text("Exchange confirmed").wait_for()

    sent = simulator.calls("graphql")
    assert all(c.status == 200 and c.error is None for c in sent)  # each document valid against 2026-10
    writes = [c for c in sent if c.root_fields[:1] in (("returnRequest",), ("returnCreate",))]
    assert [(c.operation, c.root_fields) for c in writes] == [
        ("FineprintShopperReturnRequest", ("returnRequest",)), ("FineprintReturnCreate", ("returnCreate",))]
    assert {c.operation for c in sent} - {c.operation for c in writes} == {  # reads only, besides the two writes
        "FineprintShopperReturnSetup", "FineprintShopperReturnable", "FineprintShopperExchangeVariants"}
    (credit,) = writes[0].variables["input"]["returnLineItems"]
    assert credit["quantity"] == 1 and "store credit" in credit["customerNote"]
    assert writes[1].variables["returnInput"]["exchangeLineItems"] == [{"variantId": bought.size_10, "quantity": 1}]
    submitted = [json.loads(body) for method, url, body in page.sent if url.endswith("/returns")]
    assert [(x["line_item_id"], x["resolution"]) for x in submitted[0]["lines"]] == [
        (str(bought.sneaker.id), "exchange"), (str(bought.tote.id), "store_credit")]


def test_a_guest_is_asked_to_sign_in(open_target, served):
    action = open_target(ACTION, customer=None)
    action.get_by_text("Sign in to return or exchange items").wait_for()
    block = open_target("customer-account.order-status.block.render", customer=None, handle="order-status-returns")
    block.get_by_text("Sign in", exact=True).click()
    block.wait_for_function("() => window.__calls.some((c) => c.type === 'requireLogin')")


def test_the_order_status_block_points_to_the_action_and_french_is_french(open_target, served):
    bought = served["bought"]
    lines = [{"id": f"gid://shopify/LineItem/{li.id}", "merchandise": {"title": li.title}}
             for li in (bought.sneaker, bought.tote, bought.sample)]
    block = open_target("customer-account.order-status.block.render", handle="order-status-returns", lines=lines)
    block.get_by_text("choose “Return or exchange” in this order's actions").wait_for()
    menu = open_target("customer-account.order.action.menu-item.render", lang="fr")
    menu.get_by_text("Retourner ou échanger").wait_for()
    action = open_target(ACTION, lang="fr")
    action.get_by_text("Retour possible jusqu'au").first.wait_for()
