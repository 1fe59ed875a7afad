"""No 500 from input: the webhook route, the decision API and every admin endpoint answer malformed,
hostile or wrongly typed input with 400/401/413/422 and the error envelope.

Explicit cases first (each one a 500 once), then a property-based sweep of the admin endpoints with
hypothesis: any JSON value in any field, any query string, never a 5xx and always the envelope.
"""
from __future__ import annotations

import json
import time

import jwt
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backend import create_app
from tests.conftest import _empty_tables
from tests.integration.api_helpers import bearer, checkout_token, seed_shop, token
from tests.integration.edge_helpers import SHOP as WEBHOOK_SHOP, example, install_shop, post_webhook, webhook_headers

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

DEEP = b"[" * 100_000 + b"]" * 100_000


def _envelope(response, *statuses):
    assert response.status_code in statuses, (response.status_code, response.get_data(as_text=True)[:300])
    error = response.get_json()["error"]
    assert set(error) == {"code", "message", "details"} and error["code"] and error["message"]
    return error


# -- the webhook route (unauthenticated: anyone can send these) ------------------------------------------------

def test_a_non_ascii_hmac_header_is_401(app, client):
    body = json.dumps(example("orders/create")).encode()
    headers = webhook_headers(app, body, "orders/create", **{"X-Shopify-Hmac-Sha256": "é" * 44})
    _envelope(client.post("/webhooks", data=body, headers=headers), 401)


def test_a_deeply_nested_body_is_401_unsigned_and_400_signed(app, client):
    install_shop(app)
    headers = webhook_headers(app, DEEP, "orders/create", **{"X-Shopify-Hmac-Sha256": "AAAA"})
    _envelope(client.post("/webhooks", data=DEEP, headers=headers), 401)
    _envelope(post_webhook(client, app, "orders/create", DEEP), 400)


# -- the decision API ---------------------------------------------------------------------------------------------

def _decide(app, client, body):
    seed_shop(app)
    data = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.post("/api/v1/decisions", data=data,
                       headers={**bearer(checkout_token(app)), "Content-Type": "application/json"})


@pytest.mark.parametrize("quantity", [b"1e1000000", b"-1e1000000", b"1e-1000000", b"NaN", b"Infinity"])
def test_a_quantity_no_order_can_have_is_422(app, client, quantity):
    body = (b'{"order": {"currency": "USD", "line_items": [{"variant_id": 1001, "price": "1.00", "quantity": '
            + quantity + b'}]}}')
    _envelope(_decide(app, client, body), 400, 422)


def test_a_huge_number_in_an_unknown_field_is_ignored_like_the_field(app, client):
    body = b'{"extra": 1e1000000, "order": {"currency": "USD", "line_items": []}}'
    assert _decide(app, client, body).status_code == 200


def test_a_deeply_nested_decision_request_is_422(app, client):
    _envelope(_decide(app, client, DEEP), 422)


@pytest.mark.parametrize("dest", [["https://a.myshopify.com"], {"host": "a"}, 5, None])
def test_a_token_whose_dest_is_not_a_string_is_401(app, client, dest):
    seed_shop(app)
    claims = jwt.decode(checkout_token(app), options={"verify_signature": False})
    claims["dest"] = dest
    forged = jwt.encode(claims, app.config["FINEPRINT"].api_secret, algorithm="HS256")
    response = client.post("/api/v1/decisions", json={"order": {"line_items": []}}, headers=bearer(forged))
    _envelope(response, 401)


# -- admin endpoints -------------------------------------------------------------------------------------------------

ADMIN_SHOP = "fineprint-demo.myshopify.com"


@pytest.fixture
def admin(app):
    seed_shop(app, ADMIN_SHOP, policy="ally")
    return bearer(token(app, ADMIN_SHOP, sub="42"))  # an admin (App Home) token: staff user 42


@pytest.mark.parametrize("path,body", [
    ("/app/api/policy/backtest", {"text": "", "limit": "abc"}),
    ("/app/api/policy/backtest", {"limit": [1]}),
    ("/app/api/policy/backtest", {"limit": 1e300}),
    ("/app/api/preview", {"text": 5}),
    ("/app/api/preview", {"order_id": {"a": 1}}),
    ("/app/api/preview", {"sample": 5}),
    ("/app/api/policy/check", {"text": ["x"]}),
    ("/app/api/policy/activate", {"text": 5, "based_on": "x"}),
    ("/app/api/settings", {"block_po_boxes": "maybe", "tag_names": 7}),
])
def test_wrong_types_and_hostile_text_on_admin_endpoints_are_4xx(client, admin, path, body):
    _envelope(client.post(path, json=body, headers=admin), 400, 409, 422)


def test_a_policy_of_100000_brackets_is_reported_as_a_problem_not_a_crash(client, admin):
    response = client.post("/app/api/policy/check", json={"text": "[" * 100_000}, headers=admin)
    assert response.status_code == 200 and response.get_json()["ok"] is False
    assert "TOML syntax error" in response.get_json()["problems"][0]["message"]
    backtested = client.post("/app/api/policy/backtest", json={"text": "[" * 100_000}, headers=admin)
    assert backtested.status_code < 500


@pytest.mark.parametrize("query", ["version=abc", "version=-1", "version=99999999999999999999999", "version="])
def test_a_bad_source_version_is_4xx(client, admin, query):
    response = client.get(f"/app/api/policy/source?{query}", headers=admin)
    assert response.status_code < 500


# -- property-based sweep of the admin endpoints ---------------------------------------------------------------------

JSON = st.recursive(st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
                    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3),
                    max_leaves=8)
FIELDS = ["text", "limit", "order_id", "sample", "backtested", "based_on", "block_po_boxes", "tag_names",
          "returns_mode", "protection_variant_id", "reminder_days"]
BODIES = st.one_of(JSON, st.dictionaries(st.sampled_from(FIELDS), JSON, max_size=4))
POSTS = ["/app/api/policy/check", "/app/api/policy/backtest", "/app/api/policy/activate", "/app/api/preview",
         "/app/api/settings", "/app/api/policy/rollback", "/app/api/policy/versions/1/activate",
         "/app/api/jobs/1/retry"]
GETS = ["/app/api/policy/source", "/app/api/sections/activity", "/app/api/sections/settings", "/api/v1/shop-settings"]


@pytest.fixture
def fuzzed(_sqlite_url):
    app = create_app({"database_url": _sqlite_url, "huey_immediate": True, "testing": True, "port": 8000})
    seed_shop(app, ADMIN_SHOP, policy="ally")
    yield app, bearer(token(app, ADMIN_SHOP, sub="42", exp=int(time.time()) + 3600))
    app.extensions["fineprint.db"].dispose()
    _empty_tables(_sqlite_url)


def test_admin_endpoints_never_answer_5xx_to_any_json_body(fuzzed):
    app, headers = fuzzed
    client = app.test_client()

    @given(path=st.sampled_from(POSTS), body=BODIES)
    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(path, body):
        response = client.post(path, data=json.dumps(body), headers={**headers, "Content-Type": "application/json"})
        assert response.status_code < 500, (path, body, response.get_data(as_text=True)[:300])
        if response.status_code >= 400:
            assert set(response.get_json()["error"]) == {"code", "message", "details"}

    run()


def test_admin_reads_never_answer_5xx_to_any_query(fuzzed):
    app, headers = fuzzed
    client = app.test_client()
    params = st.dictionaries(st.sampled_from(["version", "limit", "order_id", "page", "status", "shop"]),
                             st.text(max_size=30), max_size=3)

    @given(path=st.sampled_from(GETS), query=params)
    @settings(max_examples=100, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(path, query):
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code < 500, (path, query, response.get_data(as_text=True)[:300])

    run()
