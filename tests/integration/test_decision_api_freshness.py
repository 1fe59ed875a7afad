"""The Decision API reads what is true now (issue 19): its reads were made cheaper (one statement for the shop
and its settings, one for a cart's catalog facts, no transaction around them, no pre-ping), never cached, so a
merchant's change is what the very next checkout request is decided with."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from backend.services.admin import settings
from backend.services.decisions import policies
from tests.integration.api_helpers import SHOP, bearer, checkout_token, seed_product, seed_shop

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

CART = {"order": {"currency": "USD", "shipping_address": {"country_code": "US", "province_code": "CA"},
                  "line_items": [{"variant_id": "gid://shopify/ProductVariant/1001", "quantity": 1, "price": "40.00"},
                                 {"variant_id": "gid://shopify/ProductVariant/3001", "quantity": 1,
                                  "price": "295.00"}]}}


@pytest.fixture
def shop(app):
    seed_shop(app)
    seed_product(app, 100, tags=["final-sale"], variants=[(1001, "40.00", None, "TEE-1")])
    seed_product(app, 300, product_type="Handbags", variants=[(3001, "295.00", None, "BAG-1")])
    return SHOP


def decide(app, client) -> dict:
    response = client.post("/api/v1/decisions", data=json.dumps(CART),
                           headers={**bearer(checkout_token(app)), "Content-Type": "application/json"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def test_a_policy_the_merchant_activates_decides_the_very_next_cart(app, client, shop):
    assert decide(app, client)["policy"] == "aallyn"
    policies.set_policy(app, SHOP, "novus", user="staff", redecide=False)
    assert decide(app, client)["policy"] == "novus"


def test_a_product_edit_from_a_webhook_changes_the_next_carts_classes(app, client, shop):
    assert [ln["class"] for ln in decide(app, client)["lines"]] == ["final_sale", "standard"]
    seed_product(app, 100, tags=[], variants=[(1001, "40.00", None, "TEE-1")])  # what products/update stores
    assert [ln["class"] for ln in decide(app, client)["lines"]] == ["standard", "standard"]


def test_a_product_first_seen_after_a_cart_is_used_by_the_next_one(app, client, shop):
    cart_line = {"variant_id": "gid://shopify/ProductVariant/5001", "quantity": 1, "price": "10.00"}
    CART_WITH_NEW = {"order": {**CART["order"], "line_items": [cart_line]}}
    ask = lambda: client.post("/api/v1/decisions", data=json.dumps(CART_WITH_NEW),  # noqa: E731
                              headers={**bearer(checkout_token(app)), "Content-Type": "application/json"})
    assert ask().get_json()["lines"][0]["class"] == "standard"  # unknown, no token: empty facts
    seed_product(app, 500, tags=["final-sale"], variants=[(5001, "10.00", None, "NEW-1")])
    assert ask().get_json()["lines"][0]["class"] == "final_sale"


def test_settings_saved_in_the_admin_apply_to_the_next_cart(app, client, shop):
    settings.save(app.extensions["fineprint.db"], SHOP, {"protection_variant_id": "3001"}, user="staff")
    decision = decide(app, client)
    assert decision["lines"][1]["class"] == "protection"  # the variant is now the shop's protection product


def test_a_database_connection_the_server_dropped_costs_no_request(app, client, shop, db_url):
    """No pre-ping any more: a pooled PostgreSQL connection the server has closed (a restart, an idle
    timeout) fails its first statement, and the read runs again on a fresh connection."""
    if not db_url.startswith("postgresql"):
        pytest.skip("SQLite has no server to drop a connection")
    decide(app, client)  # the pool now holds one connection, used by every request in turn
    with app.extensions["fineprint.db"].engine.connect() as conn:
        pid = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    engine = sa.create_engine(db_url)
    with engine.begin() as conn:  # that connection only: the database is shared with other test runs
        assert conn.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": pid}).scalar()
    engine.dispose()
    assert decide(app, client)["policy"] == "aallyn"
