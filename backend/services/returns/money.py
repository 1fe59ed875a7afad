"""A return decision's money in Shopify's model, exact to the cent.

    fee_plan(decision) -> {"restocking": {return line gid: percentage}, "shipping_fee": "d.dd" | None}
    refund_split(decision) -> {"to_payment": "d.dd", "to_store_credit": "d.dd", "lines": [(gid, qty)]}

Shopify models a return's fees two ways: a per-line `restockingFee` (a percentage; Shopify computes each
line's fee as its value × percentage ÷ 100, rounded half-up to the cent) and one `returnShippingFee` (an
amount). The written policies mostly charge fixed amounts ("a $15.00 restocking fee"), so a fixed fee F is
expressed as a percentage of the allowed lines it is charged on: put on one line of value V ≥ F, p = 100·F/V.
Rounding argument: p is sent rounded to 6 decimals, so |p − 100·F/V| ≤ 5·10⁻⁷ and Shopify's unrounded fee
V·p/100 is within V·5·10⁻⁹ of F; for any line under $1,000,000 that is under half a cent, so Shopify's
half-up rounding lands exactly on F (F is a whole number of cents). A fee larger than every line is spread
over the lines, largest first, each line taking at most 100 % of its value (the engine never refunds below
zero either). Percentage fees of the policy keep their percentage. `return_shipping` and `label` fees are
the policy's return-shipping charge and go in `returnShippingFee` as the amount itself. A deduction (the
value of a gift the shopper keeps though the return broke the bundle that earned it) has no Shopify model:
it is withheld the way a fixed fee is.

The refund, when the return is processed, is not left to Shopify's computation: `returnProcess` is given
the decision's own amounts — `refund_total` to the original payment, `credit_total` (credit-only lines and
bonus credit) as store credit — so what the shopper gets is the decision's figure to the cent.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from backend.services.returns.decide import FEE_KINDS_SHOPIFY_SHIPPING

CENT = Decimal("0.01")
PLACES = Decimal("0.000001")


def fee_plan(decision: dict) -> dict:
    """Per-line restocking percentages and the return shipping fee that make Shopify's computed fees equal the
    decision's. Only allowed lines carry fees (a refused line is removed from the return)."""
    allowed = [ln for ln in decision["lines"] if ln["allowed"]]
    shipping = sum((Decimal(f["amount"]) for f in decision["fees"] if f["kind"] in FEE_KINDS_SHOPIFY_SHIPPING),
                   Decimal(0))
    percentages: dict[str, float] = {}
    for part in ("refund", "store_credit"):
        lines = sorted((ln for ln in allowed if ln["resolution"] == part), key=lambda ln: -Decimal(ln["amount"]))
        fee = sum((Decimal(f["amount"]) for f in decision["fees"]
                   if f.get("resolution", "refund") == part and f["kind"] not in FEE_KINDS_SHOPIFY_SHIPPING),
                  Decimal(0))
        # a deduction (a kept gift's value) has no Shopify model of its own: it is withheld like a fee
        fee += sum((Decimal(d["amount"]) for d in decision.get("deductions") or []
                    if d.get("resolution", "refund") == part), Decimal(0))
        for ln in lines:
            if fee <= 0:
                break
            value = Decimal(ln["amount"])
            if value <= 0:
                continue
            take = min(fee, value)
            percentages[ln["return_line_gid"]] = float(percentage(take, value))
            fee -= take
    return {"restocking": percentages, "shipping_fee": f"{shipping:.2f}" if shipping else None}


def percentage(fee: Decimal, value: Decimal) -> Decimal:
    """The percentage of `value` whose half-up rounded amount is exactly `fee` (see the module's argument)."""
    if fee >= value:
        return Decimal(100)
    p = (fee * 100 / value).quantize(PLACES, rounding=ROUND_HALF_UP)
    assert (value * p / 100).quantize(CENT, rounding=ROUND_HALF_UP) == fee, (fee, value, p)
    return p


def shopify_fee(value: Decimal, p: float) -> Decimal:
    """Shopify's computation of a line's restocking fee (what its Return shows)."""
    return (value * Decimal(str(p)) / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def refund_split(decision: dict) -> dict:
    """What `returnProcess` refunds: the allowed lines, the original payment's part, the store credit part."""
    return {"lines": [(ln["return_line_gid"], ln["quantity"]) for ln in decision["lines"] if ln["allowed"]],
            "to_payment": decision["refund_total"], "to_store_credit": decision["credit_total"],
            "over_refund": Decimal(decision.get("bonus_credit") or "0") > 0}
