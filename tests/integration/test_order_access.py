"""Without the optional read_all_orders scope Shopify shows an app the last 60 days of orders: the backfill
CLI and the admin page say so plainly, and stop saying it once the merchant grants the scope."""
from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from backend.config import DEFAULT_SCOPES
from backend.services.orders import backfill
from backend.services.install import order_access
from backend.store.models import Shop
from tests.integration.edge_helpers import install_shop

SHOP = "fineprint-dev.myshopify.com"
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture
def app_config(app_config, simulator):
    app_config.update(simulator.app_overrides)
    return app_config


@pytest.fixture
def shop_with(app):
    def install(scopes):
        install_shop(app, SHOP, active_policy="ally")
        with app.extensions["fineprint.db"].session() as s:  # the scopes the token endpoint reported
            row = s.exec(select(Shop).where(Shop.domain == SHOP)).one()
            row.scopes = scopes
        return SHOP
    return install


@pytest.mark.parametrize("scopes, all_orders", [
    (DEFAULT_SCOPES, False), (DEFAULT_SCOPES + ",read_all_orders", True), ("", False), (None, False),
])
def test_read_all_orders_alone_lifts_the_60_day_window(scopes, all_orders):
    access = order_access.of_scopes(scopes, date(2026, 12, 3))
    assert access.all_orders is all_orders
    assert access.oldest == (None if all_orders else date(2026, 10, 4))
    assert (access.notice() is None) is all_orders


def _backfill(app, monkeypatch, *args):
    monkeypatch.setattr(backfill, "run", lambda app, shop, **kw: {"orders": 0, "written": 0})
    return app.test_cli_runner().invoke(args=["orders", "backfill", SHOP, *args])


def test_the_backfill_cli_says_it_reads_only_60_days_without_read_all_orders(app, shop_with, monkeypatch):
    shop_with(DEFAULT_SCOPES)
    result = _backfill(app, monkeypatch)
    oldest = date.today() - timedelta(days=60)
    assert result.exit_code == 0, result.output
    assert "only the last 60 days of orders" in result.output and "read_all_orders" in result.output
    assert f"orders created before {oldest} will not be read" in result.output
    recent = _backfill(app, monkeypatch, "--since", (date.today() - timedelta(days=10)).isoformat())
    assert "will not be read" not in recent.output  # nothing asked for lies outside the window


def test_the_backfill_cli_says_nothing_once_read_all_orders_is_granted(app, shop_with, monkeypatch):
    shop_with(DEFAULT_SCOPES + ",read_all_orders")
    result = _backfill(app, monkeypatch)
    assert result.exit_code == 0 and "note:" not in result.output and "orders=0" in result.output


@pytest.mark.parametrize("extra, shown", [("", True), (",read_all_orders", False)])
def test_the_admin_settings_say_so_and_offer_the_grant(app, simulator, shop_with, extra, shown):
    shop_with(DEFAULT_SCOPES + extra)
    headers = {"Authorization": "Bearer " + simulator.session_token(SHOP, sub="42")}
    page = app.test_client().get("/app/api/sections/settings", headers=headers)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert ("only the last 60 days of orders" in text) is shown
    assert ("shopify.scopes.request([&#39;read_all_orders&#39;])" in text
            or "shopify.scopes.request(['read_all_orders'])" in text) is shown
