"""A return's exchange lines (`Return.exchangeLineItems`, Admin 2026-10) are read into its decision (issue 15):
decided as an exchange, with the policy's exchange scope — another size of the same product is `same_style`,
a different product `other_item` — and shown in the admin page. The policy is tentree's example
(policy_rules/examples/tentree.toml): "Every return pays a $10 return label fee; it is waived when you exchange
for another colour or size of the same style." The returns are opened in the simulated shop with `returnCreate`
and `exchangeLineItems` through the app's own document, read back with the app's RETURN_QUERY (both validated
against the 2026-10 schema by the simulator); on SQLite and PostgreSQL."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path

from backend.services.admin import returns_view
from backend.services.returns import apply as return_apply
from backend.shopify import returns as wire
from backend.shopify import shopper_returns
from backend.store.models import ReturnRecord
from tests.integration.pipeline_helpers import delivered_event_payload, fulfillment_payload, order_payload
from tests.integration.pipeline_helpers import pipeline  # noqa: F401  (the running app and worker)
from tests.integration.test_returns_decided import SHOP, US_CA, Shop, days_ago, iso

TENTREE = str(Path(__file__).resolve().parents[2] / "policy_rules" / "examples" / "tentree.toml")
LABEL_TEXT = "Every return pays a $10 return label fee"


def _bought(shop: Shop):
    sim = shop.sim
    tee = sim.add_product(SHOP, "Juniper Tee", price="40.00",
                          variants=[{"title": f"Size {s}", "price": "40.00", "sku": f"JT-{s}"} for s in ("S", "M")])
    hoodie = sim.add_product(SHOP, "Cedar Hoodie", price="40.00", sku="CH-M")
    order = sim.add_order(SHOP, line_items=[{"variant": tee.variants[0]}], created_at=iso(days_ago(8)),
                          shipping_address=US_CA, email="shopper@example.com")
    shop.p.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    delivered = days_ago(5)
    ful = sim.fulfill(SHOP, order.id, created_at=iso(delivered - timedelta(days=2)), delivered_at=iso(delivered))
    shop.p.send("fulfillments/create", fulfillment_payload(sim, SHOP, order, ful), shop=SHOP)
    shop.p.send("fulfillment_events/create", delivered_event_payload(order, ful, iso(delivered)), shop=SHOP)
    shop.p.settle()
    return order, tee.variants[1], hoodie.variants[0]


def _exchange(shop: Shop, order, variant) -> dict:
    """Open an exchange of the order's line for `variant` in Shopify and decide it as the worker does."""
    app = shop.p.app
    with app.app_context():
        admin = return_apply._admin(app, SHOP)
        found = shopper_returns.returnable_from(admin.graphql(shopper_returns.RETURNABLE_QUERY,
                                                              {"orderId": f"gid://shopify/Order/{order.id}"}))
        ((ful_line, _),) = found[str(order.line_items[0].id)]
        data = admin.graphql(wire.CREATE_MUTATION, {"returnInput": {
            "orderId": f"gid://shopify/Order/{order.id}", "notifyCustomer": False,
            "returnLineItems": [{"fulfillmentLineItemId": ful_line, "quantity": 1}],
            "exchangeLineItems": [{"variantId": f"gid://shopify/ProductVariant/{variant.id}", "quantity": 1}]}})
        created, errors = wire.write_result(data)
        assert not errors and created, errors
        ret = return_apply.read_return(admin, created["gid"])
    with shop.p.db.session() as s:
        row = ReturnRecord(shop_domain=SHOP, return_id=ret["id"], order_id=str(order.id), status="open")
        s.add(row)
        s.flush()
        s.expunge(row)
    return return_apply.decide_stored(app, SHOP, row, ret, datetime.now(timezone.utc))


def test_an_exchange_for_another_size_is_same_style_and_pays_no_label_fee(pipeline):  # noqa: F811
    shop = Shop(pipeline, mode="recommend", policy=TENTREE)
    order, size_m, _ = _bought(shop)
    decision = _exchange(shop, order, size_m)
    assert decision["verdict"] == "approve"
    assert decision["exchange"]["scope"] == "same_style"
    assert [(x["title"], x["variant_title"], x["quantity"]) for x in decision["exchange"]["lines"]] == [
        ("Juniper Tee", "Size M", 1)]
    assert [ln["resolution"] for ln in decision["lines"]] == ["exchange"] and decision["fees"] == []
    assert decision["engine"]["return"]["resolution"] == "exchange"


def test_an_exchange_for_a_different_item_is_other_item_pays_the_label_fee_and_shows_in_the_admin_page(
        pipeline):  # noqa: F811
    shop = Shop(pipeline, mode="recommend", policy=TENTREE)
    order, _, hoodie = _bought(shop)
    decision = _exchange(shop, order, hoodie)
    assert decision["exchange"]["scope"] == "other_item"
    assert [(f["kind"], f["amount"], f["resolution"]) for f in decision["fees"]] == [("label", "10.00", "exchange")]
    assert decision["credit_total"] == "0.00" and decision["bonus_credit"] == "0.00"
    with pipeline.app.app_context():
        (row,) = returns_view.context(pipeline.app, SHOP)["returns"]
        assert row["exchange"]["scope"] == "other_item"
    page = pipeline.app.jinja_env.get_template("admin/_returns.html").render(
        returns=[row], returns_modes=("recommend",), returns_mode={"mode": "recommend"}, returns_statuses=(),
        returns_verdicts=(), returns_counts={}, returns_filter={}, return_activity=[])
    assert "exchange (a different item) for:" in page and "Cedar Hoodie" in page
