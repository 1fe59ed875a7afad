"""A shopper starts a return or an exchange from their order page (issue 16), through the endpoints the
customer-account extension calls, against the simulator (every Admin document validated against 2026-10).

Stories: the options list each line with its deadline and resolutions, a final-sale line with the policy's
sentence; the preview is the one decision's; submitting makes exactly one `returnRequest` (store credit) and
one `returnCreate` with `exchangeLineItems` (another size); exchanges the policy does not offer, lines it
refuses, guests, other customers and other shops are refused and nothing reaches Shopify.
"""
from __future__ import annotations

from pathlib import Path

import pytest

from backend.routes.openapi_returns import PATHS
from tests.integration.api_helpers import bearer, customer_account_token, seed_order, seed_shop, token
from tests.integration.shopper_returns_helpers import CUSTOMER, shopper_order

ROOT = Path(__file__).resolve().parents[2]
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")


@pytest.fixture
def app_config(app_config, simulator):
    app_config.update(simulator.app_overrides)
    return app_config


@pytest.fixture
def bought(app, simulator):
    return shopper_order(app, simulator)


def _auth(app, customer=CUSTOMER):
    return bearer(customer_account_token(app, customer))


def _reason(client, app, order, handle):
    options = client.get(f"/api/v1/orders/{order.id}/return-options", headers=_auth(app)).get_json()
    return next(r["id"] for r in options["reasons"] if r["handle"] == handle)


def _writes(simulator):
    return [c for c in simulator.calls("graphql") if c.operation in ("FineprintShopperReturnRequest",
                                                                     "FineprintReturnCreate")]


def test_the_options_list_each_line_with_its_deadline_and_a_final_sale_line_says_why(app, client, bought):
    answer = client.get(f"/api/v1/orders/{bought.order.id}/return-options", headers=_auth(app))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    body = answer.get_json()
    lines = {ln["line_item_id"]: ln for ln in body["lines"]}
    sneaker, sample = lines[str(bought.sneaker.id)], lines[str(bought.sample.id)]
    assert sneaker["returnable"] and sneaker["quantity"] == 2 and sneaker["title"] == "Court Sneaker"
    assert set(sneaker["resolutions"]) == {"refund", "store_credit", "exchange"} and sneaker["deadline"]
    assert [v["title"] for v in sneaker["exchange_variants"]] == ["Size 9", "Size 10"]  # same price only
    assert not sample["returnable"] and sample["resolutions"] == {}
    assert any("final sale" in w["text"] for w in sample["why_not"])
    assert {"size-too-small", "defective"} <= {r["handle"] for r in body["reasons"]}
    assert body["conditions"][:3] == ["new", "worn", "damaged"] and body["currency"] == "USD"


def test_the_preview_sums_the_decisions_of_each_resolution(app, client, bought):
    reason = _reason(client, app, bought.order, "size-too-small")
    picks = {"lines": [
        {"line_item_id": str(bought.tote.id), "quantity": 1, "resolution": "store_credit", "condition": "new",
         "reason_definition_id": reason},
        {"line_item_id": str(bought.sneaker.id), "quantity": 1, "resolution": "exchange", "condition": "new",
         "reason_definition_id": reason, "exchange_variant_id": bought.size_9}]}
    answer = client.post(f"/api/v1/orders/{bought.order.id}/return-preview", json=picks, headers=_auth(app))
    assert answer.status_code == 200, answer.get_data(as_text=True)
    preview = answer.get_json()
    assert preview["allowed"] and set(preview["groups"]) == {"store_credit", "exchange"}
    assert preview["credit_total"] == preview["groups"]["store_credit"]["credit_total"] == "80.00"
    assert preview["fees"] == [] and preview["bonus_credit"] == "0.00"  # ALLY charges no fee on new items
    assert [ln["amount"] for ln in preview["lines"]] == ["80.00", "150.00"]
    assert preview["refund_total"] == "0.00"


def test_store_credit_and_an_exchange_become_exactly_a_return_request_and_a_return_with_exchange_lines(
        app, client, simulator, bought):
    reason = _reason(client, app, bought.order, "size-too-small")
    simulator.clear_calls()
    picks = {"lines": [
        {"line_item_id": str(bought.tote.id), "quantity": 1, "resolution": "store_credit", "condition": "new",
         "reason_definition_id": reason},
        {"line_item_id": str(bought.sneaker.id), "quantity": 1, "resolution": "exchange", "condition": "new",
         "reason_definition_id": reason, "exchange_variant_id": bought.size_10}]}
    answer = client.post(f"/api/v1/orders/{bought.order.id}/returns", json=picks, headers=_auth(app))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    created = answer.get_json()["returns"]
    assert [(r["resolution"], r["status"]) for r in created] == [("store_credit", "REQUESTED"), ("exchange", "OPEN")]
    request, create = _writes(simulator)
    assert request.operation == "FineprintShopperReturnRequest" and create.operation == "FineprintReturnCreate"
    (line,) = request.variables["input"]["returnLineItems"]
    assert line["quantity"] == 1 and line["returnReasonDefinitionId"] == reason
    assert "store credit" in line["customerNote"]
    assert create.variables["returnInput"]["exchangeLineItems"] == [{"variantId": bought.size_10, "quantity": 1}]
    exchange = simulator.get_return(SHOP_OF(simulator), created[1]["id"].rsplit("/", 1)[1])
    assert [(x.variant_title, x.quantity) for x in exchange.exchanges] == [("Size 10", 1)]
    assert [(ln.line_item_id, ln.quantity) for ln in exchange.lines] == [(bought.sneaker.id, 1)]


def SHOP_OF(simulator):  # noqa: N802 - the one shop the fixture knows
    return next(iter(simulator.shops))


@pytest.mark.parametrize("change, field", [
    ({"line": "sample", "resolution": "refund"}, "lines[0]"),
    ({"line": "sneaker", "resolution": "exchange", "variant": "size_11"}, "lines[0].exchange_variant_id"),
])
def test_what_the_policy_does_not_offer_is_refused_and_nothing_reaches_shopify(app, client, simulator, bought,
                                                                               change, field):
    pick = {"line_item_id": str(getattr(bought, change["line"]).id), "quantity": 1,
            "resolution": change["resolution"], "condition": "new"}
    if "variant" in change:
        pick["exchange_variant_id"] = getattr(bought, change["variant"])
    answer = client.post(f"/api/v1/orders/{bought.order.id}/returns", json={"lines": [pick]}, headers=_auth(app))
    assert answer.status_code == 422, answer.get_data(as_text=True)
    assert answer.get_json()["error"]["details"][0]["field"] == field
    assert _writes(simulator) == []


def test_a_guest_is_asked_to_sign_in_and_another_customer_sees_nothing(app, client, simulator, bought):
    path = f"/api/v1/orders/{bought.order.id}"
    guest = client.get(f"{path}/return-options", headers=bearer(customer_account_token(app)))
    assert guest.status_code == 403 and guest.get_json()["error"]["code"] == "customer_login_required"
    other = client.get(f"{path}/return-options", headers=_auth(app, 78))
    assert other.status_code == 404
    pick = {"lines": [{"line_item_id": str(bought.tote.id), "resolution": "refund"}]}
    assert client.post(f"{path}/returns", json=pick, headers=_auth(app, 78)).status_code == 404
    staff = client.post(f"{path}/returns", json=pick, headers=bearer(token(app)))
    assert staff.status_code == 403 and staff.get_json()["error"]["code"] == "customer_only"
    assert _writes(simulator) == []


def test_bad_picks_are_field_errors(app, client, bought):
    body = {"lines": [{"line_item_id": "999", "quantity": 0, "resolution": "swap"}]}
    answer = client.post(f"/api/v1/orders/{bought.order.id}/return-preview", json=body, headers=_auth(app))
    assert answer.status_code == 422
    fields = {d["field"] for d in answer.get_json()["error"]["details"]}
    assert fields == {"lines[0].line_item_id", "lines[0].quantity", "lines[0].resolution"}


def test_every_documented_status_of_the_return_paths_is_reached(app, client, bought):
    """Each status routes/openapi_returns.py documents, by a request that must produce it."""
    line = {"id": "1", "quantity": 1, "price": "10.00", "product_tags": []}
    for order_id, shop, policy in ((4001, "no-policy.myshopify.com", None), (4002, "no-token.myshopify.com", "ally")):
        seed_shop(app, shop, policy=policy)
        seed_order(app, order_id, [dict(line)], shop=shop, customer_id=str(CUSTOMER))
    me, guest, staff = _auth(app), bearer(customer_account_token(app)), bearer(token(app))
    no_policy = bearer(customer_account_token(app, CUSTOMER, shop="no-policy.myshopify.com"))
    no_token = bearer(customer_account_token(app, CUSTOMER, shop="no-token.myshopify.com"))
    mine, unpolicied, unreachable = (f"/api/v1/orders/{n}" for n in (bought.order.id, 4001, 4002))
    tote = {"lines": [{"line_item_id": str(bought.tote.id), "resolution": "refund", "condition": "new"}]}
    sample = {"lines": [{"line_item_id": str(bought.sample.id), "resolution": "refund"}]}
    big = {"lines": [], "pad": "x" * 1_100_000}
    recipes = {}
    for path, verb, ok, body in (("return-options", "get", "200", None), ("return-preview", "post", "200", tote),
                                 ("returns", "post", "201", tote)):
        key = f"/api/v1/orders/{{order_id}}/{path}"
        recipes.update({
            (key, verb, ok): (verb, f"{mine}/{path}", me, body), (key, verb, "401"): (verb, f"{mine}/{path}", {}, body),
            (key, verb, "403"): (verb, f"{mine}/{path}", guest, body),
            (key, verb, "404"): (verb, f"/api/v1/orders/1/{path}", me, body),
            (key, verb, "409"): (verb, f"{unpolicied}/{path}", no_policy, body),
            (key, verb, "503"): (verb, f"{unreachable}/{path}", no_token, body),
            (key, "options", "204"): ("options", f"{mine}/{path}", {}, None)})
        if verb == "post":
            recipes[(key, verb, "413")] = (verb, f"{mine}/{path}", me, big)
            recipes[(key, verb, "422")] = (verb, f"{mine}/{path}", me, sample if path == "returns" else {"lines": []})
    documented = {(p, m, s) for p, item in PATHS.items() for m, op in item.items() if m != "parameters"
                  for s in op["responses"]}
    assert set(recipes) == documented
    ordered = sorted(recipes.items(), key=lambda kv: kv[0][2] in ("200", "201"))  # the return last: it is created
    for (path, method, status), (verb, url, headers, body) in ordered:
        response = client.open(url, method=verb.upper(), headers=headers, json=body)
        assert response.status_code == int(status), (path, method, status, response.get_data(as_text=True))
        assert response.headers["Access-Control-Allow-Origin"] == "*"
    staff_start = client.post(f"{mine}/returns", json=tote, headers=staff)
    assert staff_start.status_code == 403 and staff_start.get_json()["error"]["code"] == "customer_only"


def test_the_policys_fees_reach_shopify_so_that_shopify_computes_the_same_money(app, client, simulator, bought):
    """ALLY: a refund pays the $12.99 handling fee (a return shipping fee on Shopify's return); a worn pair sent
    back for store credit pays 30% restocking (a per-line restocking percentage)."""
    picks = {"lines": [
        {"line_item_id": str(bought.tote.id), "quantity": 1, "resolution": "refund", "condition": "new"},
        {"line_item_id": str(bought.sneaker.id), "quantity": 1, "resolution": "store_credit", "condition": "worn"}]}
    preview = client.post(f"/api/v1/orders/{bought.order.id}/return-preview", json=picks, headers=_auth(app))
    outcome = preview.get_json()
    assert (outcome["refund_total"], outcome["credit_total"]) == ("67.01", "105.00")
    assert sorted((f["kind"], f["amount"]) for f in outcome["fees"]) == [("handling", "12.99"), ("restocking", "45.00")]
    answer = client.post(f"/api/v1/orders/{bought.order.id}/returns", json=picks, headers=_auth(app))
    assert answer.status_code == 201, answer.get_data(as_text=True)
    refund, credit = (simulator.get_return(SHOP_OF(simulator), r["id"].rsplit("/", 1)[1])
                      for r in answer.get_json()["returns"])
    assert str(refund.shipping_fee) == "12.99" and refund.lines[0].restocking_fee() == 0
    assert credit.shipping_fee is None and str(credit.lines[0].restocking_fee()) == "45.00"


def test_units_already_in_a_return_are_not_asked_for_again_and_nothing_is_sent(app, client, simulator, bought):
    """One of the two pairs is already on its way back (a return the shopper asked Shopify for earlier): the
    two pairs picked under two resolutions are refused before any write, not half-created."""
    simulator.request_return(SHOP_OF(simulator), bought.order.id, [{"line_item_id": bought.sneaker.id, "quantity": 1}])
    options = client.get(f"/api/v1/orders/{bought.order.id}/return-options", headers=_auth(app)).get_json()
    assert next(ln for ln in options["lines"] if ln["line_item_id"] == str(bought.sneaker.id))["quantity"] == 1
    simulator.clear_calls()
    picks = {"lines": [{"line_item_id": str(bought.sneaker.id), "resolution": r, "condition": "new"}
                       for r in ("refund", "store_credit")]}
    answer = client.post(f"/api/v1/orders/{bought.order.id}/returns", json=picks, headers=_auth(app))
    assert answer.status_code == 422
    assert "more units than Shopify can still take back" in answer.get_json()["error"]["message"]
    assert _writes(simulator) == []


def test_a_policy_of_one_exchange_per_order_counts_the_exchanges_shopify_already_has(app, client, bought):
    """ECHT (policy_rules/examples/echt.toml): "An order can be exchanged once; after that, anything sent back is
    turned into store credit at 100%." The first exchange goes through; the second pair cannot be exchanged, and
    its store credit comes without the 110% bonus."""
    from sqlmodel import select
    from backend.store.models import Shop

    with app.extensions["fineprint.db"].session() as s:
        s.exec(select(Shop)).first().active_policy = str(ROOT / "policy_rules" / "examples" / "echt.toml")
    path, size = f"/api/v1/orders/{bought.order.id}", bought.size_9
    exchange = {"lines": [{"line_item_id": str(bought.sneaker.id), "resolution": "exchange",
                           "exchange_variant_id": size}]}
    first = client.post(f"{path}/returns", json=exchange, headers=_auth(app))
    assert first.status_code == 201, first.get_data(as_text=True)
    again = client.post(f"{path}/return-preview", json=exchange, headers=_auth(app)).get_json()
    assert not again["allowed"]
    assert any("exchanged once" in r["text"] for r in again["lines"][0]["reasons"])
    options = client.get(f"{path}/return-options", headers=_auth(app)).get_json()  # not offered any more
    sneaker = next(ln for ln in options["lines"] if ln["line_item_id"] == str(bought.sneaker.id))
    assert "exchange" not in sneaker["resolutions"] and "store_credit" in sneaker["resolutions"]
    credit = {"lines": [{"line_item_id": str(bought.sneaker.id), "resolution": "store_credit"}]}
    outcome = client.post(f"{path}/return-preview", json=credit, headers=_auth(app)).get_json()
    # 150.00 of credit without the bonus, less ECHT's flat 15.00 US return fee per order: the exchange did not
    # pay it (it is charged on refunds and store credit only), so this first credit return of the order does
    assert outcome["allowed"] and (outcome["bonus_credit"], outcome["credit_total"]) == ("0.00", "135.00")
    assert [(f["kind"], f["amount"]) for f in outcome["fees"]] == [("return_shipping", "15.00")]


def test_a_line_whose_units_are_all_in_a_return_says_so_and_cannot_be_picked(app, client, simulator, bought):
    simulator.request_return(SHOP_OF(simulator), bought.order.id, [{"line_item_id": bought.tote.id, "quantity": 1}])
    options = client.get(f"/api/v1/orders/{bought.order.id}/return-options", headers=_auth(app)).get_json()
    tote = next(ln for ln in options["lines"] if ln["line_item_id"] == str(bought.tote.id))
    assert not tote["returnable"] and tote["quantity"] == 0
    assert [w["text"] for w in tote["why_not"]] == ["Every unit of this item is already in a return, or has not "
                                                    "shipped yet."]
