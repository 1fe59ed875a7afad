"""Issue 14, the rest of the language: conditions across the lines of a return ([[bundles]]: gifts, BOGO,
thresholds; "deduct its value" and "downgrade to store credit"), the exchange-or-credit class and its tag,
and the exchanges already made on an order (`exchanges_before`). Each story decides a small inline policy."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from backend.policy import PolicyError, decide, load_policy_text
from backend.policy.lint import lint

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
HEAD = '[policy]\nname = "x"\ntitle = "X"\ntimezone = "America/New_York"\ncurrency = "USD"\n'
WINDOWS = '''
[[rules]]
id = "windows"
title = "30 days"
text = "Returns within 30 days of delivery."
windows = { refund = { days = 30, from = "delivery" }, store_credit = { days = 30, from = "delivery" }, exchange = { days = 30, from = "delivery" } }
'''
BOGO = '''
[[bundles]]
id = "bogo"
title = "Buy one, get one free"
text = "Return the free pair with the one you bought, or its value comes off your refund."
members_when = { product_tag = ["bogo-buy"] }
gift_when = { product_tag = ["bogo-free"] }
outcome = "deduct"
'''
SET_CREDIT = '''
[[bundles]]
id = "set-credit"
title = "Gift sets: store credit when the gift is kept"
text = "Keep the gift from a set and return the rest, and the return is refunded as store credit."
gift_when = { product_tag = ["set-gift"] }
outcome = "store_credit"
'''


def item(ident: str, price: str, tags=(), quantity: int = 1, discount: str = "0.00", compare_at=None) -> dict:
    return {"id": ident, "sku": f"S{ident}", "product_type": "Shoes", "product_tags": list(tags),
            "quantity": quantity, "price": price, "discount": discount, "compare_at_price": compare_at}


def request(lines: list, returned: list, resolution: str = "refund", **extra) -> dict:
    return {"as_of": "2025-03-10T12:00:00-04:00",
            "order": {"id": "1", "created_at": "2025-03-01T12:00:00-05:00", "currency": "USD",
                      "shipping_address": {"country_code": "US", "province_code": "NY", "address1": "1 Main St"},
                      "line_items": copy.deepcopy(lines),
                      "fulfillments": [{"shipped_at": "2025-03-02T10:00:00-05:00",
                                        "delivered_at": "2025-03-04T15:00:00-05:00"}]},
            "return_request": {"resolution": resolution, **extra,
                               "lines": [{"line_item_id": i, "quantity": q} for i, q in returned]}}


def returned(policy_text: str, req: dict) -> dict:
    return decide(load_policy_text(HEAD + WINDOWS + policy_text), req, NOW)["return"]


PAIR = [item("1", "120.00", ["bogo-buy"]), item("2", "120.00", ["bogo-free"], discount="120.00"), item("3", "40.00")]


def test_returning_the_bought_pair_without_the_free_one_deducts_the_free_pairs_value():
    got = returned(BOGO, request(PAIR, [("1", 1)]))
    assert got["deductions"] == [{"rule": "bogo", "line_item_id": "2", "quantity": 1, "amount": "120.00",
                                  "text": "Return the free pair with the one you bought, or its value comes off "
                                          "your refund."}]
    assert got["refund_total"] == "0.00"  # 120 − 120, never below zero


def test_returning_both_pairs_deducts_nothing():
    got = returned(BOGO, request(PAIR, [("1", 1), ("2", 1)]))
    assert got["deductions"] == [] and got["refund_total"] == "120.00"


def test_returning_a_line_outside_the_bundle_leaves_the_gift_alone():
    got = returned(BOGO, request(PAIR, [("3", 1)]))
    assert got["deductions"] == [] and got["refund_total"] == "40.00"


def test_the_deduction_counts_only_the_gift_units_kept_and_may_use_the_rules_own_value():
    lines = [item("1", "50.00", ["bogo-buy"], quantity=2), item("2", "0.00", ["bogo-free"], quantity=2)]
    text = BOGO.replace('outcome = "deduct"', 'outcome = "deduct"\ngift_value = "35.00"')
    got = returned(text, request(lines, [("1", 2), ("2", 1)]))
    assert [(d["quantity"], d["amount"]) for d in got["deductions"]] == [(1, "35.00")]
    assert got["refund_total"] == "65.00"


def test_a_free_gift_at_zero_is_worth_its_compare_at_price():
    lines = [item("1", "80.00", ["bogo-buy"]), item("2", "0.00", ["bogo-free"], compare_at="25.00")]
    got = returned(BOGO, request(lines, [("1", 1)]))
    assert got["deductions"][0]["amount"] == "25.00" and got["refund_total"] == "55.00"


def test_downgrade_to_credit_pays_the_returned_lines_as_store_credit_and_the_rest_as_a_refund():
    lines = [item("1", "100.00"), item("2", "60.00"), item("9", "0.00", ["set-gift"])]
    fee = '\n[[fees]]\nid = "fee"\ntitle = "$5 fee"\ntext = "A $5 fee."\nkind = "handling"\namount = "5.00"\n'
    got = returned(SET_CREDIT + fee, request(lines, [("1", 1), ("2", 1)]))
    assert [ln.get("paid_as") for ln in got["lines"]] == ["store_credit", "store_credit"]
    assert got["lines"][0]["reasons"][-1]["rule"] == "set-credit"
    assert (got["refund_total"], got["credit_total"]) == ("0.00", "155.00")  # the fee comes off the credit


def test_downgrade_keeps_the_refund_when_the_gift_comes_back():
    lines = [item("1", "100.00"), item("9", "0.00", ["set-gift"])]
    got = returned(SET_CREDIT, request(lines, [("1", 1), ("9", 1)]))
    assert "paid_as" not in got["lines"][0]
    assert (got["refund_total"], got["credit_total"]) == ("100.00", "0.00")


def test_downgrade_leaves_a_store_credit_request_as_it_is():
    lines = [item("1", "100.00"), item("9", "0.00", ["set-gift"])]
    got = returned(SET_CREDIT, request(lines, [("1", 1)], "store_credit"))
    assert "paid_as" not in got["lines"][0] and got["credit_total"] == "100.00"


THRESHOLD = '''
[[bundles]]
id = "gift-over-100"
title = "Free gift over $100"
text = "Fall below $100 with your return and return the gift too, or its value is deducted."
gift_when = { product_tag = ["gift"] }
threshold = "100.00"
outcome = "deduct"
'''


@pytest.mark.parametrize("prices,back,deducted", [
    (["70.00", "50.00"], "1", ["10.00"]),   # 120 → 50: below 100
    (["70.00", "50.00"], "2", ["10.00"]),   # 120 → 70: below 100
    (["100.00", "30.00"], "2", []),         # 130 → 100: exactly the threshold, still earned
    (["100.00", "30.00"], "1", ["10.00"]),  # 130 → 30
    (["60.00", "30.00"], "2", []),          # 90: never earned the gift
])
def test_a_threshold_breaks_only_when_the_return_takes_the_order_from_at_least_it_to_below_it(prices, back, deducted):
    lines = [item("1", prices[0]), item("2", prices[1]), item("9", "10.00", ["gift"], discount="10.00")]
    got = returned(THRESHOLD, request(lines, [(back, 1)]))
    assert [d["amount"] for d in got["deductions"]] == deducted


def test_an_exchange_never_breaks_a_bundle_by_default():
    got = returned(THRESHOLD, request([item("1", "150.00"), item("9", "10.00", ["gift"], discount="10.00")],
                                      [("1", 1)], "exchange"))
    assert got["deductions"] == [] and got["allowed"] is True


def test_a_policy_without_bundles_answers_old_requests_as_before_plus_an_empty_deductions_list():
    got = returned("", request([item("1", "50.00")], [("1", 1)]))
    assert got["deductions"] == [] and got["refund_total"] == "50.00" and got["credit_total"] == "0.00"
    assert "paid_as" not in got["lines"][0]


# ---- the exchange-or-credit class ---------------------------------------------------------------

SALE = '''
[[rules]]
id = "sale"
title = "Sale: exchange or store credit"
text = "Sale items can be exchanged or returned for store credit, not refunded."
when = { marked_down = true }
class = "exchange_or_credit"
'''


def test_exchange_or_credit_permits_exchange_and_store_credit_and_tags_the_order():
    decision = decide(load_policy_text(HEAD + WINDOWS + SALE),
                      request([item("1", "60.00", compare_at="100.00")], [("1", 1)]), NOW)
    line = decision["lines"][0]
    assert line["class"] == "exchange_or_credit" and decision["tags"] == ["exchange-or-credit"]
    assert {r: v["allowed"] for r, v in line["resolutions"].items()} == \
        {"refund": False, "store_credit": True, "exchange": True}
    assert decision["return"]["allowed"] is False


@pytest.mark.parametrize("other,wins", [("credit_only", "credit_only"), ("final_sale", "final_sale"),
                                         ("standard", "exchange_or_credit")])
def test_exchange_or_credit_ranks_below_credit_only(other, wins):
    text = SALE + f'\n[[rules]]\nid = "o"\ntitle = "O"\ntext = "T"\nclass = "{other}"\n'
    decision = decide(load_policy_text(HEAD + WINDOWS + text), request([item("1", "60.00", compare_at="100.00")], []),
                      NOW)
    assert decision["lines"][0]["class"] == wins


# ---- exchanges already made on the order --------------------------------------------------------

SECOND_EXCHANGE_FEE = '''
[[fees]]
id = "second-exchange"
title = "$8 fee from the second exchange"
text = "Your first exchange is free; later exchanges cost $8."
kind = "return_shipping"
amount = "8.00"
resolutions = ["exchange"]
when = { exchanges_before_at_least = 1 }
'''


@pytest.mark.parametrize("extra,fees", [({}, []), ({"exchanges_before": 0}, []),
                                        ({"exchanges_before": 1}, ["8.00"]), ({"exchanges_before": 3}, ["8.00"])])
def test_the_first_exchange_is_free_and_later_ones_pay_the_fee(extra, fees):
    got = returned(SECOND_EXCHANGE_FEE, request([item("1", "50.00")], [("1", 1)], "exchange", **extra))
    assert [f["amount"] for f in got["fees"]] == fees and got["allowed"] is True


def test_exchanges_before_at_most_bounds_a_tier():
    text = SECOND_EXCHANGE_FEE.replace("exchanges_before_at_least = 1", "exchanges_before_at_most = 1")
    got = [returned(text, request([item("1", "50.00")], [("1", 1)], "exchange", exchanges_before=n))["fees"]
           for n in (1, 2)]
    assert [len(f) for f in got] == [1, 0]


@pytest.mark.parametrize("value", [-1, "2", 1.5, True])
def test_exchanges_before_must_be_a_whole_number(value):
    from backend.policy import RequestError
    with pytest.raises(RequestError) as caught:
        returned("", request([item("1", "50.00")], [("1", 1)], "exchange", exchanges_before=value))
    assert [e["field"] for e in caught.value.errors] == ["return_request.exchanges_before"]


# ---- a typo in any new field: file:line:col naming it --------------------------------------------

def problems_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(HEAD + text, "x.toml")
    return [str(p) for p in caught.value.problems]


@pytest.mark.parametrize("typo,expected", [
    (BOGO.replace("gift_when =", "gift_whne ="),
     "x.toml:12:1: unknown field 'gift_whne' in [[bundles]]; did you mean 'gift_when'?"),
    (BOGO.replace("members_when =", "member_when ="),
     "x.toml:11:1: unknown field 'member_when' in [[bundles]]; did you mean 'members_when'?"),
    (BOGO.replace('outcome = "deduct"', 'outcome = "dedcut"'),
     "x.toml:13:1: field 'outcome': 'dedcut' is not one of deduct, store_credit, split; did you mean 'deduct'?"),
    (BOGO.replace('product_tag = ["bogo-free"]', 'product_tagz = ["bogo-free"]'),
     "x.toml:12:15: unknown condition 'product_tagz'; did you mean 'product_tag'?"),
    (THRESHOLD.replace('"100.00"', '"-5"'), "x.toml:12:1: field 'threshold': must not be negative (got -5)"),
    (THRESHOLD.replace("threshold =", "treshold ="),
     "x.toml:12:1: unknown field 'treshold' in [[bundles]]; did you mean 'threshold'?"),
    (SET_CREDIT + 'gift_value = "5.00"\n',
     "x.toml:13:1: [[bundles]] 'gift_value' is what 'outcome = \"deduct\"' deducts; outcome is 'store_credit'"),
    (SECOND_EXCHANGE_FEE.replace("exchanges_before_at_least", "exchanges_before_at_lest"),
     "x.toml:14:10: unknown condition 'exchanges_before_at_lest'; did you mean 'exchanges_before_at_least'?"),
    (SECOND_EXCHANGE_FEE.replace("= 1 }", "= -1 }"),
     "x.toml:14:10: condition 'exchanges_before_at_least' must be a whole number, 0 or more"),
    (SALE.replace('"exchange_or_credit"', '"exchange_or_credt"'),
     "x.toml:12:1: field 'class': 'exchange_or_credt' is not one of protection, external, trial, final_sale, "
     "credit_only, exchange_or_credit, standard; did you mean 'exchange_or_credit'?"),
])
def test_a_typo_in_a_new_field_names_it_at_its_position(typo, expected):
    assert problems_of(typo) == [expected]


def test_a_bundle_needs_its_gift_lines():
    text = BOGO.replace('gift_when = { product_tag = ["bogo-free"] }\n', "")
    assert problems_of(text) == ["x.toml:7:1: [[bundles]] needs 'gift_when' or 'gift_when_any' "
                                 "(how the gift lines are recognised)"]


def test_a_bundle_takes_only_order_conditions_in_when():
    text = BOGO + 'when = { item_condition = ["worn"] }\n'
    (problem,) = problems_of(text)
    assert problem.startswith("x.toml:14:10: condition 'item_condition' needs a return request")


# ---- lint --------------------------------------------------------------------------------------

def warnings(text: str) -> list[str]:
    return [p.message for p in lint(load_policy_text(HEAD + WINDOWS + text, "x.toml"))]


@pytest.mark.parametrize("text,expected", [
    (THRESHOLD.replace('"100.00"', '"0"'),
     "bundle 'gift-over-100' can never trigger: the members kept can never be worth less than a threshold of 0"),
    (THRESHOLD + 'when = { merchandise_value_below = "80.00" }\n',
     "bundle 'gift-over-100' can never trigger: it only covers orders whose merchandise is worth less than its "
     "threshold 100.00, which never earned the gift"),
    (BOGO.replace('["bogo-buy"]', '["bogo-free"]'),
     "bundle 'bogo' can never trigger: its members are its gift lines, and a gift is never a member"),
    (BOGO.replace('members_when = { product_tag = ["bogo-buy"] }',
                  'members_when = { unit_price_above = "50", unit_price_below = "10" }'),
     "bundle 'bogo' can never trigger: its members conditions never match (unit price bounds exclude each other)"),
    (SET_CREDIT + 'resolutions = ["store_credit"]\n',
     "bundle 'set-credit' never changes a return: outcome store_credit pays a refund as store credit, but the "
     "rule does not cover refunds"),
    (BOGO + 'resolutions = ["refund", "exchange"]\n',
     "bundle 'bogo' covers exchanges, which pay nothing back: an exchange keeps the order's value, so nothing is "
     "deducted or credited on one"),
    (SECOND_EXCHANGE_FEE.replace("= 1 }", "= 3, exchanges_before_at_most = 1 }"),
     "rule 'second-exchange' can never fire: exchanges_before_at_least is more than exchanges_before_at_most"),
    (SALE.replace('class = "exchange_or_credit"', 'class = "exchange_or_credit"\n'
                  'windows = { refund = { days = 10, from = "delivery" } }'),
     "rule 'sale' sets a refund window that its class exchange_or_credit never permits"),
    (SECOND_EXCHANGE_FEE + SECOND_EXCHANGE_FEE.replace('"second-exchange"', '"third-exchange"')
     .replace("exchanges_before_at_least = 1", "exchanges_before_at_least = 2"),
     "tiers 'second-exchange' and 'third-exchange' overlap: both return_shipping fees are charged where their "
     "days or exchange counts meet"),
])
def test_lint_reports_shapes_that_never_take_effect(text, expected):
    assert expected in warnings(text)


def test_lint_is_quiet_about_well_formed_bundles_and_exchange_tiers():
    text = BOGO + THRESHOLD + SET_CREDIT + SALE + SECOND_EXCHANGE_FEE
    assert warnings(text) == []


# ---- the policy page ---------------------------------------------------------------------------

@pytest.mark.parametrize("name,phrase", [
    ("aallyn", "A free gift (products tagged free-gift) comes with orders of $150.00 or more: if your return leaves "
               "less than that, send the gift back too; otherwise its value is deducted from what the return pays back."),
    ("ally", "Try-at-home items and exchanges and orders already exchanged once or more: not accepted"),
])
def test_the_presets_pages_state_the_new_clauses(name, phrase):
    from backend.policy import load_policy, render_policy
    assert phrase in render_policy(load_policy(name), NOW)


def test_a_downgrade_and_a_bundle_for_some_orders_read_on_the_page():
    from backend.policy import render_policy
    text = HEAD + WINDOWS + SET_CREDIT + 'when = { ship_to_country = ["US"] }\n'
    page = render_policy(load_policy_text(text), NOW)
    assert ("**Gift sets: store credit when the gift is kept.** For orders shipped to US: if you return items from an "
            "order that came with a free gift (products tagged set-gift), send the gift back too; otherwise the items "
            "you return are refunded as store credit.") in page


BONUS = '''
[[bonus_credit]]
id = "first"
title = "10% bonus before any exchange"
text = "Choose store credit before exchanging and get 10% more."
percent = "10"
when = { exchanges_before_at_most = 1 }
'''


def test_lint_reports_bonus_tiers_that_overlap_or_start_after_every_store_credit_window():
    text = BONUS + BONUS.replace('"first"', '"second"').replace("at_most = 1", "at_least = 1")
    assert ("tiers 'first' and 'second' overlap: both bonuses are given where their days or exchange counts meet"
            in warnings(text))
    late = BONUS.replace("exchanges_before_at_most = 1", "days_elapsed_at_least = 31")
    assert ("rule 'first' can never apply: it starts on day 31, but no window it covers lasts past day 30"
            in warnings(late))
    assert warnings(BONUS + BONUS.replace('"first"', '"second"').replace("at_most = 1", "at_least = 2")) == []


# ---- invariants over seeded random requests -------------------------------------------------------

def _total(values) -> float:
    from decimal import Decimal
    return sum((Decimal(v) for v in values), Decimal("0"))


@pytest.mark.parametrize("seed", range(4))
def test_bundles_only_ever_take_off_the_total_and_change_nothing_else(seed):
    import random

    from backend.policy import RequestError
    from tests.unit.policy import requests as gen
    rnd = random.Random(seed)
    text = HEAD + WINDOWS + BOGO + THRESHOLD + SET_CREDIT.replace('["set-gift"]', '["gift"]')
    with_bundles, without = load_policy_text(text), load_policy_text(HEAD + WINDOWS)
    decided = 0
    for _ in range(150):
        req = gen.well_formed(rnd)
        for line in req["order"]["line_items"]:
            line["product_tags"] = rnd.sample(["bogo-buy", "bogo-free", "gift", "x"], rnd.randint(0, 2))
        req.setdefault("return_request", gen.return_request(rnd, [ln["id"] for ln in req["order"]["line_items"]]))
        try:
            got, plain = (decide(p, req, NOW)["return"] for p in (with_bundles, without))
        except RequestError:
            continue
        decided += 1
        assert [ln["allowed"] for ln in got["lines"]] == [ln["allowed"] for ln in plain["lines"]]
        assert got["fees"] == plain["fees"] and plain["deductions"] == []
        assert all(_total([d["amount"]]) > 0 for d in got["deductions"])
        paid = _total([got["refund_total"]]) + (_total([got["credit_total"]]) - _total([got["bonus_credit"]])
                                                if got["resolution"] != "store_credit" else 0)
        assert 0 <= paid <= _total([plain["refund_total"]]) or got["resolution"] == "exchange"
    assert decided > 50


ITEMS = THRESHOLD.replace('threshold = "100.00"', "threshold_items = 2").replace("gift_when", 'members_when = { product_tag = ["buy"] }\ngift_when')


@pytest.mark.parametrize("quantities,back,deducted", [
    ((1, 1), [("1", 1)], ["10.00"]),        # 2 units → 1: below 2
    ((3, 0), [("1", 1)], []),               # 3 → 2: still earned
    ((3, 0), [("1", 2)], ["10.00"]),        # 3 → 1
    ((1, 0), [("1", 1)], []),               # 1 unit: never earned
])
def test_an_item_count_threshold_breaks_when_fewer_member_units_are_kept(quantities, back, deducted):
    lines = [item("1", "30.00", ["buy"], quantity=quantities[0]), item("9", "10.00", ["gift"], discount="10.00")]
    if quantities[1]:
        lines.append(item("2", "30.00", ["buy"], quantity=quantities[1]))
    got = returned(ITEMS, request(lines, back))
    assert [d["amount"] for d in got["deductions"]] == deducted


def test_a_bundle_takes_a_money_or_an_item_threshold_not_both():
    assert problems_of(ITEMS.replace("threshold_items = 2", 'threshold = "5"\nthreshold_items = 2')) == [
        "x.toml:14:1: [[bundles]] takes 'threshold' (money) or 'threshold_items' (units), not both"]
    assert "bundle 'gift-over-100' can never trigger: the member units kept can never be fewer than a threshold " \
           "of 0 items" in warnings(ITEMS.replace("threshold_items = 2", "threshold_items = 0"))
