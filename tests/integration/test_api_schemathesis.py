"""The Decision API against its own OpenAPI document: schemathesis fuzzes every operation through the
Flask WSGI app with a valid session token (no 5xx, answers match the document), and explicit cases
reach every status code the document promises."""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings

from backend import create_app
from backend.routes.openapi import DOCUMENT
from backend.routes.openapi_returns import PATHS as SHOPPER_RETURN_PATHS
from tests.conftest import _empty_tables
from tests.integration.api_helpers import (OTHER_SHOP, SHOP, bearer, checkout_token, seed_order, seed_product,
                                           seed_shop, token)

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

LINE = {"id": "11", "variant_id": "1001", "product_id": "100", "quantity": 1, "price": "40.00"}


def seed(app):
    seed_shop(app)
    seed_shop(app, "no-policy.myshopify.com", policy=None)
    seed_product(app, 100, tags=["final-sale"], variants=[(1001, "40.00", None, "TEE-1")])
    seed_order(app, 1001, [dict(LINE)], delivered_at="2024-11-25T14:00:00-08:00", customer={"id": "77"})
    seed_order(app, 1002, [dict(LINE)], shop=OTHER_SHOP)
    seed_order(app, 1003, [dict(LINE)], shop="no-policy.myshopify.com")
    return app


@pytest.fixture
def seeded(app):
    return seed(app)


@pytest.fixture
def fuzzed_app(_sqlite_url):
    """The fuzzing runs on SQLite only (the API layer validates ids before any query; the stories in
    test_decision_api.py cover both databases)."""
    app = create_app({"database_url": _sqlite_url, "huey_immediate": True, "testing": True, "port": 8000})
    yield seed(app)
    app.extensions["fineprint.db"].dispose()
    _empty_tables(_sqlite_url)


OPERATIONS = [(path, method) for path, item in DOCUMENT["paths"].items() for method in item if method != "parameters"]


@pytest.mark.parametrize("path, method", OPERATIONS, ids=[f"{m.upper()} {p}" for p, m in OPERATIONS])
def test_the_api_honours_its_openapi_document(fuzzed_app, path, method):
    """No 5xx, documented statuses, content types, headers and bodies, for generated valid and invalid
    requests (schemathesis' default checks), authenticated with a signed-in customer's checkout session
    token, signed afresh for each request (Shopify's tokens live five minutes)."""
    operation = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", fuzzed_app)[path][method]

    @given(case=operation.as_strategy())
    @settings(max_examples=int(__import__("os").environ.get("FUZZ_EXAMPLES", "50")), deadline=None, database=None, suppress_health_check=list(HealthCheck))
    def run(case):
        case.call_and_validate(headers=bearer(checkout_token(fuzzed_app, customer_id=77)))

    run()


# ------------------------------------------------------------- every documented status

def _recipes(app):
    """(path, method, status) -> a request that must produce it."""
    good, no_policy = bearer(checkout_token(app, customer_id=77)), bearer(token(app, "no-policy.myshopify.com"))
    guest, expired = bearer(checkout_token(app)), bearer(token(app, exp=1, nbf=0, iat=0))
    body = {"order": {"line_items": [{"variant_id": "1001", "quantity": 1, "price": "40.00"}]}}
    decisions, order = "/api/v1/decisions", "/api/v1/orders/{order_id}/decision"
    return {
        (decisions, "post", "200"): ("POST", decisions, good, body),
        (decisions, "post", "401"): ("POST", decisions, expired, body),
        (decisions, "post", "409"): ("POST", decisions, no_policy, body),
        (decisions, "post", "413"): ("POST", decisions, good, {"order": {"line_items": [], "pad": "x" * 1100000}}),
        (decisions, "post", "422"): ("POST", decisions, good, {"order": {"line_items": [{"quantity": "x"}]}}),
        (decisions, "options", "204"): ("OPTIONS", decisions, {}, None),
        (order, "get", "200"): ("GET", "/api/v1/orders/1001/decision", good, None),
        (order, "get", "401"): ("GET", "/api/v1/orders/1001/decision", {}, None),
        (order, "get", "403"): ("GET", "/api/v1/orders/1001/decision", guest, None),
        (order, "get", "404"): ("GET", "/api/v1/orders/1002/decision", good, None),
        (order, "get", "409"): ("GET", "/api/v1/orders/1003/decision", no_policy, None),
        (order, "options", "204"): ("OPTIONS", "/api/v1/orders/1001/decision", {}, None),
        ("/api/v1/shop-settings", "get", "200"): ("GET", "/api/v1/shop-settings", good, None),
        ("/api/v1/shop-settings", "get", "401"): ("GET", "/api/v1/shop-settings", expired, None),
        ("/api/v1/shop-settings", "options", "204"): ("OPTIONS", "/api/v1/shop-settings", {}, None),
        ("/api/v1/openapi.json", "get", "200"): ("GET", "/api/v1/openapi.json", {}, None),
    }


def _documented():
    return {(path, method, status) for path, item in DOCUMENT["paths"].items()
            for method, op in item.items() if method != "parameters" for status in op["responses"]}


def test_every_documented_status_code_is_reached(seeded, client):
    recipes = _recipes(seeded)
    # The self-serve return paths answer from Shopify too: test_shopper_returns.py reaches each of their
    # statuses with the simulator.
    assert set(recipes) == {d for d in _documented() if d[0] not in SHOPPER_RETURN_PATHS}
    for (path, method, status), (verb, url, headers, body) in recipes.items():
        response = client.open(url, method=verb, headers=headers, json=body)
        assert response.status_code == int(status), (path, method, status, response.get_data(as_text=True))
        assert response.headers["Access-Control-Allow-Origin"] == "*"
