"""The shopper's self-serve return puts the policy's flat restocking fee on Shopify's per-line percentages so
that Shopify's computed fees (each line's value × percentage, rounded half-up to the cent, as the simulator and
`money.shopify_fee` compute them) add up to the policy's amount exactly — one float percentage of the whole
return's value did not (0.10 over three 0.15 lines came to 0.09; 7.77 over ten 1.01 lines to 7.80)."""
from __future__ import annotations

from decimal import Decimal as D

import pytest

from backend.services.returns.money import shopify_fee
from backend.services.returns.shopper_actions import restocking_percentages

CASES = [
    (D("15.00"), [D("33.33"), D("19.99"), D("7.01")]),
    (D("0.10"), [D("0.15"), D("0.15"), D("0.15")]),
    (D("7.77"), [D("1.01")] * 10),
    (D("45.00"), [D("150.00")]),
    (D("12.34"), [D("0.00"), D("99.99"), D("12.33")]),
]


@pytest.mark.parametrize(("fee", "values"), CASES)
def test_shopifys_computed_restocking_fees_add_up_to_the_policys_amount(fee, values):
    percentages = restocking_percentages(fee, values)
    assert all(p is None or 0 < p <= 100 for p in percentages)  # Shopify's RestockingFeeInput range
    assert sum((shopify_fee(v, p) for v, p in zip(values, percentages) if p), D(0)) == fee


def test_no_fee_puts_no_percentage_on_any_line():
    assert restocking_percentages(D(0), [D("10.00"), D("5.00")]) == [None, None]
