"""One decision: the same stored order and the same cart, asked of every surface, get the same answer.

Surfaces: the pipeline's write to the (simulated) shop, the admin preview and backtest, the order Decision
API with staff's token and with the order's own customer's token, the cart Decision API, and the
storefront proxy (product badges, the protection offer). Tags, line classes, deadlines, the protection
offer and return fees must be identical; the engine's decision may carry more fields (compared: these).

Runs on SQLite with an in-process consumer and on PostgreSQL with Redis (the `pipeline` fixture). Webhook
bodies are Shopify's published examples carrying the simulator's data; session tokens are built from
Shopify's documented payloads (tests/session_tokens.py).
"""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from backend.policy import RULES_DIR
from backend.services.orders import state as orders
from tests.integration.api_helpers import bearer, checkout_token, customer_account_token, proxy_url, token
from tests.integration.pipeline_helpers import (OUR_TAGS, delivered_event_payload, fulfillment_payload,
                                                order_payload, product_payload)

SHOP = "fineprint-dev.myshopify.com"  # the shop api_helpers signs tokens and proxy calls for
US_CA = {"country_code": "US", "province_code": "CA", "address1": "1 Main St", "city": "Los Angeles", "zip": "90012"}
UPS = [{"title": "UPS Ground", "code": "ups_ground", "price": "0.00", "source": "ups"}]
USPS = [{"title": "USPS Priority", "code": "usps_priority", "price": "0.00", "source": "usps"}]

# (story, products: (title, tags, price), shipping lines, tags every surface must answer)
CASES = [
    ("protection set in Settings", [("Clutch", [], "120.00"), ("Return protection", [], "2.98")], USPS,
     {"return-protection"}),
    ("final sale", [("Mini bag", ["final-sale"], "80.00")], USPS, {"final-sale"}),
    ("credit only", [("Flash clutch", ["flash-sale"], "90.00")], USPS, {"sale-credit-only"}),
    ("signature", [("Tote", [], "295.00")], UPS, {"signature-required"}),
]


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def essentials(decision: dict) -> dict:
    """What every surface must agree on: tags, each line's class and deadlines, the protection offer."""
    return {"tags": sorted(decision["tags"]), "return_deadline": decision["return_deadline"],
            "return_protection": decision["return_protection"],
            "lines": {ln["line_item_id"]: (ln["class"], {k: (r["allowed"], r["deadline"], r["window"])
                                                        for k, r in ln["resolutions"].items()})
                      for ln in decision["lines"]}}


def fees(decision: dict) -> dict:
    ret = decision["return"]
    return {"fees": ret["fees"], "refund_total": ret["refund_total"],
            "lines": [(ln["line_item_id"], ln["allowed"], ln["amount"]) for ln in ret["lines"]]}


def _admin(pipeline, path: str, body: dict):
    response = pipeline.client.post(path, json=body, headers=bearer(token(pipeline.app, SHOP)))
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()


def _stored_order(pipeline, case):
    """The order, created, shipped and delivered through signed webhooks; products known to the catalog
    only through products/create (as in a live shop)."""
    sim = pipeline.sim
    _, products, shipping, _ = case
    made = [sim.add_product(SHOP, title, tags=tags, price=price) for title, tags, price in products]
    for product in made:
        pipeline.send("products/create", product_payload(sim, SHOP, product, "products/create"), shop=SHOP)
    if case[0] == "protection set in Settings":  # the protection product has no tag or SKU of its own
        _admin(pipeline, "/app/api/settings", {"protection_variant_id": str(made[-1].variants[0].id),
                                               "block_po_boxes": True})
    now = datetime.now(timezone.utc)
    order = sim.add_order(SHOP, line_items=[{"variant": p.variants[0]} for p in made], shipping_address=US_CA,
                          shipping_lines=shipping, created_at=iso(now - timedelta(days=5)))
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    ful = sim.fulfill(SHOP, order.id, created_at=iso(now - timedelta(days=4)))
    pipeline.send("fulfillments/create", fulfillment_payload(sim, SHOP, order, ful), shop=SHOP)
    delivered = iso(now - timedelta(days=1))
    sim.mark_delivered(SHOP, order.id, ful.id, delivered)
    pipeline.send("fulfillment_events/create", delivered_event_payload(order, ful, delivered), shop=SHOP)
    pipeline.settle()
    return order, made


def _cart(order, made) -> dict:
    """The same purchase as a checkout extension asks about it: variant, product, quantity, price only."""
    return {"order": {
        "created_at": iso(datetime.now(timezone.utc)), "currency": "USD", "source_name": "web",
        "shipping_address": US_CA, "shipping_lines": [{"title": s["title"]} for s in order.shipping_lines],
        "line_items": [{"id": str(i), "variant_id": f"gid://shopify/ProductVariant/{p.variants[0].id}",
                        "product_id": f"gid://shopify/Product/{p.id}", "quantity": 1, "price": p.variants[0].price}
                       for i, p in enumerate(made)]}}


def _every_return(request: dict, resolution: str = "refund") -> dict:
    """What the admin preview's `return_as` asks: every line back unworn, for a change of mind."""
    lines = [{"line_item_id": str(ln["id"]), "quantity": ln.get("quantity") or 1, "condition": "new",
              "reason": "changed_mind"} for ln in request["order"]["line_items"]]
    return {**request, "return_request": {"resolution": resolution, "lines": lines}}


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_stored_order_gets_one_decision_on_every_surface(pipeline, case):
    pipeline.install(SHOP, "aallyn", "America/Los_Angeles")
    order, _ = _stored_order(pipeline, case)
    client, app, oid = pipeline.client, pipeline.app, str(order.id)

    written = json.loads(pipeline.metafield(SHOP, oid, "decision"))
    assert pipeline.our_tags(SHOP, oid) == case[3] == set(written["tags"])
    assert pipeline.metafield(SHOP, oid, "deadline") == written["return_deadline"]
    assert (written["return_deadline"] is None) == (case[3] == {"final-sale"})  # delivered: a deadline, but
    # a final-sale order has none to give
    expected = essentials(written)

    staff = client.get(f"/api/v1/orders/{oid}/decision", headers=bearer(token(app, SHOP)))
    customer_id = pipeline.state(SHOP, oid).facts["customer"]["id"]
    own = client.get(f"/api/v1/orders/{oid}/decision",
                     headers=bearer(customer_account_token(app, customer_id, shop=SHOP)))
    preview = _admin(pipeline, "/app/api/preview", {"order_id": oid})
    text = (RULES_DIR / "aallyn.toml").read_text()
    backtest = _admin(pipeline, "/app/api/policy/backtest", {"text": text})
    assert staff.status_code == own.status_code == 200, (staff.get_data(as_text=True), own.get_data(as_text=True))
    assert essentials(staff.get_json()) == expected, "order Decision API (staff)"
    assert essentials(own.get_json()) == expected, "order Decision API (the order's customer)"
    assert essentials(preview["decision"]) == expected and set(preview["tags"]) == case[3], "admin preview"
    row = next(r for r in backtest["orders"] if r["order_id"] == oid)
    assert (set(row["tags_after"]), row["deadline_after"], row["changed"]) == (case[3], expected["return_deadline"],
                                                                             False), ("backtest", {k: row[k] for k in ("tags_before", "deadline_before", "tags_after", "deadline_after")})

    request = orders.decision_request(pipeline.state(SHOP, oid))
    asked = client.post("/api/v1/decisions", json=_every_return(request), headers=bearer(checkout_token(app, SHOP)))
    returned = _admin(pipeline, "/app/api/preview", {"order_id": oid, "return_as": "refund"})["decision"]
    assert asked.status_code == 200, asked.get_data(as_text=True)
    assert essentials(asked.get_json()) == expected, "cart Decision API, asked about the stored order"
    assert fees(asked.get_json()) == fees(returned), "return fees: Decision API and admin preview"
    if "return-protection" in case[3]:
        assert returned["return"]["fees"] == []  # aallyn waives its restocking fee for protected orders


@pytest.mark.parametrize("case", CASES, ids=[c[0] for c in CASES])
def test_a_cart_gets_one_decision_on_every_surface(pipeline, case):
    pipeline.install(SHOP, "aallyn", "America/Los_Angeles")
    order, made = _stored_order(pipeline, case)
    client, app = pipeline.client, pipeline.app
    cart = _cart(order, made)

    answer = client.post("/api/v1/decisions", json=cart, headers=bearer(checkout_token(app, SHOP)))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    decision = answer.get_json()
    assert set(decision["tags"]) == case[3], "a cart is tagged as its order will be"
    assert essentials(_admin(pipeline, "/app/api/preview", {"sample": cart})["decision"]) == essentials(decision)

    classes = [ln["class"] for ln in decision["lines"]]
    written = json.loads(pipeline.metafield(SHOP, str(order.id), "decision"))
    assert classes == [ln["class"] for ln in written["lines"]], "the cart's classes are its order's"
    for product, cls in zip(made, classes):
        badge = client.get(proxy_url(app, "/proxy/product", {"product_id": str(product.id)}))
        assert badge.status_code == 200 and badge.get_json()["class"] == cls, (product.title, badge.get_json())
    offer = client.get(proxy_url(app, "/proxy/protection", {"country": "US"})).get_json()
    assert (offer["offered"], offer["price"]) == (decision["return_protection"]["offered"],
                                                 decision["return_protection"]["price"])


def test_without_a_policy_no_surface_decides(pipeline):
    pipeline.install(SHOP, None, "America/Los_Angeles")
    order, made = _stored_order(pipeline, CASES[0])
    client, app, oid = pipeline.client, pipeline.app, str(order.id)

    assert pipeline.our_tags(SHOP, oid) == set() and pipeline.writes(SHOP, oid) == []
    assert {e.write_result for e in pipeline.log(SHOP, oid)} == {"no_policy"}
    staff = client.get(f"/api/v1/orders/{oid}/decision", headers=bearer(token(app, SHOP)))
    cart = client.post("/api/v1/decisions", json=_cart(order, made), headers=bearer(checkout_token(app, SHOP)))
    badge = client.get(proxy_url(app, "/proxy/product", {"product_id": str(made[0].id)}))
    preview = client.post("/app/api/preview", json={"order_id": oid}, headers=bearer(token(app, SHOP)))
    assert [r.status_code for r in (staff, cart, badge)] == [409, 409, 409]
    assert {r.get_json()["error"]["code"] for r in (staff, cart, badge)} == {"no_active_policy"}
    assert preview.status_code == 422 and preview.get_json()["error"]["code"] == "no_policy"
