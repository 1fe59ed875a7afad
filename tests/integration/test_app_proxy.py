"""The theme app extension's data through the Shopify app proxy: product badges, the protection offer
and the policy page, only for calls Shopify signed."""
from __future__ import annotations

import time

import pytest

from tests.integration.api_helpers import SHOP, proxy_url, seed_product, seed_shop


@pytest.fixture
def shop(app):
    seed_shop(app)
    seed_product(app, 100, tags=["final-sale"], variants=[(1001, "40.00", None, "TEE-1")])
    seed_product(app, 200, tags=["flash-sale"], variants=[(2001, "25.00", "35.00", "CAP-1")])
    seed_product(app, 300, product_type="Handbags", variants=[(3002, "95.00", None, "BAG-2"),
                                                              (3001, "295.00", None, "BAG-1")])
    seed_product(app, 400, tags=["return-protection"], variants=[(4001, "2.98", None, "RETURN-PROTECTION")])
    return SHOP


def get(client, app, path, **params):
    return client.get(proxy_url(app, path, {k: str(v) for k, v in params.items()}))


@pytest.mark.parametrize("product_id, cls, window", [
    (100, "final_sale", None),
    (200, "credit_only", {"days": 21, "from": "delivery"}),
    (300, "standard", {"days": 21, "from": "delivery"}),
    (400, "protection", None),
])
def test_a_product_badge_is_the_decision_for_a_one_line_cart(app, client, shop, product_id, cls, window):
    response = get(client, app, "/proxy/product", product_id=product_id)
    assert response.status_code == 200, response.get_json()
    assert response.get_json() == {"product_id": str(product_id), "class": cls, "window": window,
                                   "return_protection": {"offered": True, "price": "2.98", "currency": "USD"}}
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_a_badge_for_a_shopper_abroad_follows_the_international_rules(app, client, shop):
    body = get(client, app, "/proxy/product", product_id=300, country="ca").get_json()
    assert body["window"] == {"days": 21, "from": "shipment"}
    assert body["return_protection"] == {"offered": False, "price": None, "currency": "USD"}


NOVUS_SHOP = "novus-badges.myshopify.com"


def test_a_badge_uses_the_given_variant_at_its_current_price(app, client, shop):
    # novus: "merchandise on sale priced $25.00 and under cannot be returned" — the price decides the class
    seed_shop(app, NOVUS_SHOP, policy="novus")
    seed_product(app, 500, shop=NOVUS_SHOP, variants=[(5001, "30.00", "40.00", "SOCK-L"),
                                                      (5002, "20.00", "40.00", "SOCK-S")])

    def badge(**params):
        response = client.get(proxy_url(app, "/proxy/product", {"product_id": "500", **params}, shop=NOVUS_SHOP))
        assert response.status_code == 200, response.get_json()
        return response.get_json()["class"]

    assert badge(variant_id="5002") == "final_sale"  # $20 on sale
    assert badge(variant_id="5001") == "standard"  # $30 on sale: over the bound
    assert badge() == "standard"  # no variant given: the first one
    seed_product(app, 500, shop=NOVUS_SHOP, variants=[(5001, "24.00", "40.00", "SOCK-L"),  # marked down again
                                                      (5002, "20.00", "40.00", "SOCK-S")])
    assert badge(variant_id="5001") == "final_sale"  # its current price, not the one first seen
    response = get(client, app, "/proxy/product", product_id=300, variant_id=1001)  # another product's variant
    assert response.status_code == 404


def test_an_unknown_product_is_404_and_a_missing_or_bad_id_is_422(app, client, shop):
    unknown = get(client, app, "/proxy/product", product_id=999)
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "unknown_product"
    assert unknown.headers["Cache-Control"] == "no-store"
    for params in ({}, {"product_id": "shoe"}, {"product_id": 100, "country": "USA"}):
        response = get(client, app, "/proxy/product", **params)
        assert response.status_code == 422, params
        assert response.get_json()["error"]["details"][0]["field"] in ("product_id", "country")


@pytest.mark.parametrize("country, offered", [(None, True), ("US", True), ("JP", False)])
def test_the_protection_offer_for_a_cart(app, client, shop, country, offered):
    params = {"country": country} if country else {}
    response = get(client, app, "/proxy/protection", **params)
    assert response.status_code == 200
    assert response.get_json() == {"offered": offered, "price": "2.98" if offered else None, "currency": "USD",
                                   "variant_id": None}  # no variant in the admin page's Settings yet
    assert response.headers["Cache-Control"] == "public, max-age=60"


def test_the_cart_toggle_adds_the_variant_set_in_the_admin_settings(app, client, shop):
    from backend.services.admin import settings

    settings.save(app.extensions["fineprint.db"], SHOP, {"protection_variant_id": "gid://shopify/ProductVariant/4001",
                                                        "block_po_boxes": True}, None)
    body = get(client, app, "/proxy/protection").get_json()
    assert body == {"offered": True, "price": "2.98", "currency": "USD", "variant_id": "4001"}


def test_the_policy_page_as_markdown_and_safe_html(app, client, shop):
    body = get(client, app, "/proxy/policy").get_json()
    assert body["markdown"].startswith("# AALLYN")
    assert body["html"].startswith("<h1>AALLYN")
    assert "<li><strong>Final sale items.</strong>" in body["html"]
    assert "<script" not in body["html"]


def test_policy_text_is_escaped_in_the_html(app, client, shop, monkeypatch):
    from backend import policy

    monkeypatch.setattr(policy, "render_policy", lambda p, now: "# Returns\n\n<script>alert(1)</script> & [x](javascript:alert(1))\n")
    from backend.services.decisions import policy_page
    monkeypatch.setattr(policy_page, "_pages", {})
    html = get(client, app, "/proxy/policy").get_json()["html"]
    assert "<script>" not in html and "&lt;script&gt;" in html and "&amp;" in html
    assert 'href="javascript:' not in html


def test_a_shop_without_a_policy_answers_409(app, client):
    seed_shop(app, policy=None)
    response = get(client, app, "/proxy/protection")
    assert response.status_code == 409 and response.get_json()["error"]["code"] == "no_active_policy"


@pytest.mark.parametrize("tamper", ["unsigned", "wrong secret", "expired", "edited after signing"])
def test_calls_shopify_did_not_sign_are_refused(app, client, shop, tamper):
    if tamper == "unsigned":
        url = f"/proxy/protection?shop={SHOP}&timestamp={int(time.time())}"
    elif tamper == "wrong secret":
        url = proxy_url(app, "/proxy/protection", secret="another-apps-secret")
    elif tamper == "expired":
        url = proxy_url(app, "/proxy/protection", timestamp=int(time.time()) - 600)
    else:
        url = proxy_url(app, "/proxy/product", {"product_id": "100"}).replace("product_id=100", "product_id=300")
    response = client.get(url)
    assert response.status_code == 401
    assert response.get_json()["error"]["code"] == "unauthorized"
    assert response.headers["Cache-Control"] == "no-store"
