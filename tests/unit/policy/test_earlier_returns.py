"""Issue 14: a return decided with what the order's earlier returns did (`return_request.earlier_returns`):
fees charged once per order (`per = "order"`), bundle shares (`outcome = "split"`, BOGO), and gift
thresholds counted by units rather than money ("2+1")."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from backend.policy import PolicyError, RequestError, decide, load_policy_text, render_policy

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
HEAD = '''[policy]
name = "x"
title = "X"
timezone = "America/New_York"
currency = "USD"

[[rules]]
id = "w"
title = "W"
text = "Returns within 30 days of delivery."
windows = { refund = { days = 30, from = "delivery" }, store_credit = { days = 30, from = "delivery" } }
'''
PER_ORDER = HEAD + '''
[[fees]]
id = "label"
title = "$10 label fee per order"
text = "Returns by mail cost $10 per order, however many returns you make."
kind = "label"
amount = "10.00"
per = "order"

[[fees]]
id = "handling"
title = "$2 handling per return"
text = "Every return costs $2 handling."
kind = "handling"
amount = "2.00"
'''
SPLIT = HEAD + '''
[[bundles]]
id = "bogo"
title = "BOGO"
text = "Each item of a BOGO pair is worth half what the pair cost."
members_when = { product_tag = ["bogo"] }
gift_when = { product_tag = ["bogo-free"] }
outcome = "split"
'''
TWO_PLUS_ONE = HEAD + '''
[[bundles]]
id = "two-plus-one"
title = "2+1"
text = "Keep two paid items or return the free one."
members_when = { product_tag = ["paid"] }
gift_when = { product_tag = ["free"] }
threshold_items = 2
outcome = "deduct"
'''


def line(ident: str, price: str, tags=(), quantity: int = 1, compare_at=None) -> dict:
    return {"id": ident, "product_tags": list(tags), "quantity": quantity, "price": price, "discount": "0.00",
            "compare_at_price": compare_at}


def request(lines: list, returned: list, earlier: dict | None = None, resolution: str = "refund") -> dict:
    ret = {"resolution": resolution, "lines": [{"line_item_id": i, "quantity": q} for i, q in returned]}
    if earlier is not None:
        ret["earlier_returns"] = earlier
    return {"as_of": "2025-03-10T12:00:00-04:00", "order": {
        "id": "1", "created_at": "2025-03-01T12:00:00-05:00", "currency": "USD", "line_items": copy.deepcopy(lines),
        "fulfillments": [{"shipped_at": "2025-03-02T10:00:00-05:00", "delivered_at": "2025-03-04T15:00:00-05:00"}]},
        "return_request": ret}


def fees(got: dict) -> dict:
    return {f["kind"]: f["amount"] for f in got["fees"]}


ITEMS = [line("1", "50.00"), line("2", "30.00")]


def test_a_per_order_fee_is_charged_on_the_first_return_once_however_many_lines():
    got = decide(load_policy_text(PER_ORDER), request(ITEMS, [("1", 1), ("2", 1)]), NOW)["return"]
    assert fees(got) == {"label": "10.00", "handling": "2.00"} and got["refund_total"] == "68.00"


def test_a_per_order_fee_an_earlier_return_paid_is_not_charged_again():
    earlier = {"lines": [{"line_item_id": "1", "quantity": 1}], "fee_kinds": ["label", "handling"]}
    got = decide(load_policy_text(PER_ORDER), request(ITEMS, [("2", 1)], earlier), NOW)["return"]
    assert fees(got) == {"handling": "2.00"} and got["refund_total"] == "28.00"  # per request: charged again


def test_a_per_order_fee_is_charged_when_the_earlier_return_paid_another_kind():
    earlier = {"lines": [{"line_item_id": "1", "quantity": 1}], "fee_kinds": ["handling"]}
    got = decide(load_policy_text(PER_ORDER), request(ITEMS, [("2", 1)], earlier), NOW)["return"]
    assert fees(got) == {"label": "10.00", "handling": "2.00"}


def test_per_order_is_only_for_flat_fees_and_renders_once_per_order():
    with pytest.raises(PolicyError) as caught:
        load_policy_text(PER_ORDER.replace('amount = "10.00"\nper = "order"', 'percent = "10"\nper = "order"'), "x.toml")
    assert str(caught.value.problems[0]).startswith("x.toml:19:1: [[fees]] 'per' applies to a flat 'amount'")
    page = render_policy(load_policy_text(PER_ORDER), NOW)
    assert "$10.00 label fee per order (once, however many returns) on refund" in page
    assert "$2.00 handling fee per return" in page


def test_earlier_returns_lines_cannot_come_back_again():
    earlier = {"lines": [{"line_item_id": "1", "quantity": 1}]}
    got = decide(load_policy_text(HEAD), request(ITEMS, [("1", 1)], earlier), NOW)["return"]
    assert got["allowed"] is False and got["lines"][0]["reasons"][0]["rule"] == "excess-quantity"


@pytest.mark.parametrize("earlier,field", [
    ({"lines": [{"line_item_id": "1", "quantity": 0}]}, "return_request.earlier_returns.lines[0].quantity"),
    ({"lines": [{"quantity": 1}]}, "return_request.earlier_returns.lines[0].line_item_id"),
    ({"fee_kinds": ["shipping"]}, "return_request.earlier_returns.fee_kinds[0]"),
    ({"lines": "1"}, "return_request.earlier_returns.lines"),
])
def test_a_bad_earlier_return_is_a_field_error(earlier, field):
    with pytest.raises(RequestError) as caught:
        decide(load_policy_text(HEAD), request(ITEMS, [("2", 1)], earlier), NOW)
    assert [e["field"] for e in caught.value.errors] == [field]


PAIR = [line("1", "179.99", ["bogo"]), line("2", "0.00", ["bogo-free"], compare_at="179.99"), line("3", "20.00")]


def test_a_split_bundle_pays_each_unit_its_share_and_the_shares_add_up_to_the_price():
    policy = load_policy_text(SPLIT)
    first = decide(policy, request(PAIR, [("2", 1)]), NOW)["return"]
    assert first["lines"][0]["amount"] == "90.00" and first["refund_total"] == "90.00"
    assert first["lines"][0]["reasons"][-1]["rule"] == "bogo"
    second = decide(policy, request(PAIR, [("1", 1)], {"lines": [{"line_item_id": "2", "quantity": 1}]}), NOW)
    assert second["return"]["lines"][0]["amount"] == "89.99"
    both = decide(policy, request(PAIR, [("1", 1), ("2", 1), ("3", 1)]), NOW)["return"]
    assert [ln["amount"] for ln in both["lines"]] == ["90.00", "89.99", "20.00"] and both["refund_total"] == "199.99"


def test_a_split_bundle_takes_no_threshold():
    with pytest.raises(PolicyError) as caught:
        load_policy_text(SPLIT + 'threshold = "100.00"\n', "x.toml")
    assert str(caught.value.problems[0]).startswith("x.toml:20:1: [[bundles]] 'threshold' has no meaning with")


def test_render_reads_a_split_bundle():
    assert ("**BOGO.** Products tagged bogo and the free items that come with them (products tagged bogo-free) "
            "share what you paid for them equally: each one you return pays back its equal share.") \
        in render_policy(load_policy_text(SPLIT), NOW)


THREE = [line("1", "40.00", ["paid"], quantity=3), line("9", "0.00", ["free"], compare_at="40.00")]


def test_two_plus_one_counts_the_units_an_earlier_return_took_back():
    policy = load_policy_text(TWO_PLUS_ONE)
    alone = decide(policy, request(THREE, [("1", 1)]), NOW)["return"]
    assert alone["deductions"] == [] and alone["refund_total"] == "40.00"  # two paid units kept
    earlier = {"lines": [{"line_item_id": "1", "quantity": 1}]}
    after = decide(policy, request(THREE, [("1", 1)], earlier), NOW)["return"]
    assert [(d["line_item_id"], d["amount"]) for d in after["deductions"]] == [("9", "40.00")]
    assert after["refund_total"] == "0.00"


def test_a_gift_an_earlier_return_took_back_is_not_kept():
    earlier = {"lines": [{"line_item_id": "1", "quantity": 1}, {"line_item_id": "9", "quantity": 1}]}
    got = decide(load_policy_text(TWO_PLUS_ONE), request(THREE, [("1", 1)], earlier), NOW)["return"]
    assert got["deductions"] == [] and got["refund_total"] == "40.00"


def test_earlier_returns_reads_engine_and_stored_return_decisions():
    from backend.policy import earlier_returns
    policy = load_policy_text(PER_ORDER)
    first = decide(policy, request(ITEMS, [("1", 1)]), NOW)["return"]  # the engine's part: refund, label + handling
    exchange = {"resolution": "exchange", "lines": [{"line_item_id": "2", "quantity": 1, "allowed": True}],
                "fees": []}
    stored = {"lines": [{"line_item_id": "2", "quantity": 1, "allowed": True, "resolution": "store_credit"},
                        {"line_item_id": "1", "quantity": 1, "allowed": False, "resolution": None}],
              "fees": [{"kind": "handling", "amount": "2.00", "resolution": "store_credit"}]}
    assert earlier_returns([]) == {} and earlier_returns([exchange, None]) == {}
    got = earlier_returns([first, exchange, stored])
    assert got == {"lines": [{"line_item_id": "1", "quantity": 1}, {"line_item_id": "2", "quantity": 1}],
                   "fee_kinds": ["handling", "label"]}
    again = decide(policy, request(ITEMS + [line("3", "5.00")], [("3", 1)], got), NOW)["return"]
    assert fees(again) == {"handling": "2.00"}
