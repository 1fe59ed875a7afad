"""The embedded app: session tokens, token exchange, expiring tokens refreshed, revocation recovered."""
from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qs, urlsplit

import pytest
from flask import g, jsonify

from backend import create_app
from backend.routes.guards import app_proxy_required, embedded_admin_page, session_token_required
from backend.services.install import tokens
from tests import session_tokens
from tests.fakes.simulator import SHOP
from tests.integration.test_install import admin_link, stored_token

RETRY = "X-Shopify-Retry-Invalid-Session-Request"
# The development secret is short; PyJWT rightly warns. Production secrets are Shopify's 32+ bytes.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture
def app(app_config, simulator):
    app = create_app({**app_config, **simulator.app_overrides, "app_url": "https://fineprint.test"})
    app.add_url_rule("/api/v1/whoami", "whoami", session_token_required(lambda: jsonify(shop=g.shop)))
    app.add_url_rule("/test-admin", "test_admin", embedded_admin_page(lambda: f"admin page of {g.shop}"))
    app.add_url_rule("/proxy/whoami", "proxy_whoami", app_proxy_required(
        lambda: jsonify(shop=g.shop, customer=g.logged_in_customer_id)))
    yield app
    app.extensions["fineprint.db"].dispose()


def bearer(token):
    return {"Authorization": f"Bearer {token}"}


# --- session tokens --------------------------------------------------------------------------

def test_an_api_call_with_a_session_token_knows_its_shop(app, simulator):
    res = app.test_client().get("/api/v1/whoami", headers=bearer(simulator.session_token(SHOP)))
    assert res.status_code == 200 and res.get_json() == {"shop": SHOP}


@pytest.mark.parametrize("headers", [
    {}, {"Authorization": "Basic abc"}, {"Authorization": "Bearer not-a-jwt"},
])
def test_an_api_call_without_a_valid_token_gets_401_with_the_retry_header(app, headers):
    res = app.test_client().get("/api/v1/whoami", headers=headers)
    assert res.status_code == 401 and res.headers[RETRY] == "1"
    assert res.get_json()["error"]["code"] == "unauthorized"


@pytest.mark.parametrize("claims", [
    lambda now: {"aud": "another-app"}, lambda now: {"exp": now - 30}, lambda now: {"nbf": now + 60},
    lambda now: {"dest": "https://evil.com", "iss": "https://evil.com/admin"},
    lambda now: {"iss": "https://other-dev.myshopify.com/admin"},
], ids=["aud", "expired", "not-yet-valid", "foreign-shop", "mismatched-hosts"])
def test_tokens_for_another_app_time_or_shop_are_refused(app, simulator, claims):
    token = simulator.session_token(SHOP, **claims(int(time.time())))
    res = app.test_client().get("/api/v1/whoami", headers=bearer(token))
    assert res.status_code == 401 and res.headers[RETRY] == "1"


@pytest.mark.parametrize("kind", ["checkout", "customer_account", "checkout_with_iss"])
@pytest.mark.parametrize("customer_id", [None, 77])
def test_a_buyers_extension_token_is_not_a_staff_token(app, kind, customer_id):
    """Documented checkout / customer-account tokens, a guest's or a customer's, open no admin page."""
    config = app.config["FINEPRINT"]
    buyer = session_tokens.session_token(kind, SHOP, config.api_key, config.api_secret, customer_id=customer_id)
    client = app.test_client()
    assert client.get("/api/v1/whoami", headers=bearer(buyer)).status_code == 401
    assert client.get(f"/test-admin?shop={SHOP}&id_token={buyer}").status_code == 401
    assert client.get("/app/api/sections/settings", headers=bearer(buyer)).status_code == 401


def test_a_token_signed_with_another_secret_is_refused(app):
    from devshop.sessiontokens import mint_session_token

    forged = mint_session_token(SHOP, "dev-api-key", "not-our-secret-not-our-secret-not-our")
    assert app.test_client().get("/api/v1/whoami", headers=bearer(forged)).status_code == 401


# --- managed install: token exchange ---------------------------------------------------------

def test_app_bridge_posting_its_session_token_gets_the_shop_an_expiring_offline_token(app, simulator):
    client = app.test_client()
    res = client.post("/auth/session", headers=bearer(simulator.session_token(SHOP)))
    assert res.status_code == 200 and res.get_json() == {"shop": SHOP, "installed": True, "exchanged": True}
    token = stored_token(app)
    assert simulator.oauth.valid_token(SHOP, token).expires_at is not None
    again = client.post("/auth/session", headers=bearer(simulator.session_token(SHOP)))
    assert again.get_json()["exchanged"] is False
    assert [c.grant_type for c in simulator.calls("token", SHOP)] == ["token_exchange"]


def test_the_embedded_admin_page_exchanges_the_id_token_and_sends_the_frame_ancestors_policy(app, simulator):
    res = app.test_client().get(f"/test-admin?shop={SHOP}&id_token={simulator.session_token(SHOP)}")
    assert res.status_code == 200 and res.get_data(as_text=True) == f"admin page of {SHOP}"
    assert res.headers["Content-Security-Policy"] == f"frame-ancestors https://{SHOP} https://admin.shopify.com"
    assert stored_token(app)


def test_the_embedded_admin_page_without_an_id_token_goes_to_fetch_one(app, simulator):
    client = app.test_client()
    res = client.get(f"/test-admin?shop={SHOP}&host=abc")
    assert res.status_code == 302
    target = urlsplit(res.headers["Location"])
    assert target.path == "/auth/patch-id-token"
    assert parse_qs(target.query)["shopify-reload"] == [f"/test-admin?shop={SHOP}&host=abc"]
    page = client.get(res.headers["Location"])
    assert page.status_code == 200 and b"app-bridge.js" in page.data and b"dev-api-key" in page.data


def test_opening_the_app_embedded_with_an_id_token_installs_it_without_the_oauth_dance(app, simulator):
    link = admin_link(embedded="1", id_token=simulator.session_token(SHOP))
    res = app.test_client().get(link)
    assert res.status_code == 302 and urlsplit(res.headers["Location"]).path == "/app"
    assert stored_token(app) and not simulator.calls("authorize")


# --- expiring tokens ------------------------------------------------------------------------

def _install_expiring(app, simulator):
    app.test_client().post("/auth/session", headers=bearer(simulator.session_token(SHOP)))
    return stored_token(app)


def test_a_token_far_from_expiry_is_handed_out_as_is(app, simulator):
    token = _install_expiring(app, simulator)
    with app.app_context():
        assert tokens.tokens_for(SHOP) == token
    assert [c.grant_type for c in simulator.calls("token", SHOP)] == ["token_exchange"]


def test_a_token_about_to_lapse_is_refreshed_and_the_rotated_refresh_token_is_kept(app, simulator):
    first = _install_expiring(app, simulator)
    soon = datetime.now(timezone.utc) + timedelta(minutes=59, seconds=1)  # < 5 min left of the hour
    with app.app_context():
        second = tokens.tokens_for(SHOP, now=soon)
        assert second != first and simulator.oauth.valid_token(SHOP, second)
        assert tokens.tokens_for(SHOP) == second  # fresh again: no second refresh
        third = tokens.tokens_for(SHOP, now=soon + timedelta(minutes=58))  # the rotated refresh token works
    assert third not in (first, second)
    assert [c.grant_type for c in simulator.calls("token", SHOP)] == ["token_exchange", "refresh_token",
                                                                       "refresh_token"]
    assert stored_token(app) == third


def test_a_refused_refresh_clears_the_tokens_and_the_next_open_reauthorizes_without_a_loop(app, simulator):
    _install_expiring(app, simulator)
    simulator.oauth.refresh_tokens.clear()  # Shopify no longer knows our refresh token
    late = datetime.now(timezone.utc) + timedelta(hours=2)
    with app.app_context():
        with pytest.raises(tokens.ReauthorizationRequired):
            tokens.tokens_for(SHOP, now=late)
        with pytest.raises(tokens.ReauthorizationRequired):  # no retry storm: nothing left to try
            tokens.tokens_for(SHOP, now=late)
    assert stored_token(app) is None
    assert [c.grant_type for c in simulator.calls("token", SHOP)] == ["token_exchange", "refresh_token"]
    res = app.test_client().get(admin_link())
    assert res.status_code == 302 and "/admin/oauth/authorize" in res.headers["Location"]


def test_a_401_refreshes_once_and_a_worker_that_lost_the_race_gets_the_new_token(app, simulator):
    first = _install_expiring(app, simulator)
    with app.app_context():
        second = tokens.refresh_after_401(SHOP, first)      # Shopify said 401 to `first`
        assert tokens.refresh_after_401(SHOP, first) == second  # another worker, same 401: no second grant
    assert second != first and stored_token(app) == second
    assert [c.grant_type for c in simulator.calls("token", SHOP)] == ["token_exchange", "refresh_token"]


def test_a_token_endpoint_outage_keeps_the_tokens(app, simulator):
    token = _install_expiring(app, simulator)
    simulator.inject(SHOP, "503", times=20, endpoint="token")
    soon = datetime.now(timezone.utc) + timedelta(minutes=59, seconds=30)
    with app.app_context():
        with pytest.raises(Exception) as err:
            tokens.tokens_for(SHOP, now=soon)
    assert not isinstance(err.value, tokens.ReauthorizationRequired)
    assert stored_token(app) == token


def test_no_token_for_a_shop_that_never_installed(app):
    with app.app_context():
        with pytest.raises(tokens.ReauthorizationRequired):
            tokens.tokens_for("never-installed.myshopify.com")


# --- app proxy -----------------------------------------------------------------------------

def _proxy_query(secret="dev-api-secret", **params):
    import hashlib
    import hmac

    params = {"shop": SHOP, "path_prefix": "/apps/fineprint", "timestamp": str(int(time.time())), **params}
    message = "".join(f"{k}={v}" for k, v in sorted(params.items()))
    params["signature"] = hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()
    from urllib.parse import urlencode
    return urlencode(params)


def test_an_app_proxy_request_knows_its_shop_and_customer(app):
    res = app.test_client().get(f"/proxy/whoami?{_proxy_query(logged_in_customer_id='77')}")
    assert res.status_code == 200 and res.get_json() == {"shop": SHOP, "customer": "77"}
    guest = app.test_client().get(f"/proxy/whoami?{_proxy_query(logged_in_customer_id='')}")
    assert guest.get_json() == {"shop": SHOP, "customer": None}


@pytest.mark.parametrize("query", [
    lambda: _proxy_query(secret="wrong"),
    lambda: _proxy_query(timestamp=str(int(time.time()) - 120)),
    lambda: _proxy_query() + "&extra=1",
    lambda: "shop=" + SHOP,
])
def test_an_app_proxy_request_that_shopify_did_not_sign_is_refused(app, query):
    res = app.test_client().get(f"/proxy/whoami?{query()}")
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "unauthorized"
