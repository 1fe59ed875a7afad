"""Installing Fineprint into a shop, against the Shopify simulator, by following the redirects."""
from __future__ import annotations

import logging
import time
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from sqlalchemy.engine import make_url

from backend import create_app
from backend.config import DEFAULT_SCOPES
from devshop.sessiontokens import admin_host_param, oauth_query_hmac
from tests.fakes.simulator import SHOP
from tests.integration.edge_helpers import shop_row


@pytest.fixture
def app(app_config, simulator):
    app = create_app({**app_config, **simulator.app_overrides, "app_url": "https://fineprint.test"})
    yield app
    app.extensions["fineprint.db"].dispose()


def admin_link(shop=SHOP, secret="dev-api-secret", **extra) -> str:
    """The signed link the Shopify admin opens: /?shop=&timestamp=&host=&hmac=."""
    params = {"shop": shop, "timestamp": str(int(time.time())), "host": admin_host_param(SHOP), **extra}
    params["hmac"] = oauth_query_hmac(params, secret)
    return "/?" + urlencode(params)


def authorize(client, simulator, shop=SHOP) -> str:
    """Open the app from the admin and consent at the simulator; returns the callback path+query."""
    res = client.get(admin_link(shop))
    assert res.status_code == 302
    consent = httpx.get(res.headers["Location"], follow_redirects=False)
    assert consent.status_code == 302, consent.text
    callback = urlsplit(consent.headers["Location"])
    assert f"{callback.scheme}://{callback.netloc}{callback.path}" == "https://fineprint.test/auth/callback"
    return f"{callback.path}?{callback.query}"


def stored_token(app, shop=SHOP) -> str | None:
    row = shop_row(app, shop)
    if row is None or row.access_token_encrypted is None:
        return None
    return app.extensions["fineprint.cipher"].decrypt(row.access_token_encrypted)


def database_bytes(app) -> bytes:
    url = make_url(app.config["FINEPRINT"].database_url)
    if url.get_backend_name() == "sqlite":
        return b"".join(Path(p).read_bytes() for p in (url.database, url.database + "-wal") if Path(p).exists())
    from tests.integration.test_compliance import database_text
    return database_text(app).encode()


def test_a_merchant_installs_the_app_by_following_the_redirects(app, simulator, caplog):
    client = app.test_client()
    caplog.set_level(logging.DEBUG)
    opened = client.get(admin_link())
    assert opened.status_code == 302
    authorize_url = urlsplit(opened.headers["Location"])
    assert authorize_url.path == f"/{SHOP}/admin/oauth/authorize"
    query = parse_qs(authorize_url.query)
    assert query["client_id"] == ["dev-api-key"] and query["scope"] == [DEFAULT_SCOPES]
    assert query["redirect_uri"] == ["https://fineprint.test/auth/callback"] and len(query["state"][0]) >= 32

    consent = httpx.get(opened.headers["Location"], follow_redirects=False)
    callback = urlsplit(consent.headers["Location"])
    landed = client.get(f"{callback.path}?{callback.query}")
    assert landed.status_code == 302
    admin = urlsplit(landed.headers["Location"])
    assert admin.path == "/app" and parse_qs(admin.query)["shop"] == [SHOP]
    assert parse_qs(admin.query)["host"] == [admin_host_param(SHOP)]

    token = stored_token(app)
    assert token and simulator.oauth.valid_token(SHOP, token)
    assert [c.grant_type for c in simulator.calls("token", SHOP)] == ["authorization_code"]
    row = shop_row(app, SHOP)
    assert row.installed_at is not None and row.scopes == DEFAULT_SCOPES
    assert token.encode() not in database_bytes(app)
    assert all(token not in r.getMessage() for r in caplog.records)

    again = client.get(admin_link())  # installed: straight to the embedded admin page
    assert again.status_code == 302 and urlsplit(again.headers["Location"]).path == "/app"
    assert again.headers["Content-Security-Policy"] == f"frame-ancestors https://{SHOP} https://admin.shopify.com"


def test_a_replayed_callback_is_refused_and_changes_nothing(app, simulator):
    client = app.test_client()
    callback = authorize(client, simulator)
    assert client.get(callback).status_code == 302
    token = stored_token(app)
    replay = client.get(callback)
    assert replay.status_code == 403 and replay.get_json()["error"]["code"] == "invalid_state"
    assert stored_token(app) == token


@pytest.mark.parametrize("shop", ["evil.com", "x.myshopify.com.evil.com", "", "EVIL.COM", "Fineprint-Dev.MyShopify.com.evil.com"])
def test_a_signed_link_for_something_that_is_not_a_shop_is_refused(app, shop):
    res = app.test_client().get(admin_link(shop))
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "invalid_shop"


def test_an_uppercase_shop_is_the_same_shop(app, simulator):
    res = app.test_client().get(admin_link(SHOP.upper()))
    assert res.status_code == 302 and f"/{SHOP}/admin/oauth/authorize" in res.headers["Location"]


@pytest.mark.parametrize("link", [
    f"/?shop={SHOP}", "/?hmac=00", "/?host=x&timestamp=1", f"/auth/install?shop={SHOP}&timestamp=1&hmac=00",
])
def test_an_unsigned_or_forged_admin_link_is_refused(app, link):
    res = app.test_client().get(link)
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "invalid_hmac"


def test_a_link_signed_with_another_secret_is_refused(app):
    assert app.test_client().get(admin_link(secret="someone-elses-secret")).status_code == 401


def _tamper(callback: str, **changes) -> str:
    path, query = callback.split("?", 1)
    params = {k: v[0] for k, v in parse_qs(query).items()}
    params.update(changes)
    return f"{path}?{urlencode(params)}"


def _resign(callback: str, **changes) -> str:
    path, query = callback.split("?", 1)
    params = {k: v[0] for k, v in parse_qs(query).items() if k != "hmac"}
    params.update(changes)
    params["hmac"] = oauth_query_hmac(params, "dev-api-secret")
    return f"{path}?{urlencode(params)}"


@pytest.mark.parametrize("case, status, code", [
    ("bad hmac", 401, "invalid_hmac"),
    ("no hmac", 401, "invalid_hmac"),
    ("other shop, re-signed", 400, "invalid_shop"),
    ("forged shop, re-signed", 400, "invalid_shop"),
    ("stale timestamp, re-signed", 400, "stale_request"),
    ("unknown state", 403, "invalid_state"),
    ("no state", 403, "invalid_state"),
    ("bad code, re-signed", 400, "code_exchange_failed"),
])
def test_a_callback_that_fails_any_check_stores_nothing(app, simulator, case, status, code):
    simulator.add_shop("other-dev.myshopify.com")
    client = app.test_client()
    callback = authorize(client, simulator)
    mutations = {
        "bad hmac": _tamper(callback, hmac="0" * 64),
        "no hmac": _tamper(callback, hmac=""),
        "other shop, re-signed": _resign(callback, shop="other-dev.myshopify.com"),
        "forged shop, re-signed": _resign(callback, shop="fineprint-dev.myshopify.com.evil.com"),
        "stale timestamp, re-signed": _resign(callback, timestamp=str(int(time.time()) - 3600)),
        "unknown state": _resign(callback, state="not-a-state-we-issued"),
        "no state": _resign(callback, state=""),
        "bad code, re-signed": _resign(callback, code="0" * 32),
    }
    res = client.get(mutations[case])
    assert res.status_code == status and res.get_json()["error"]["code"] == code
    assert res.get_json()["error"]["message"]
    assert stored_token(app) is None and stored_token(app, "other-dev.myshopify.com") is None


def test_an_install_missing_a_scope_we_need_is_refused_and_stores_nothing(app, simulator):
    simulator.shop(SHOP).granted_scopes = "read_orders,read_products,read_fulfillments,write_app_proxy,write_returns"
    client = app.test_client()
    res = client.get(authorize(client, simulator))
    assert res.status_code == 403 and res.get_json()["error"]["details"] == {"missing": ["write_orders"]}
    assert stored_token(app) is None


def test_the_write_scope_alone_covers_the_read_scope(app, simulator):
    simulator.shop(SHOP).granted_scopes = "write_orders,read_products,read_fulfillments,write_app_proxy,write_returns"
    client = app.test_client()
    assert client.get(authorize(client, simulator)).status_code == 302
    assert stored_token(app)


@pytest.mark.parametrize("default_policy, expected", [("novus", "novus"), (None, None), ("no-such-policy", None)])
def test_a_new_shop_starts_on_the_default_policy_when_one_is_configured(app_config, simulator, default_policy,
                                                                         expected):
    from backend.services.decisions import policies

    app = create_app({**app_config, **simulator.app_overrides, "app_url": "https://fineprint.test",
                      "default_policy": default_policy})
    client = app.test_client()
    assert client.get(authorize(client, simulator)).status_code == 302
    version, _ = policies.active(app.extensions["fineprint.db"], SHOP)
    assert stored_token(app) is not None, "the install itself always succeeds"
    assert (version.based_on if version else None) == expected
    if expected:
        assert version.created_by == "DEFAULT_POLICY" and version.activated_by == "DEFAULT_POLICY"
