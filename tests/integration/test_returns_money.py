"""Money exact to the cent (issue 15): on every golden return of the three presets (policy_rules/cases/{ally,
aallyn,novus}, each request with a refund or store-credit return that the policy allows at least in part),
a return opened in the simulated Shopify with the fees Fineprint expresses in Shopify's model (per-line
restocking percentages, a return shipping fee: services/returns/money.py) has Shopify's computed refund equal
to the decision's, and processing it as the decision says refunds the original payment and issues store
credit to the cent. Every document goes through the app's adapter and is validated by the simulator against
the Admin 2026-10 schema."""
from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path

import pytest

from backend.config import Config
from backend.policy import decide, load_policy
from backend.services.returns.money import fee_plan, refund_split
from backend.shopify import returns as adapter
from backend.shopify.admin import AdminClient, RetryPolicy
from backend.shopify.pacing import MemoryThrottleStore
from tests.fakes.simulator import SHOP

CASES_DIR = Path(__file__).resolve().parents[2] / "policy_rules" / "cases"
FAST = RetryPolicy(max_attempts=3, base_delay=0.01, max_delay=0.02, timeout=5.0)


def golden_returns() -> list[Path]:
    found = []
    for preset in ("ally", "aallyn", "novus"):
        for path in sorted((CASES_DIR / preset).glob("*.json")):
            case = json.loads(path.read_text())
            wanted = (case.get("request") or {}).get("return_request")
            if "expect_error" not in case and wanted and wanted.get("resolution") in ("refund", "store_credit"):
                found.append(path)
    return found


CASES = golden_returns()


def test_the_three_presets_have_golden_returns_of_both_kinds():
    kinds = {json.loads(p.read_text())["request"]["return_request"]["resolution"] for p in CASES}
    assert {p.parent.name for p in CASES} == {"ally", "aallyn", "novus"} and kinds == {"refund", "store_credit"}


@pytest.fixture
def admin(simulator):
    token = simulator.install(SHOP)["access_token"]
    return AdminClient(SHOP, lambda shop: token, Config().with_overrides(simulator.app_overrides), retry=FAST,
                       store=MemoryThrottleStore())


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_shopifys_computed_refund_equals_the_decisions_on_a_golden_return(path, simulator, admin):
    from tests.policy.test_golden_cases import DEFAULT_NOW
    from datetime import datetime

    case = json.loads(path.read_text())
    now = datetime.fromisoformat(case["now"]) if "now" in case else DEFAULT_NOW
    request = case["request"]
    engine = decide(load_policy(path.parent.name), request, now)
    outcome = engine["return"]
    resolution = outcome["resolution"]
    asked = request["return_request"]["lines"]
    allowed = [(i, line) for i, line in enumerate(outcome["lines"]) if line["allowed"]]
    if not allowed:
        pytest.skip("the policy refuses every line: nothing is returned, nothing refunded")

    # the order in the simulated shop, as the request describes it, shipped
    spec = request["order"]
    order = simulator.add_order(SHOP, currency=spec.get("currency", "USD"), line_items=[
        {"title": li.get("title", "Item"), "quantity": li["quantity"], "price": li["price"],
         "discount": li.get("discount", "0.00"), "sku": li.get("sku")} for li in spec["line_items"]])
    by_case_id = {li["id"]: sim_li for li, sim_li in zip(spec["line_items"], order.line_items)}
    simulator.fulfill(SHOP, order.id)
    fulfillment = simulator.order(SHOP, order.id).fulfillments[0]
    from devshop.returns import fulfillment_line_id

    # the decision for this return, in the shape services.returns.decide gives it
    decision = {"lines": [{"return_line_gid": i, "allowed": True, "resolution": resolution,
                           "amount": line["amount"], "quantity": asked[i]["quantity"]} for i, line in allowed],
                "fees": [{**fee, "resolution": resolution} for fee in outcome["fees"]],
                "deductions": [{**d, "resolution": resolution} for d in outcome.get("deductions") or []],
                "refund_total": outcome["refund_total"] if resolution == "refund" else "0.00",
                "credit_total": outcome["credit_total"], "bonus_credit": outcome.get("bonus_credit", "0.00")}
    plan = fee_plan(decision)
    lines = [{"fulfillment_line_item_id": "gid://shopify/FulfillmentLineItem/%d" % fulfillment_line_id(
        simulator, simulator.shop(SHOP), fulfillment.id, by_case_id[asked[i]["line_item_id"]].id),
        "quantity": asked[i]["quantity"], "key": i} for i, _ in allowed]
    ret, errors = adapter.write_result(admin.query(*adapter.create_return(
        f"gid://shopify/Order/{order.id}", lines, order.currency, restocking=plan["restocking"],
        shipping_fee=plan["shipping_fee"])))
    assert errors == [] and ret["status"] == "OPEN"

    computed = simulator.return_outcome(SHOP, ret["gid"])
    # what the return is worth: a refund's payment part plus the lines the policy pays as credit (bundles);
    # a store-credit return's credit before its bonus
    worth = Decimal(outcome["refund_total"]) + (Decimal(outcome["credit_total"]) if resolution == "refund" else 0)
    assert computed["total"] == f"{worth:.2f}", (case["description"], computed, outcome)

    # processed as the decision says: the payment part and the store-credit part, each to the cent
    shopify_return = adapter.return_from_graphql(admin.query(adapter.RETURN_QUERY, {"id": ret["gid"]}))
    gids = [ln["gid"] for ln in shopify_return["lines"]]
    for line, gid in zip(decision["lines"], gids):
        line["return_line_gid"] = gid
    split = refund_split(decision)
    _, errors = adapter.write_result(admin.query(*adapter.process_request(
        ret["gid"], split["lines"], order.currency, to_payment=split["to_payment"],
        payment_gid=shopify_return["payments"][0]["gid"], to_store_credit=split["to_store_credit"],
        allow_over_refunding=split["over_refund"])))
    assert errors == []
    refunded = sum((t.amount for t in simulator.order_transactions(SHOP, order.id) if t.kind == "REFUND"),
                   Decimal(0))
    credit = sum((c.amount for c in simulator.store_credit(SHOP) if c.order_id == order.id), Decimal(0))
    if resolution == "refund":
        assert (f"{refunded:.2f}", f"{credit:.2f}") == (outcome["refund_total"], outcome["credit_total"])
    else:
        assert (f"{refunded:.2f}", f"{credit:.2f}") == ("0.00", outcome["credit_total"])
