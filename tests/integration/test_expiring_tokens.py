"""Expiring offline tokens on every path, and the migration of stored non-expiring ones, against the
simulator's token endpoint (which answers as shopify.dev documents: the old token dies once migrated, and
asking again with it within 7 days gives back the same pair). Plus the token hygiene of issue 11: a token
exchange short of our scopes is refused, and signed links older than Shopify's 90 s window are refused."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

import pytest

from backend import create_app
from backend.services.install import tokens
from backend.store.models import Shop
from tests.fakes.simulator import OTHER_SHOP, SHOP
from tests.integration.edge_helpers import shop_row
from tests.integration.test_install import admin_link, authorize, stored_token

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture
def app(app_config, simulator):
    app = create_app({**app_config, **simulator.app_overrides, "app_url": "https://fineprint.test"})
    yield app
    app.extensions["fineprint.db"].dispose()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


def installed_before_expiring_tokens(app, simulator, shop=SHOP) -> str:
    """The shop as an install from before `expiring=1`: a non-expiring offline token, stored encrypted."""
    answer = simulator.install(shop, expiring=False)
    assert "expires_in" not in answer and "refresh_token" not in answer
    cipher = app.extensions["fineprint.cipher"]
    with app.extensions["fineprint.db"].session() as s:
        s.add(Shop(domain=shop, access_token_encrypted=cipher.encrypt(answer["access_token"]),
                   installed_at=datetime.now(timezone.utc), scopes=answer["scope"]))
    return answer["access_token"]


def grants(simulator, shop=SHOP) -> list[str]:
    return [c.grant_type for c in simulator.calls("token", shop)]


# --- the authorization-code path asks for an expiring token --------------------------------------

def test_the_oauth_callback_stores_an_expiring_offline_token_and_its_refresh_token(app, simulator):
    client = app.test_client()
    assert client.get(authorize(client, simulator)).status_code == 302
    row = shop_row(app, SHOP)
    assert row.access_token_expires_at is not None and row.refresh_token_encrypted
    assert simulator.oauth.valid_token(SHOP, stored_token(app)).expires_at is not None
    assert grants(simulator) == ["authorization_code"]


# --- migration ------------------------------------------------------------------------------------

def test_a_non_expiring_token_is_migrated_on_its_next_use_and_the_old_one_stops_working(app, simulator):
    old = installed_before_expiring_tokens(app, simulator)
    with app.app_context():
        new = tokens.tokens_for(SHOP)
        assert tokens.tokens_for(SHOP) == new  # migrated once, then handed out as any expiring token
    assert new != old and stored_token(app) == new
    assert simulator.oauth.valid_token(SHOP, old) is None
    assert simulator.oauth.valid_token(SHOP, new).expires_at is not None
    row = shop_row(app, SHOP)
    assert row.access_token_expires_at is not None and row.refresh_token_encrypted
    assert grants(simulator) == ["token_migration"]


def test_the_migrated_pair_refreshes_like_any_expiring_token(app, simulator):
    installed_before_expiring_tokens(app, simulator)
    with app.app_context():
        migrated = tokens.tokens_for(SHOP)
        refreshed = tokens.tokens_for(SHOP, now=datetime.now(timezone.utc) + timedelta(minutes=59))
    assert refreshed != migrated and simulator.oauth.valid_token(SHOP, refreshed)
    assert grants(simulator) == ["token_migration", "refresh_token"]


def test_a_lost_migration_answer_is_recovered_by_asking_again_with_the_old_token(app, simulator):
    old = installed_before_expiring_tokens(app, simulator)
    config = app.config["FINEPRINT"]
    from backend.shopify.tokens import migrate_offline_token

    lost = migrate_offline_token(SHOP, old, config)  # Shopify answered; the answer never reached the database
    assert simulator.oauth.valid_token(SHOP, old) is None
    with app.app_context():
        assert tokens.tokens_for(SHOP) == lost.access_token
    assert grants(simulator) == ["token_migration", "token_migration"]


def test_a_401_after_a_lost_migration_answer_recovers_the_pair(app, simulator):
    old = installed_before_expiring_tokens(app, simulator)
    from backend.shopify.tokens import migrate_offline_token

    simulator.inject(SHOP, "503", times=1, endpoint="token")
    with app.app_context():
        assert tokens.tokens_for(SHOP) == old  # the migration failed: retry paused, the old token used
    lost = migrate_offline_token(SHOP, old, app.config["FINEPRINT"])  # meanwhile migrated, answer lost
    with app.app_context():
        assert tokens.refresh_after_401(SHOP, old) == lost.access_token  # Shopify said 401 to the old one
    assert stored_token(app) == lost.access_token and shop_row(app, SHOP).refresh_token_encrypted


def test_a_refused_migration_keeps_the_shop_working_and_is_not_retried_at_once(app, simulator, caplog):
    old = installed_before_expiring_tokens(app, simulator)
    simulator.inject(SHOP, "503", times=1, endpoint="token")
    with app.app_context():
        assert tokens.tokens_for(SHOP) == old  # still valid at Shopify: the work goes on
        assert tokens.tokens_for(SHOP) == old  # within the retry pause: no second request
        later = tokens.tokens_for(SHOP, now=datetime.now(timezone.utc) + tokens.MIGRATION_RETRY + timedelta(seconds=1))
    assert later != old and stored_token(app) == later
    assert grants(simulator) == ["token_migration", "token_migration"]
    assert "could not migrate the non-expiring token" in caplog.text and old not in caplog.text


def test_the_cli_migrates_every_installed_shop_and_says_how_each_went(app, simulator):
    simulator.add_shop(OTHER_SHOP)
    installed_before_expiring_tokens(app, simulator)
    installed_before_expiring_tokens(app, simulator, OTHER_SHOP)
    runner = app.test_cli_runner()
    first = runner.invoke(args=["shops", "migrate-tokens"])
    assert first.exit_code == 0, first.output
    assert first.output.splitlines() == [f"{SHOP}\tmigrated", f"{OTHER_SHOP}\tmigrated"]
    again = runner.invoke(args=["shops", "migrate-tokens", SHOP])
    assert again.output.splitlines() == [f"{SHOP}\talready_expiring"]
    assert grants(simulator) == ["token_migration"] and grants(simulator, OTHER_SHOP) == ["token_migration"]


def test_the_cli_reports_a_token_shopify_will_not_migrate_and_exits_1(app, simulator):
    old = installed_before_expiring_tokens(app, simulator)
    simulator.revoke_tokens(SHOP)  # e.g. revoked since: Shopify refuses it as a subject token
    result = app.test_cli_runner().invoke(args=["shops", "migrate-tokens", SHOP, "never-installed.myshopify.com"])
    assert result.exit_code == 1
    assert f"{SHOP}\tfailed: Shopify refused to migrate the token" in result.output
    assert "never-installed.myshopify.com\tfailed:" in result.output and "Traceback" not in result.output
    assert old not in result.output


def test_opening_the_app_replaces_a_non_expiring_token_by_token_exchange(app, simulator):
    old = installed_before_expiring_tokens(app, simulator)
    client = app.test_client()
    res = client.post("/auth/session", headers=bearer(simulator.session_token(SHOP)))
    assert res.status_code == 200 and res.get_json()["exchanged"] is True
    assert stored_token(app) != old and shop_row(app, SHOP).access_token_expires_at is not None
    again = client.post("/auth/session", headers=bearer(simulator.session_token(SHOP)))
    assert again.get_json()["exchanged"] is False
    assert grants(simulator) == ["token_exchange"]


def test_a_failed_exchange_on_open_leaves_a_working_non_expiring_token_in_place(app, simulator):
    old = installed_before_expiring_tokens(app, simulator)
    simulator.inject(SHOP, "503", times=1, endpoint="token")
    res = app.test_client().post("/auth/session", headers=bearer(simulator.session_token(SHOP)))
    assert res.status_code == 200 and res.get_json()["exchanged"] is False
    assert stored_token(app) == old and simulator.oauth.valid_token(SHOP, old)


# --- token hygiene (issue 11) --------------------------------------------------------------------

def test_a_token_exchange_granting_fewer_scopes_than_we_need_is_refused_and_stores_nothing(app, simulator):
    simulator.shop(SHOP).granted_scopes = "read_products"
    res = app.test_client().post("/auth/session", headers=bearer(simulator.session_token(SHOP)))
    assert res.status_code == 403
    error = res.get_json()["error"]
    assert error["code"] == "missing_scopes" and "write_orders" in error["details"]["missing"]
    assert stored_token(app) is None


@pytest.mark.parametrize("age", [91, 3600, int(time.time()) - 978307200, -120],
                         ids=["91 s", "an hour", "2001", "from the future"])
def test_a_signed_admin_link_outside_shopifys_window_is_refused(app, simulator, age):
    for path in ("/", "/auth/install"):
        link = admin_link(timestamp=str(int(time.time()) - age)).replace("/?", f"{path}?", 1)
        res = app.test_client().get(link)
        assert res.status_code == 400 and res.get_json()["error"]["code"] == "stale_request"
    assert not simulator.calls("authorize") and stored_token(app) is None


def test_a_fresh_signed_admin_link_still_opens_the_install(app, simulator):
    res = app.test_client().get(admin_link(timestamp=str(int(time.time()) - 60)))
    assert res.status_code == 302 and "/admin/oauth/authorize" in res.headers["Location"]
