"""The theme app extension in a real browser: Debian's chromium, driven by Playwright,
on a local storefront that renders the blocks with python-liquid, a fake Ajax Cart API
and a fake Fineprint app proxy (tests/e2e/storefront/)."""
from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
EXTENSION = ROOT / "extensions" / "theme-returns"
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run"]

pytestmark = pytest.mark.browser


def _unavailable(reason: str):
    """Missing browser tooling fails the run on CI and skips elsewhere."""
    if os.environ.get("CI", "").lower() in ("1", "true", "yes"):
        pytest.fail(f"browser test cannot run on CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _unavailable("playwright is not installed")
    if not os.path.exists(CHROMIUM):
        _unavailable("Debian's chromium is not installed (scripts/ensure-test-deps installs it)")
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def store():
    from tests.e2e.storefront.server import Storefront

    with Storefront(EXTENSION) as store:
        store.cart.add(101, 1)  # a Leather Tote is in the cart
        yield store


@pytest.fixture
def page(browser, store):
    context = browser.new_context(base_url=store.url, viewport={"width": 900, "height": 700})
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def wait_for(predicate, timeout=120.0):  # a safety net: the predicate ends the wait
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return True
        time.sleep(0.05)
    return predicate()


def toggle(page):
    return page.locator("[data-fineprint-protection] input[data-fineprint-toggle]")


def test_cart_toggle_adds_and_removes_the_protection_line_and_survives_reloads(page, store):
    from tests.e2e.storefront.server import PROTECTION_VARIANT

    page.goto("/cart")
    box = toggle(page)
    box.wait_for(state="visible")
    assert page.locator("[data-fineprint-text]").inner_text() == "Add free returns for $2.98"
    assert not box.is_checked(), "return protection must be unchecked by default"
    assert PROTECTION_VARIANT not in store.cart.variants(), "nothing is added without a click"

    box.click()
    assert wait_for(lambda: store.cart.variants().get(PROTECTION_VARIANT) == 1)
    page.wait_for_selector("[data-fineprint-protection][data-state='on']")
    assert page.locator(f"#cart-lines li[data-variant='{PROTECTION_VARIANT}']").count() == 1

    page.reload()
    page.wait_for_selector("[data-fineprint-protection][data-state='on']")
    assert toggle(page).is_checked(), "a reload keeps the state read from the cart"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "theme-storefront-cart.png"), full_page=True)

    toggle(page).click()
    assert wait_for(lambda: PROTECTION_VARIANT not in store.cart.variants())
    page.wait_for_selector("[data-fineprint-protection][data-state='off']")
    assert not toggle(page).is_checked()
    assert store.cart.variants() == {101: 1}


def test_toggle_follows_a_protection_line_removed_elsewhere(page, store):
    from tests.e2e.storefront.server import PROTECTION_VARIANT

    store.cart.add(PROTECTION_VARIANT, 1)
    page.goto("/cart")
    page.wait_for_selector("[data-fineprint-protection][data-state='on']")

    store.cart.change(f"{PROTECTION_VARIANT}:fake", 0)  # the shopper removed the line in the theme's cart
    page.evaluate("document.dispatchEvent(new CustomEvent('cart:updated'))")
    page.wait_for_selector("[data-fineprint-protection][data-state='off']")
    assert not toggle(page).is_checked()


def test_protection_alone_in_the_cart_is_taken_out(page, store):
    from tests.e2e.storefront.server import PROTECTION_VARIANT

    store.cart.add(PROTECTION_VARIANT, 1)
    store.cart.change("101:fake", 0)  # the tote was removed; only protection is left
    page.goto("/cart")
    assert wait_for(lambda: store.cart.variants() == {})
    page.wait_for_selector("[data-fineprint-protection]", state="hidden")


def test_without_a_variant_in_the_admin_settings_the_toggle_stays_hidden(page, store):
    store.settings_variant = None  # the merchant has not set one in the app's admin page
    page.goto("/cart")
    page.wait_for_selector("[data-fineprint-protection][data-state='off']", state="attached")  # rendered
    assert page.locator("[data-fineprint-protection]").get_attribute("hidden") is not None
    assert store.cart.variants() == {101: 1}


def test_product_badges_come_from_the_app_proxy(page, store):
    page.goto("/products/tote")
    badge = page.locator("[data-fineprint-badge]")
    badge.wait_for(state="visible")
    assert badge.inner_text() == "Returnable within 30 days"

    page.goto("/products/sneaker")
    badge = page.locator("[data-fineprint-badge]")
    badge.wait_for(state="visible")
    assert badge.inner_text() == "Final sale: no returns or exchanges"
    assert badge.get_attribute("data-tone") == "final-sale"
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "theme-storefront-product.png"))


def test_policy_block_shows_the_policy_rendered_by_the_app(page, store):
    page.goto("/pages/returns")
    page.wait_for_selector("[data-fineprint-policy][data-loaded='true']")
    assert page.locator("[data-fineprint-policy] h2").inner_text() == "Returns"
    assert "within 30 days of delivery" in page.locator("[data-fineprint-policy]").inner_text()
