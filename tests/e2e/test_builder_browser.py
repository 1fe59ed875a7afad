"""The merchant edits the policy without touching TOML: the policy builder in a real browser (Debian's
chromium through Playwright), against the app on a real port and the Shopify simulator, on SQLite and
PostgreSQL. The shop starts on aallyn; the saved file must equal the TOML a careful author would write.

Screenshots of every builder section are saved to docs/screenshots/builder-*.png (on the SQLite run).
"""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.services.decisions import policies
from tests.e2e.test_admin_browser import SHOP, answered, open_admin, page, redecided, served  # noqa: F401 (fixtures)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
SCREENSHOTS = ROOT / "docs" / "screenshots"
AALLYN = (ROOT / "policy_rules" / "aallyn.toml").read_text(encoding="utf-8")
LATE_FEE = ("A $7 label fee applies to returns started 16 to 30 days after delivery.")
EXPECTED = AALLYN.replace(
    'when = { product_tag = ["final-sale"] }\nclass = "final_sale"',
    'when = { product_tag = ["final-sale", "sample"] }\nclass = "final_sale"', 1).replace(
    'windows = { refund = { days = 21, from = "delivery" }, store_credit = { days = 21, from = "delivery" }, '
    'exchange = { days = 21, from = "delivery" } }\ncontradicts',
    'windows = { refund = { days = 30, from = "delivery" }, store_credit = { days = 21, from = "delivery" }, '
    'exchange = { days = 21, from = "delivery" } }\ncontradicts', 1).replace(
    'when = { ship_to_country_not = ["US"] }\n\n# ---- free gift with purchase',
    'when = { ship_to_country_not = ["US"] }\n\n[[fees]]\nid = "late-label-fee"\ntitle = "Late label fee"\n'
    f'text = "{LATE_FEE}"\nwhen = {{ days_elapsed_at_least = 16, days_elapsed_at_most = 30 }}\n'
    'kind = "label"\namount = "7.00"\n\n# ---- free gift with purchase', 1)


def rule(rule_id: str) -> str:
    return f'#builder .b-rule[data-rule-id="{rule_id}"]'


def field(*path: str) -> str:
    return f"[data-path='{json.dumps(list(path))}']"


def changed(page, action) -> None:
    """Do `action`, wait for the builder's edit to be answered and the form drawn again."""
    answered(page, "/app/api/policy/builder/edit", action)
    page.wait_for_selector("body[data-builder=ready]")


def type_in(page, selector: str, value: str) -> None:
    changed(page, lambda: (page.fill(selector, value), page.press(selector, "Tab")))


def test_merchant_changes_a_window_adds_a_final_sale_tag_and_a_late_fee_then_backtests_and_activates(
        served, page, db_url):  # noqa: F811
    backend = "postgres" if db_url.startswith("postgresql") else "sqlite"
    open_admin(page, served)
    page.wait_for_selector(f"{rule('us-returns')}")
    assert page.is_visible("#builder-view") and not page.is_visible("#policy-text")
    assert page.input_value(f'{rule("us-returns")} textarea{field("text")}').startswith(
        "Returns are eligible for Refund up to 21 days")

    # 1. The US refund window: 21 days becomes 30.
    type_in(page, f'{rule("us-returns")} .b-window[data-window="refund"] input{field("windows", "refund", "days")}', "30")
    # 2. Products tagged "sample" are final sale too.
    type_in(page, f'{rule("final-sale")} input{field("when", "product_tag")}', "final-sale, sample")
    # 3. A lateness tier: a $7 label fee for returns started on days 16 to 30.
    page.click('#b-fees details.b-add summary')
    add = "#b-fees details.b-add"
    page.fill(f"{add} .b-add-title", "Late label fee")
    page.fill(f"{add} .b-add-text", LATE_FEE)
    page.select_option(f'{add} select{field("kind")}', "label")
    page.fill(f'{add} input{field("amount")}', "7.00")
    page.fill(f'{add} input{field("when", "days_elapsed_at_least")}', "16")
    page.fill(f'{add} input{field("when", "days_elapsed_at_most")}', "30")
    changed(page, lambda: page.click(f"{add} .b-add-submit"))
    page.wait_for_selector(rule("late-label-fee"))
    assert page.input_value("#policy-text") == EXPECTED  # the editor holds the file the builder wrote

    if backend == "sqlite":  # each section as the merchant sees it after the three edits
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for key in ("store", "windows", "final_sale", "credit_only", "conditions", "fees", "bonus", "bundles",
                    "protection", "shipping", "regions", "other"):
            page.locator(f"#b-{key}").screenshot(path=str(SCREENSHOTS / f"builder-{key.replace('_', '-')}.png"))

    # 4. Backtest and activate from the builder, as from the editor.
    page.wait_for_selector("#check-status.ok")
    page.click("#run-backtest")
    page.wait_for_selector("#backtest-summary")
    page.wait_for_selector("#activate:not([disabled])")
    answered(page, "/app/api/policy/activate", lambda: page.click("#activate"))
    redecided(served["app"])
    text, _ = policies.active_source(served["app"].extensions["fineprint.db"], SHOP)
    assert text == EXPECTED
    page.wait_for_function("document.querySelectorAll('#versions tbody tr').length === 2")
    page.wait_for_selector(rule("late-label-fee"))  # the section was redrawn from the active policy
    assert page.errors == []


def test_merchant_pastes_the_written_policy_and_links_a_sentence_to_a_rule(served, page, db_url):  # noqa: F811
    """Shopify's Polaris script does not load here (the CDN answers 404): the plain-HTML fallback."""
    backend = "postgres" if db_url.startswith("postgresql") else "sqlite"
    page.route("https://cdn.shopify.com/shopifycloud/polaris.js", lambda route: route.fulfill(status=404, body=""))
    open_admin(page, served)
    assert page.evaluate("customElements.get('s-section') === undefined")
    page.wait_for_selector(rule("us-returns"))
    page.click("#b-written-panel summary")
    page.fill("#b-written-text", "Returns are eligible for Refund up to 21 days after delivery date.\n"
                                 "Sale items are final. We gift-wrap every order.")
    page.click("#b-written-run")
    page.wait_for_selector("#b-sentences-summary")
    assert page.inner_text("#b-sentences-summary") == "1 of 3 sentences have a rule."
    assert "Implemented by" in page.inner_text('#b-sentences li[data-index="0"]')
    assert page.get_attribute('#b-sentences li[data-index="1"]', "class") == "missing"

    # "Sale items are final." becomes the sentence of the final-sale rule, chosen by the merchant.
    row = '#b-sentences li[data-index="1"]'
    page.select_option(f"{row} select", label="Final sale items")
    changed(page, lambda: page.click(f"{row} .b-link"))
    page.wait_for_function("document.querySelector('#b-sentences-summary').textContent.startsWith('2 of 3')")
    assert 'text = "Sale items are final."' in page.input_value("#policy-text")
    assert page.input_value(f'{rule("final-sale")} textarea{field("text")}') == "Sale items are final."
    if backend == "sqlite":
        page.locator("#builder-written").screenshot(path=str(SCREENSHOTS / "builder-written-policy.png"))
    assert page.errors == []
