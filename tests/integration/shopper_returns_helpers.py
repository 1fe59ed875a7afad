"""A shopper's order on the simulator and in Fineprint's store, for the self-serve return stories (issue 16).

The policy is ALLY's (policy_rules/ally.toml: 14 days from delivery; items tagged "final-sale" cannot be
returned). The order is customer 77's: two pairs of the Court Sneaker (sizes 8, 9, 10 at the same price,
another size at 20.00 more), a tote bag, and a final-sale sample; delivered two days ago.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from tests.integration.api_helpers import SHOP, seed_order, seed_shop

CUSTOMER = 77


@dataclass
class ShopperOrder:
    order: object
    sneaker: object      # the line of the sneakers (size 8, two pairs)
    tote: object
    sample: object       # final sale
    size_9: str          # variant GIDs
    size_10: str
    size_11: str         # dearer: not an exchange the policy page offers


def shopper_order(app, simulator, customer=CUSTOMER) -> ShopperOrder:
    token = simulator.install(SHOP)["access_token"]
    seed_shop(app, policy="ally", access_token=token)
    sneaker = simulator.add_product(SHOP, "Court Sneaker", product_type="Sneakers", variants=[
        {"title": f"Size {n}", "price": "150.00" if n < 11 else "170.00", "sku": f"CS-{n}"} for n in (8, 9, 10, 11)])
    tote = simulator.add_product(SHOP, "Tote", product_type="Bags", price="80.00")
    sample = simulator.add_product(SHOP, "Sample Loafer", product_type="Shoes", tags=["final-sale"], price="60.00")
    delivered = datetime.now(timezone.utc) - timedelta(days=2)
    created = delivered - timedelta(days=3)
    order = simulator.add_order(SHOP, line_items=[
        {"variant": sneaker.variants[0], "quantity": 2}, {"variant": tote.variants[0]},
        {"variant": sample.variants[0]}], created_at=created.isoformat().replace("+00:00", "Z"))
    simulator.fulfill(SHOP, order.id, delivered_at=delivered.isoformat().replace("+00:00", "Z"))
    lines = order.line_items
    tags = {sample.id: ["final-sale"]}
    seed_order(app, order.id, [
        {"id": str(li.id), "title": li.title, "quantity": li.quantity, "price": li.price, "discount": "0.00",
         "product_id": str(li.product_id), "variant_id": str(li.variant_id), "product_type": "",
         "product_tags": tags.get(li.product_id, []), "compare_at_price": None, "gift_card": False,
         "properties": {}} for li in lines],
        created_at=created.isoformat(), delivered_at=delivered.isoformat(), customer_id=str(customer))
    variant = lambda v: f"gid://shopify/ProductVariant/{v.id}"  # noqa: E731
    return ShopperOrder(order, lines[0], lines[1], lines[2], variant(sneaker.variants[1]),
                        variant(sneaker.variants[2]), variant(sneaker.variants[3]))
