"""A return's money in Shopify's model (services/returns/money.py) and Shopify's reasons mapped to the
policy's (services/returns/reasons.py), without a database or a shop."""
from __future__ import annotations

from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from backend.services.returns.money import fee_plan, percentage, refund_split, shopify_fee
from backend.services.returns.reasons import policy_reason

cents = st.integers(min_value=1, max_value=99_999_999).map(lambda c: Decimal(c) / 100)  # up to $999,999.99


@given(value=cents, fee=cents)
def test_a_fixed_fee_as_a_percentage_rounds_back_to_the_fee_exactly(value, fee):
    fee = min(fee, value)
    assert shopify_fee(value, float(percentage(fee, value))) == fee


def test_a_fee_larger_than_a_line_is_spread_over_the_lines_largest_first():
    decision = {"lines": [{"return_line_gid": "a", "allowed": True, "resolution": "refund", "amount": "10.00"},
                          {"return_line_gid": "b", "allowed": True, "resolution": "refund", "amount": "8.00"},
                          {"return_line_gid": "c", "allowed": False, "resolution": None, "amount": "50.00"}],
                "fees": [{"kind": "restocking", "amount": "15.00", "resolution": "refund"},
                         {"kind": "return_shipping", "amount": "6.50", "resolution": "refund"}]}
    plan = fee_plan(decision)
    assert plan["shipping_fee"] == "6.50"
    assert plan["restocking"]["a"] == 100.0 and "c" not in plan["restocking"]
    assert shopify_fee(Decimal("8.00"), plan["restocking"]["b"]) == Decimal("5.00")


def test_the_refund_splits_into_payment_and_store_credit_as_decided():
    decision = {"lines": [{"return_line_gid": "a", "allowed": True, "quantity": 2},
                          {"return_line_gid": "b", "allowed": False, "quantity": 1}],
                "refund_total": "80.00", "credit_total": "25.00", "bonus_credit": "5.00"}
    assert refund_split(decision) == {"lines": [("a", 2)], "to_payment": "80.00", "to_store_credit": "25.00",
                                      "over_refund": True}


def test_shopifys_reason_handles_map_to_the_policys_and_unknown_ones_are_not_guessed():
    assert policy_reason({"id": "1", "handle": "defective", "name": "Defective"})["merchant_fault"] is True
    assert policy_reason({"id": "2", "handle": "size-too-small", "name": "Too small"})["reason"] == "size"
    unknown = policy_reason({"id": "3", "handle": "arrived-late", "name": "Arrived late"})
    assert unknown == {"reason": "changed_mind", "handle": "arrived-late", "name": "Arrived late", "known": False,
                       "merchant_fault": False}
    assert policy_reason(None, "WRONG_ITEM")["reason"] == "wrong_item"
    assert policy_reason(None)["handle"] is None
