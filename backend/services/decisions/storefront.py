"""What the theme app extension shows (via the app proxy), decided by the same engine as enforcement.

    product_badge(shop, product_id, now, variant_id=None, country=None)
        -> {"product_id", "class", "window", "return_protection"}    404 unknown product
    protection_offer(shop, now, country=None) -> {"offered", "price", "currency", "variant_id"}
    policy_page(shop, now) -> {"markdown", "html"}

A product's badge is the decision for a one-line cart of that product (the given variant, else its first
variant, at its current price) shipped to `country` (default: the policy's home country), so the badge
never drifts from what the order will be tagged with: it goes through the same recipe as every other
surface (`decision_context`: catalog facts, the shop's settings overlay, the active policy). `window` is
the longest window among the resolutions the line allows; null when none (final sale, external, protection).
"""
from __future__ import annotations

from datetime import datetime

from flask import current_app

from backend.errors import NotFound
from backend.services.orders import catalog
from backend.services.decisions import policy_page as policy_pages
from backend.services.decisions.cart_facts import fill_from_catalog
from backend.services.decisions.context import context_for_cart, shop_policy
from backend.services.decisions.shopper import run_engine
from backend.store import decision_inputs


def home_country(policy) -> str:
    ship_by = policy.shipping.ship_by if policy.shipping is not None else None
    if ship_by is not None and ship_by.country:
        return ship_by.country
    return policy.sales_tax.country if policy.sales_tax is not None else "US"


def _cart(policy, now: datetime, country: str | None, lines: list[dict]) -> dict:
    return {"as_of": now.isoformat(), "order": {
        "created_at": now.isoformat(), "currency": policy.currency, "source_name": "web",
        "shipping_address": {"country_code": country or home_country(policy)},
        "line_items": lines}}


def _protection(decision: dict, policy) -> dict:
    offer = decision["return_protection"]
    return {"offered": offer["offered"], "price": offer["price"], "currency": policy.currency}


def _longest_window(line: dict) -> dict | None:
    windows = [r["window"] for r in line["resolutions"].values() if r.get("allowed") and r.get("window")]
    return max(windows, key=lambda w: w["days"]) if windows else None


def product_badge(shop: str, product_id: str, now: datetime, variant_id: str | None = None,
                  country: str | None = None) -> dict:
    db = current_app.extensions["fineprint.db"]
    with db.session() as s:
        policy, may_fetch = shop_policy(s, shop)
        fill_from_catalog(s, shop, [{"id": "1", "product_id": product_id}], may_fetch)  # reads it if never seen
        known = catalog.unknown_products(s, shop, [{"product_id": product_id}]) == []
        variant = decision_inputs.product_variant(s, shop, product_id, variant_id)
        if not known or (variant_id and variant is None):
            raise NotFound("no such product in this shop's catalog", code="unknown_product")
        line = {"id": "1", "product_id": product_id, "quantity": 1, "price": "0.00"}
        if variant is not None:
            line.update(variant_id=variant.variant_id, sku=variant.sku, price=variant.price or "0.00",
                        compare_at_price=variant.compare_at_price)
        context = context_for_cart(s, shop, _cart(policy, now, country, [line]), policy=policy)
    decision = run_engine(context, now)
    out = decision["lines"][0]
    return {"product_id": product_id, "class": out["class"], "window": _longest_window(out),
            "return_protection": _protection(decision, policy)}


def protection_offer(shop: str, now: datetime, country: str | None = None) -> dict:
    """The cart toggle's offer, with the variant it adds: the one set in the admin page's Settings (the theme
    has no setting of its own, so the cart, the checkout and the orders' tags agree on one variant)."""
    with current_app.extensions["fineprint.db"].session() as s:
        policy = shop_policy(s, shop)[0]
        context = context_for_cart(s, shop, _cart(policy, now, country, []), policy=policy)
    return {**_protection(run_engine(context, now), policy), "variant_id": context.config.protection_variant_id}


def policy_page(shop: str, now: datetime) -> dict:
    with current_app.extensions["fineprint.db"].session() as s:
        policy = shop_policy(s, shop)[0]
    return policy_pages.page(policy, now)
