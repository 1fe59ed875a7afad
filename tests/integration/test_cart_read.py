"""The Decision API reads a cart's inputs in one statement (issue 19: `read_cart_context`, the shop row, its
settings and the named variants with their products); every cart must get exactly the input the general recipe
(`context_for_cart` on a connection) builds, whether the one statement covers it or the general recipe takes over,
and the shop's rows as they are at that moment (nothing cached)."""
from __future__ import annotations

import copy

import pytest
from sqlalchemy import delete

from backend.services.admin import settings
from backend.store.models import CatalogProduct
from backend.services.decisions.context import NoActivePolicy, context_for_cart, read_cart_context
from tests.integration.api_helpers import OTHER_SHOP, SHOP, seed_product, seed_shop

LINES = {
    "variant": {"variant_id": "1001", "quantity": 1, "price": "40.00"},
    "variant_with_compare_at": {"variant_id": "2001", "quantity": 2, "price": "25.00"},
    "gift_card_variant": {"variant_id": "4001", "quantity": 1, "price": "50.00"},
    "product_only": {"product_id": "300", "quantity": 1, "price": "295.00"},
    "variant_and_another_product": {"variant_id": "1001", "product_id": "200", "quantity": 1, "price": "40.00"},
    "unknown_variant": {"variant_id": "9001", "quantity": 1, "price": "10.00"},
    "unknown_product": {"product_id": "900", "quantity": 1, "price": "10.00"},
    "variant_of_a_product_the_mirror_lacks": {"variant_id": "6001", "quantity": 1, "price": "10.00"},
    "no_ids": {"quantity": 1, "price": "5.00"},
    "own_facts": {"variant_id": "1001", "quantity": 1, "price": "40.00", "product_type": "Gifts",
                  "product_tags": ["gift"], "compare_at_price": None},
}
# what the one statement covers (a shop without a token fetches nothing): no second read for these
COVERED = {"variant", "variant_with_compare_at", "gift_card_variant", "unknown_variant", "no_ids", "own_facts"}
CARTS = [[name] for name in LINES] + [["variant", "variant_with_compare_at", "product_only"],
                                      ["variant", "unknown_variant", "no_ids"], []]


@pytest.fixture
def shop(app):
    seed_shop(app)
    seed_shop(app, OTHER_SHOP)
    seed_product(app, 100, tags=["final-sale"], variants=[(1001, "40.00", None, "TEE-1")])
    seed_product(app, 200, tags=["flash-sale"], variants=[(2001, "25.00", "35.00", "CAP-1")])
    seed_product(app, 300, product_type="Handbags", variants=[(3001, "295.00", None, "BAG-1")])
    seed_product(app, 400, product_type="Gift Cards", gift_card=True, variants=[(4001, "50.00", None, "GC-1")])
    seed_product(app, 100, shop=OTHER_SHOP, tags=["other-shop"], variants=[(1001, "40.00", None, "X-1")])
    seed_product(app, 600, variants=[(6001, "10.00", None, "V-1")])
    with app.extensions["fineprint.db"].session() as s:  # the variant stays mirrored, its product is gone
        s.execute(delete(CatalogProduct).where(CatalogProduct.shop_domain == SHOP, CatalogProduct.product_id == "600"))
    return SHOP


def _request(names) -> dict:
    return {"order": {"currency": "USD", "created_at": "2024-11-20T09:30:00-08:00",
                      "shipping_address": {"country_code": "US"},
                      "line_items": [{**copy.deepcopy(LINES[n]), "id": str(i)} for i, n in enumerate(names)]}}


@pytest.mark.parametrize("names", CARTS, ids=lambda names: "+".join(names) or "empty")
def test_one_statement_gives_every_cart_the_general_recipes_input(app, shop, names, monkeypatch):
    db = app.extensions["fineprint.db"]
    with app.app_context():
        with monkeypatch.context() as patch:
            if set(names) <= COVERED:  # the one statement is all it reads
                patch.setattr(db, "read", lambda work: pytest.fail("a covered cart took the general recipe"))
            fast = read_cart_context(db, SHOP, _request(names), may_fetch=True)
        general = db.read(lambda conn: context_for_cart(conn, SHOP, _request(names), may_fetch=True))
    assert fast.request == general.request
    assert fast.config == general.config and fast.policy is general.policy


def test_the_shops_settings_and_catalog_are_read_as_they_are_now(app, shop):
    db = app.extensions["fineprint.db"]
    with app.app_context():
        first = read_cart_context(db, SHOP, _request(["variant"]))
        settings.save(db, SHOP, {"protection_variant_id": "1001"}, user="staff")
        seed_product(app, 100, tags=[], product_type="Tees", variants=[(1001, "40.00", "45.00", "TEE-1")])
        second = read_cart_context(db, SHOP, _request(["variant"]))
    assert first.request["order"]["line_items"][0]["product_tags"] == ["final-sale"]
    line = second.request["order"]["line_items"][0]
    assert (line["product_type"], line["compare_at_price"]) == ("Tees", "45.00")
    assert second.config.protection_variant_id == "1001" and settings.PROTECTION_TAG in line["product_tags"]


def test_an_unknown_shop_has_no_active_policy(app, shop):
    with app.app_context(), pytest.raises(NoActivePolicy):
        read_cart_context(app.extensions["fineprint.db"], "nobody.myshopify.com", _request(["variant"]))
