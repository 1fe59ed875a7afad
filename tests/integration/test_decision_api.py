"""The Decision API as the checkout, customer-account and admin extensions call it (contract §3, §5, §6)."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import quote

import pytest

from tests.integration.api_helpers import (OTHER_SHOP, RETRY_HEADER, SHOP, bearer, checkout_token,
                                           customer_account_token, seed_order, seed_product, seed_shop, token)

# the development client secret is short; PyJWT rightly warns about it
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

CART_LINES = [  # what a checkout extension knows: the variant, quantity and price
    {"variant_id": "gid://shopify/ProductVariant/1001", "quantity": 1, "price": "40.00"},
    {"variant_id": "gid://shopify/ProductVariant/2001", "quantity": 2, "price": "25.00"},
    {"variant_id": 3001, "quantity": 1, "price": "295.00"},
]


def cart(lines=None, country="US", **order) -> dict:
    return {"order": {"currency": "USD", "shipping_address": {"country_code": country},
                      "line_items": CART_LINES if lines is None else lines, **order}}


@pytest.fixture
def shop(app):
    seed_shop(app)
    seed_product(app, 100, tags=["final-sale"], variants=[(1001, "40.00", None, "TEE-1")])
    seed_product(app, 200, tags=["flash-sale"], variants=[(2001, "25.00", "35.00", "CAP-1")])
    seed_product(app, 300, product_type="Handbags", variants=[(3001, "295.00", None, "BAG-1")])
    return SHOP


def post(client, body, tok, **kw):
    data = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return client.post("/api/v1/decisions", data=data, headers={**bearer(tok), "Content-Type": "application/json"},
                       **kw)


# ------------------------------------------------------------------------------- carts

def test_a_checkout_cart_with_only_variant_ids_gets_its_classes_from_the_catalog(app, client, shop):
    response = post(client, cart(), checkout_token(app))
    assert response.status_code == 200, response.get_json()
    decision = response.get_json()
    assert [(ln["line_item_id"], ln["class"]) for ln in decision["lines"]] == [
        ("0", "final_sale"), ("1", "credit_only"), ("2", "standard")]
    assert decision["tags"] == ["final-sale", "sale-credit-only"]
    assert decision["policy"] == "aallyn"
    assert decision["return_protection"] == {"offered": True, "price": "2.98", "purchased": False}
    assert decision["lines"][2]["resolutions"]["refund"] == {
        "allowed": True, "deadline": None, "window": {"days": 21, "from": "delivery"}}
    assert response.headers["Access-Control-Allow-Origin"] == "*"


def test_a_logged_in_buyer_and_a_customer_account_token_are_answered_alike(app, client, shop):
    first = post(client, cart(), checkout_token(app, customer_id=123456789)).get_json()
    second = post(client, cart(), customer_account_token(app, 123456789)).get_json()
    assert [ln["class"] for ln in first["lines"]] == [ln["class"] for ln in second["lines"]]


def test_facts_the_request_carries_win_over_the_catalog_and_policy_is_ignored(app, client, shop):
    lines = [{"id": "a", "variant_id": "1001", "product_tags": [], "product_type": "", "compare_at_price": None,
              "quantity": 1, "price": "40.00"}]
    decision = post(client, {**cart(lines), "policy": "ally"}, checkout_token(app)).get_json()
    assert decision["policy"] == "aallyn"
    assert decision["lines"][0] == {**decision["lines"][0], "line_item_id": "a", "class": "standard"}


def test_a_cart_shipped_abroad_is_not_offered_protection_and_may_be_blocked(app, client, shop):
    decision = post(client, cart(country="FR"), checkout_token(app)).get_json()
    assert decision["return_protection"]["offered"] is False
    assert decision["blocked"] and decision["blocked"][0]["rule"]


@pytest.mark.parametrize("merchant_allows_blocking, blocked_rules", [
    (True, ["no-po-boxes"]),
    (False, []),
])
def test_a_po_box_is_refused_at_checkout_only_while_the_merchant_allows_it(
        app, client, shop, merchant_allows_blocking, blocked_rules):
    from backend.store.models import ShopSettings

    with app.extensions["fineprint.db"].session() as s:
        s.add(ShopSettings(shop_domain=SHOP, block_po_boxes=merchant_allows_blocking))
    po_box = cart(shipping_address={"country_code": "US", "address1": "P.O. Box 12", "city": "Reno", "zip": "89501"})
    decision = post(client, po_box, checkout_token(app)).get_json()
    assert [b["rule"] for b in decision["blocked"]] == blocked_rules
    abroad = post(client, cart(country="FR"), checkout_token(app)).get_json()
    assert abroad["blocked"], "country blocks stay whatever the P.O. box setting"


def test_a_product_the_mirror_never_saw_is_fetched_with_one_admin_read(app_config, simulator):
    from backend import create_app

    app_config.update(simulator.app_overrides)
    app = create_app(app_config)
    try:
        product = simulator.add_product(SHOP, "Last chance", tags=["final-sale"], price="30.00")
        seed_shop(app, access_token=simulator.install(SHOP)["access_token"])
        client, line = app.test_client(), {"product_id": f"gid://shopify/Product/{product.id}", "quantity": 1,
                                           "price": "30.00"}
        for _ in range(2):
            decision = post(client, cart([line]), checkout_token(app)).get_json()
            assert decision["lines"][0]["class"] == "final_sale"
        assert len(simulator.calls("graphql", shop=SHOP, operation="FineprintProducts")) == 1
    finally:
        app.extensions["fineprint.db"].dispose()


def test_a_line_naming_only_an_unknown_variant_reads_its_product_once_then_the_mirror(app_config, simulator):
    """Read-through: the checkout extension knows the variant only; its product is read from the Admin API
    once, with all its variants, and the next carts (any of its variants) read no Admin API at all."""
    from backend import create_app

    app_config.update(simulator.app_overrides)
    app = create_app(app_config)
    try:
        bag = simulator.add_product(SHOP, "Sample bag", product_type="Handbags", tags=["final-sale"],
                                    variants=[{"title": "Red", "price": "80.00", "compare_at_price": "120.00",
                                               "sku": "BAG-R"}, {"title": "Blue", "price": "80.00", "sku": "BAG-B"}])
        seed_shop(app, access_token=simulator.install(SHOP)["access_token"])
        client = app.test_client()
        red, blue = (f"gid://shopify/ProductVariant/{v.id}" for v in bag.variants)
        for variant in (red, red, blue):
            decision = post(client, cart([{"variant_id": variant, "quantity": 1, "price": "80.00"}]),
                            checkout_token(app)).get_json()
            assert decision["lines"][0]["class"] == "final_sale", decision
        reads = simulator.calls("graphql", shop=SHOP)
        assert [c.operation for c in reads] == ["FineprintVariantProducts"]
        assert reads[0].variables == {"ids": [red]}
        gone = {"variant_id": "gid://shopify/ProductVariant/987654", "quantity": 1, "price": "5.00"}
        for _ in range(2):  # a variant Shopify does not have is asked about once, then decided with empty facts
            decision = post(client, cart([gone]), checkout_token(app)).get_json()
            assert decision["lines"][0]["class"] == "standard", decision
        assert len(simulator.calls("graphql", shop=SHOP)) == 2
    finally:
        app.extensions["fineprint.db"].dispose()


def test_an_unknown_product_of_a_shop_without_a_token_is_decided_with_empty_facts(app, client, shop):
    lines = [{"product_id": "999", "variant_id": "9991", "quantity": 1, "price": "10.00"}]
    response = post(client, cart(lines), checkout_token(app))
    assert response.status_code == 200
    assert response.get_json()["lines"][0]["class"] == "standard"


def test_a_shop_without_an_active_policy_answers_409_no_active_policy(app, client):
    seed_shop(app, policy=None)
    response = post(client, cart(), checkout_token(app))
    assert response.status_code == 409
    assert response.get_json()["error"]["code"] == "no_active_policy"


# ---------------------------------------------------------------------------- refusals

def _bad_tokens(app):
    now = int(time.time())
    return {  # each a documented token with one thing Shopify would never send
        "missing": None,
        "expired": checkout_token(app, exp=now - 60, iat=now - 360, nbf=now - 360),
        "not yet valid": checkout_token(app, nbf=now + 60),
        "wrong audience": checkout_token(app, aud="someone-else"),
        "wrong secret": token(app, secret="not-the-app-secret-not-the-app-secret"),
        "another shop's issuer": checkout_token(app, with_iss=True, iss=f"https://{OTHER_SHOP}/checkouts"),
        "staff token of another shop's admin": token(app, iss=f"https://{OTHER_SHOP}/admin"),
        "no exp": checkout_token(app, exp=None),
        "no nbf": customer_account_token(app, 77, nbf=None),
        "dest not a shop": checkout_token(app, dest="evil.com"),
        "dest a list": checkout_token(app, dest=[SHOP]),
    }


@pytest.mark.parametrize("case", ["missing", "expired", "not yet valid", "wrong audience", "wrong secret",
                                  "another shop's issuer", "staff token of another shop's admin", "no exp",
                                  "no nbf", "dest not a shop", "dest a list"])
def test_a_bad_session_token_gets_401_with_the_retry_header(app, client, shop, case):
    tok = _bad_tokens(app)[case]
    headers = bearer(tok) if tok else {}
    for response in (client.post("/api/v1/decisions", json=cart(), headers=headers),
                     client.get("/api/v1/orders/1/decision", headers=headers)):
        assert response.status_code == 401
        assert response.get_json()["error"]["code"] == "unauthorized"
        assert response.headers[RETRY_HEADER] == "1"
        assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("shape", ["checkout", "checkout with iss", "customer account", "customer account guest",
                                   "staff"])
def test_every_token_shape_shopify_sends_is_answered(app, client, shop, shape):
    tok = {"checkout": checkout_token(app), "checkout with iss": checkout_token(app, customer_id=5, with_iss=True),
           "customer account": customer_account_token(app, 5), "customer account guest": customer_account_token(app),
           "staff": token(app)}[shape]
    response = post(client, cart(), tok)
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["lines"][0]["class"] == "final_sale"


# ------------------------------------------------------------------------------ orders

def _recent(days: int) -> str:
    return (datetime.now(timezone.utc) - timedelta(days=days)).isoformat()


@pytest.fixture
def stored_order(app, shop):
    """Order 1001 of customer 77, delivered two days ago."""
    lines = [{"id": "11", "variant_id": "3001", "product_id": "300", "sku": "BAG-1", "title": "Tote",
              "quantity": 1, "price": "295.00", "discount": "0.00", "gift_card": False, "properties": {}},
             {"id": "12", "variant_id": "1001", "product_id": "100", "sku": "TEE-1", "title": "Tee",
              "product_type": "", "product_tags": ["final-sale"], "compare_at_price": None,
              "quantity": 1, "price": "40.00", "discount": "0.00", "gift_card": False, "properties": {}}]
    seed_order(app, 1001, lines, created_at=_recent(6), delivered_at=_recent(2), customer={"id": "77"})
    return "1001"


@pytest.mark.parametrize("ident", ["1001", quote("gid://shopify/Order/1001", safe="")])
def test_the_decision_for_a_stored_order_as_of_now(app, client, stored_order, ident):
    response = client.get(f"/api/v1/orders/{ident}/decision", headers=bearer(customer_account_token(app, 77)))
    assert response.status_code == 200, response.get_json()
    decision = response.get_json()
    assert decision["order_id"] == "gid://shopify/Order/1001"
    assert [(ln["line_item_id"], ln["class"]) for ln in decision["lines"]] == [("11", "standard"),
                                                                             ("12", "final_sale")]
    refund = decision["lines"][0]["resolutions"]["refund"]
    assert refund["allowed"] is True and refund["window"] == {"days": 21, "from": "delivery"}
    delivered = (datetime.now(timezone.utc) - timedelta(days=2)).astimezone().date()
    assert abs((datetime.fromisoformat(refund["deadline"]).date() - delivered).days - 21) <= 1
    assert decision["return_deadline"] == refund["deadline"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("shape", ["customer account", "checkout", "checkout with iss"])
def test_the_orders_own_customer_reads_it_with_any_token_shape(app, client, stored_order, shape):
    tok = {"customer account": customer_account_token(app, 77), "checkout": checkout_token(app, customer_id=77),
           "checkout with iss": checkout_token(app, customer_id=77, with_iss=True)}[shape]
    response = client.get("/api/v1/orders/1001/decision", headers=bearer(tok))
    assert response.status_code == 200 and response.get_json()["order_id"] == "gid://shopify/Order/1001"


@pytest.mark.parametrize("ident", ["1001", "9999", "abc"])
@pytest.mark.parametrize("shape", ["customer account", "checkout", "checkout with iss"])
def test_a_guest_token_is_asked_to_sign_in_and_never_sees_an_order(app, client, stored_order, shape, ident):
    tok = {"customer account": customer_account_token(app), "checkout": checkout_token(app),
           "checkout with iss": checkout_token(app, with_iss=True)}[shape]
    response = client.get(f"/api/v1/orders/{ident}/decision", headers=bearer(tok))
    assert response.status_code == 403
    error = response.get_json()["error"]
    assert error["code"] == "customer_login_required" and "lines" not in response.get_json()
    assert RETRY_HEADER not in response.headers  # a new token would not help: signing in does


@pytest.mark.parametrize("ident", ["1002", "gid%3A%2F%2Fshopify%2FOrder%2F1002", "9999", "abc", "gid%3A%2F%2Fx"])
def test_another_shops_order_or_an_unknown_id_is_404(app, client, stored_order, ident):
    seed_shop(app, OTHER_SHOP)
    seed_order(app, 1002, [{"id": "1", "quantity": 1, "price": "1.00"}], shop=OTHER_SHOP, customer={"id": "77"})
    for tok in (customer_account_token(app, 77), token(app)):  # the same customer id, and staff, of SHOP
        response = client.get(f"/api/v1/orders/{ident}/decision", headers=bearer(tok))
        assert response.status_code == 404
        assert response.get_json()["error"] == {"code": "not_found", "message": "no such order", "details": None}
    other = client.get("/api/v1/orders/1002/decision", headers=bearer(customer_account_token(app, 77, OTHER_SHOP)))
    assert other.status_code == 200


def test_a_customer_sees_only_orders_recorded_for_them_and_staff_sees_all(app, client, shop):
    line = [{"id": "1", "quantity": 1, "price": "10.00"}]
    seed_order(app, 2001, line, customer_id="gid://shopify/Customer/55")
    seed_order(app, 2002, line, customer={"id": 66})
    seed_order(app, 2003, line)  # a guest checkout: nobody's order

    def status(order, tok):
        return client.get(f"/api/v1/orders/{order}/decision", headers=bearer(tok)).status_code

    assert status(2001, customer_account_token(app, 55)) == 200
    assert status(2002, customer_account_token(app, 55)) == 404  # another customer's: same answer as unknown
    assert status(2003, customer_account_token(app, 55)) == 404
    assert [status(order, token(app)) for order in (2001, 2002, 2003)] == [200, 200, 200]  # staff


def test_the_order_decision_of_a_shop_without_a_policy_is_409(app, client):
    seed_shop(app, policy=None)
    seed_order(app, 3001, [{"id": "1", "quantity": 1, "price": "10.00"}])
    response = client.get("/api/v1/orders/3001/decision", headers=bearer(token(app)))
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_active_policy"


# ----------------------------------------------------------------------------- OpenAPI

def test_the_openapi_document_describes_every_endpoint_and_the_bearer_scheme(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    assert doc["openapi"].startswith("3.1")
    assert set(doc["paths"]) == {"/api/v1/decisions", "/api/v1/orders/{order_id}/decision", "/api/v1/shop-settings",
                                 "/api/v1/openapi.json",
                                 "/api/v1/orders/{order_id}/return-options",  # self-serve returns (issue 16)
                                 "/api/v1/orders/{order_id}/return-preview", "/api/v1/orders/{order_id}/returns"}
    assert doc["components"]["securitySchemes"]["sessionToken"]["scheme"] == "bearer"
    assert {"200", "401", "409", "422"} <= set(doc["paths"]["/api/v1/decisions"]["post"]["responses"])
    assert "404" in doc["paths"]["/api/v1/orders/{order_id}/decision"]["get"]["responses"]


def test_a_raw_gid_in_the_path_is_understood_too(app, client, stored_order):
    response = client.get("/api/v1/orders/gid://shopify/Order/1001/decision",
                          headers=bearer(customer_account_token(app, 77)))
    assert response.status_code == 200 and response.get_json()["order_id"] == "gid://shopify/Order/1001"


def test_one_catalog_fill_serves_carts_and_orders_and_ingest_leaves_unknown_products_for_the_pipeline(app, shop):
    from backend.services.decisions import cart_facts

    seed_product(app, 500, tags=["gift"], gift_card=True, variants=[(5001, "50.00", None, "GIFT")])
    lines = [{"variant_id": "1001", "product_id": "100"}, {"variant_id": "2001", "product_id": "200"},
             {"product_id": "300"}, {"variant_id": "5001", "product_id": "500"}, {"product_id": "999"},
             {"variant_id": "2001", "product_id": "200", "product_tags": ["mine"]}, {"sku": "custom"}]
    final, ingest = [dict(ln) for ln in lines], [dict(ln) for ln in lines]
    with app.extensions["fineprint.db"].session() as s:
        cart_facts.fill_from_catalog(s, SHOP, final)
        cart_facts.fill_from_catalog(s, SHOP, ingest, final=False)
    facts = [(ln.get("product_type"), ln.get("product_tags"), ln.get("compare_at_price"), ln.get("gift_card"))
             for ln in final]
    assert facts == [("", ["final-sale"], None, None), ("", ["flash-sale"], "35.00", None),
                     ("Handbags", [], None, None), ("", ["gift"], None, True), ("", [], None, None),
                     ("", ["mine"], "35.00", None), ("", [], None, None)]
    assert ingest[4] == {"product_id": "999"}  # never seen: left for the pipeline's Admin read
    assert [ln for i, ln in enumerate(ingest) if i != 4] == [ln for i, ln in enumerate(final) if i != 4]


@pytest.mark.parametrize("order", [{"line_items": "not a list", "tags": "vip"}, {"line_items": ["x", 3]},
                                   {"line_items": [{"variant_id": "3001", "product_tags": "protection"}]}])
def test_with_a_protection_variant_set_a_malformed_cart_is_422_never_500(app, client, shop, order):
    from backend.services.admin import settings

    settings.save(app.extensions["fineprint.db"], SHOP, {"protection_variant_id": "3001"}, None)
    response = post(client, {"order": {"created_at": "2024-11-20T09:30:00-08:00", **order}}, checkout_token(app))
    assert response.status_code == 422 and response.get_json()["error"]["details"], response.get_json()


def test_the_checkout_reads_the_protection_variant_set_in_the_admin_settings(app, client, shop):
    """Settings are the one place: the checkout extension's token (no `iss`) reads the variant its toggle adds."""
    from backend.services.admin import settings

    unset = client.get("/api/v1/shop-settings", headers=bearer(checkout_token(app)))
    assert unset.status_code == 200 and unset.get_json()["protection_variant_id"] is None
    settings.save(app.extensions["fineprint.db"], SHOP, {"protection_variant_id": "gid://shopify/ProductVariant/3001",
                                                        "block_po_boxes": True}, None)
    answer = client.get("/api/v1/shop-settings", headers=bearer(checkout_token(app)))
    assert answer.status_code == 200 and answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.get_json()["protection_variant_id"] == "3001"
    assert answer.get_json()["checkout"] == {"block_po_boxes": True}
    assert client.get("/api/v1/shop-settings", headers=bearer(token(app, exp=1, nbf=0, iat=0))).status_code == 401
