"""The merchant meets a Shopify return in a real browser (Debian's chromium through Playwright), on SQLite and
PostgreSQL: a shopper asks to return a final-sale bag, the Returns section shows Fineprint's verdict in the
policy's words, the merchant filters, approves against the verdict with a note, and turns enforce on.
Same app server, simulator and CDN stand-ins as the admin story (test_admin_browser.py)."""
from __future__ import annotations

import pytest

from devshop.sessiontokens import admin_host_param
from tests.e2e.test_admin_browser import SHOP, answered, open_tab, page, served, shot  # noqa: F401  (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]
FINAL_SALE_TEXT = "Please note that opting for this service does not exempt your order from final sale"


def test_merchant_sees_a_verdict_overrides_it_with_a_note_and_turns_enforce_on(served, page, db_url):
    backend = "postgres" if db_url.startswith("postgresql") else "sqlite"
    sim, app = served["sim"], served["app"]
    order = sim.order(SHOP, served["orders"]["final"])
    ret = sim.request_return(SHOP, order.id, [{"line_item_id": order.line_items[0].id, "reason": "style"}])
    client = app.test_client()
    for sent in sim.sent_webhooks(SHOP, "returns/request"):
        assert client.post("/webhooks", data=sent.body, headers=sent.headers).status_code == 200

    token = sim.session_token(SHOP, sub="4242")
    page.goto(f"{served['url']}/app?shop={SHOP}&host={admin_host_param(SHOP)}&embedded=1&id_token={token}")
    page.wait_for_selector("body[data-ready=true]")
    open_tab(page, "returns")
    row = page.wait_for_selector(f'#returns-table tr[data-return-id="{ret.id}"]')
    assert row.get_attribute("data-verdict") == "decline"
    assert FINAL_SALE_TEXT in row.inner_text() and "FINAL_SALE" in row.inner_text()
    assert page.input_value("#returns-mode") == "recommend"
    shot(page, backend, 1, "returns")

    # filters: only approvals → the declined request is not listed
    page.select_option('#returns-filter select[name="verdict"]', "approve")
    page.click("#returns-filter button[type=submit]")
    page.wait_for_selector("p#returns-table:has-text('No returns yet.')")
    page.select_option('#returns-filter select[name="verdict"]', "decline")
    page.click("#returns-filter button[type=submit]")
    page.wait_for_selector(f'#returns-table tr[data-return-id="{ret.id}"]')

    # override against the verdict, with a note
    form = f'form.return-override[data-return-id="{ret.id}"]'
    page.fill(f"{form} input[name=note]", "Loyal customer: goodwill return")
    answered(page, f"/app/api/returns/{ret.id}/override", lambda: page.click(f'{form} button[value="approve"]'))
    page.wait_for_selector(f'#return-activity tr[data-return-id="{ret.id}"]:has-text("overridden_approve")')
    assert "Loyal customer: goodwill return" in page.inner_text("#return-activity")
    assert sim.get_return(SHOP, ret.id).status == "OPEN"
    shot(page, backend, 2, "returns-overridden")

    # the shop's mode
    page.select_option("#returns-mode", "enforce")
    answered(page, "/app/api/returns/mode", lambda: page.click("#returns-mode-form button[type=submit]"))
    page.wait_for_function("document.querySelector('#returns-mode').value === 'enforce'")
    assert page.errors == []
