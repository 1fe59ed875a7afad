"""Stories about the Shopify simulator, driven through its real HTTP port and our token functions."""
from __future__ import annotations

import time
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from backend.config import Config
from backend.devshop import oauth_query_hmac
from backend.shopify.errors import TokenRequestError
from backend.shopify.tokens import exchange_code, exchange_session_token, refresh_token
from tests.fakes.simulator import OTHER_SHOP, SHOP


@pytest.fixture
def config(simulator):
    return Config().with_overrides(simulator.app_overrides)


def authorize(simulator, shop=SHOP, **extra):
    params = {"client_id": simulator.api_key, "scope": "read_orders,write_orders",
              "redirect_uri": "http://127.0.0.1:8000/auth/callback", "state": "nonce-1", **extra}
    response = httpx.get(f"{simulator.origin(shop)}/admin/oauth/authorize", params=params)
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlparse(response.headers["location"]).query).items()}


def test_authorize_redirects_back_with_a_signed_callback_query(simulator):
    query = authorize(simulator)
    assert query["shop"] == SHOP and query["state"] == "nonce-1" and query["code"]
    assert abs(int(query["timestamp"]) - time.time()) < 5
    assert query["hmac"] == oauth_query_hmac(query, simulator.api_secret)


def test_a_code_buys_one_offline_token_and_only_once(simulator, config):
    code = authorize(simulator)["code"]
    token = exchange_code(SHOP, code, config)
    assert token.access_token.startswith("shpat_") and token.scope == "read_orders,write_orders"
    assert not token.expiring and "shpat_" not in repr(token)
    with pytest.raises(TokenRequestError) as replay:
        exchange_code(SHOP, code, config)
    assert replay.value.code == "invalid_request" and replay.value.status == 400
    assert [c.status for c in simulator.calls("token")] == [200, 400]


def test_a_code_is_bound_to_its_shop_and_the_client_secret(simulator, config):
    simulator.add_shop(OTHER_SHOP)
    with pytest.raises(TokenRequestError) as other_shop:
        exchange_code(OTHER_SHOP, authorize(simulator)["code"], config)
    assert other_shop.value.code == "invalid_request"
    wrong_secret = config.with_overrides({"api_secret": "not-the-secret"})
    with pytest.raises(TokenRequestError) as bad_client:
        exchange_code(SHOP, authorize(simulator)["code"], wrong_secret)
    assert bad_client.value.code == "invalid_client" and bad_client.value.status == 401


def test_the_shop_may_grant_fewer_scopes_than_asked(simulator, config):
    simulator.shop(SHOP).granted_scopes = "read_orders"
    assert exchange_code(SHOP, authorize(simulator)["code"], config).scope == "read_orders"


def test_form_encoded_token_requests_work_too(simulator):
    code = authorize(simulator)["code"]
    response = httpx.post(f"{simulator.origin(SHOP)}/admin/oauth/access_token",
                          data={"client_id": simulator.api_key, "client_secret": simulator.api_secret, "code": code})
    assert response.status_code == 200 and response.json()["access_token"]


def test_session_token_exchange_gives_an_expiring_offline_token(simulator, config):
    token = exchange_session_token(SHOP, simulator.session_token(SHOP), config)
    assert token.expiring and token.refresh_token.startswith("shprt_")
    assert token.scope == simulator.scopes
    assert token.expires_within(3700) and not token.expires_within(3500)
    assert simulator.calls("token")[-1].grant_type == "token_exchange"


def test_session_token_exchange_without_expiry_and_online(simulator, config):
    offline = exchange_session_token(SHOP, simulator.session_token(SHOP), config, expiring=False)
    assert not offline.expiring and offline.refresh_token is None
    online = exchange_session_token(SHOP, simulator.session_token(SHOP, sub="42"), config, online=True)
    assert online.online and online.expiring and online.refresh_token is None


@pytest.mark.parametrize("claims", [
    {"exp": int(time.time()) - 60},
    {"aud": "another-app"},
    {"dest": f"https://{OTHER_SHOP}"},
])
def test_a_bad_session_token_is_refused(simulator, config, claims):
    simulator.add_shop(OTHER_SHOP)
    token = simulator.session_token(SHOP, **claims)
    with pytest.raises(TokenRequestError) as refused:
        exchange_session_token(SHOP, token, config)
    assert refused.value.code in ("invalid_subject_token",) and refused.value.needs_reauthorization


def test_a_session_token_signed_with_another_secret_is_refused(simulator, config):
    from backend.devshop import mint_session_token

    forged = mint_session_token(SHOP, simulator.api_key, "other-secret")
    with pytest.raises(TokenRequestError) as refused:
        exchange_session_token(SHOP, forged, config)
    assert refused.value.code == "invalid_subject_token"


def test_refresh_rotates_the_refresh_token(simulator, config):
    first = exchange_session_token(SHOP, simulator.session_token(SHOP), config)
    second = refresh_token(SHOP, first.refresh_token, config)
    assert second.access_token != first.access_token and second.refresh_token != first.refresh_token
    assert second.expiring
    with pytest.raises(TokenRequestError) as reused:
        refresh_token(SHOP, first.refresh_token, config)
    assert reused.value.code == "invalid_grant" and reused.value.needs_reauthorization
    assert refresh_token(SHOP, second.refresh_token, config).access_token
    assert [c.grant_type for c in simulator.calls("token")] == ["token_exchange"] + ["refresh_token"] * 3


def test_an_expired_refresh_token_is_refused(simulator, config):
    simulator.oauth.refresh_ttl = -1
    first = exchange_session_token(SHOP, simulator.session_token(SHOP), config)
    with pytest.raises(TokenRequestError) as expired:
        refresh_token(SHOP, first.refresh_token, config)
    assert expired.value.code == "invalid_grant"


def test_unknown_grant_types_and_shops_are_refused(simulator):
    url = f"{simulator.origin(SHOP)}/admin/oauth/access_token"
    body = {"client_id": simulator.api_key, "client_secret": simulator.api_secret, "grant_type": "password"}
    response = httpx.post(url, json=body)
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
    assert httpx.post(f"{simulator.base_url}/nowhere.myshopify.com/admin/oauth/access_token",
                      json=body).status_code == 404


def test_the_token_endpoint_can_fail_on_demand(simulator, config):
    simulator.inject(SHOP, "503", endpoint="token")
    with pytest.raises(TokenRequestError):
        exchange_code(SHOP, authorize(simulator)["code"], config)
    assert simulator.calls("token")[-1].fault == "503"


def test_graphql_needs_a_valid_access_token(simulator):
    url = f"{simulator.origin(SHOP)}/admin/api/2025-10/graphql.json"
    response = httpx.post(url, json={"query": "{ shop { name } }"}, headers={"X-Shopify-Access-Token": "nope"})
    assert response.status_code == 401
    assert response.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}
