"""The `return` part of a decision: which returned lines are accepted, their amounts, fees, refund total.

A condition or fee rule that depends on an unknown address fact is not applied and is listed in
`undetermined` as ("return", rule id)."""
from __future__ import annotations

from decimal import Decimal

from backend.policy.bundles import bundle_outcomes, split_shares
from backend.policy.lines import Ctx, LineRules, elapsed_days
from backend.policy.model import Policy
from backend.policy.money import ZERO, cents, fmt, percent_of

_ZERO_CENTS = cents(ZERO)


def _refused(rl, rule: str, text: str) -> dict:
    return {"line_item_id": rl.line_item_id, "quantity": rl.quantity, "allowed": False, "amount": "0.00",
            "reasons": [{"rule": rule, "text": text}]}


def line_amount(line, quantity: int):
    """(price × quantity − discount) / quantity × returned quantity, half-up to the cent."""
    if line.quantity == 0:
        return _ZERO_CENTS
    total = line.price * line.quantity - line.discount
    if quantity == line.quantity:  # total × q / q is exactly total (exact decimal division)
        return cents(total)
    return cents(total * quantity / line.quantity)


def decide_return(policy: Policy, req, outcomes: dict, protected: bool, undetermined: list,
                  line_rules: LineRules | None = None, as_of=None) -> dict:
    """`line_rules` and `as_of` give each return line its days elapsed (for lateness tiers)."""
    resolution = req.resolution
    before = req.returned_before
    used: dict[str, int] = dict(before) if before else {}  # the order's earlier returns took these units back
    out_lines, accepted, by_id, accepted_out = [], [], {}, []
    order = req.order
    for rl in req.return_lines:
        found = outcomes.get(rl.line_item_id)
        if found is None:
            out_lines.append(_refused(rl, "unknown-line", f"Line item {rl.line_item_id} is not in this order."))
            continue
        line_json, line, windows, cls = found
        lid, quantity = line.id, rl.quantity
        taken = used.get(lid, 0)
        if taken + quantity > line.quantity:
            out_lines.append(_refused(rl, "excess-quantity",
                                      f"Only {line.quantity - taken} of line item {lid} "
                                      f"can be returned; {quantity} requested."))
            continue
        used[lid] = taken + quantity
        amount = line_amount(line, quantity)
        ctx = Ctx(line, order, rl, cls)
        if line_rules is not None:
            ctx.elapsed = elapsed_days(line_rules, ctx, as_of, windows, resolution)
        allowed, reasons = _judge(policy, resolution, line_json, windows, ctx, undetermined)
        out = {"line_item_id": rl.line_item_id, "quantity": quantity, "allowed": allowed,
               "amount": str(amount), "reasons": reasons}  # amount is already to the cent
        out_lines.append(out)
        if allowed:
            accepted.append((ctx, amount))
            accepted_out.append(out)
            by_id.setdefault(lid, []).append(out)
    if not accepted:  # nothing accepted: no fees, deductions, bonus; nothing to pay
        return {"resolution": resolution, "allowed": False, "lines": out_lines, "fees": [], "deductions": [],
                "refund_total": _NOTHING, "bonus_credit": _NOTHING, "credit_total": _NOTHING}
    if policy.bundles:
        _split_shares(policy, req, outcomes, accepted, accepted_out, undetermined)
    fees = _fees(policy, resolution, accepted, protected, undetermined, req.fees_before) if policy.fees else {}
    deductions, credited = _bundles(policy, req, outcomes, accepted, by_id, undetermined) \
        if policy.bundles else ([], _NONE_CREDITED)
    charges = ZERO
    for amount, _ in fees.values():
        charges += amount
    for d in deductions:
        charges += Decimal(d["amount"])
    refund, credit = _totals(resolution, accepted, credited, charges)
    bonus = _bonus(policy, accepted, undetermined) \
        if resolution == "store_credit" and policy.bonus_credit else ZERO
    return {"resolution": resolution, "allowed": True, "lines": out_lines,
            "fees": [{"kind": kind, "amount": fmt(amount), "name": "; ".join(names)}
                     for kind, (amount, names) in fees.items()],
            "deductions": deductions,
            "refund_total": fmt(refund), "bonus_credit": _NOTHING if bonus is ZERO else fmt(bonus),
            "credit_total": fmt(refund + bonus) if resolution == "store_credit" else fmt(credit)}


_NOTHING = fmt(ZERO)
_NONE_CREDITED: frozenset = frozenset()


def _bundles(policy: Policy, req, outcomes: dict, accepted: list, by_id: dict, undetermined: list) -> tuple:
    """[[bundles]] over the whole return: deductions, and the returned lines paid as store credit (marked
    `paid_as` with the rule's reason)."""
    if not policy.bundles or not accepted:
        return [], set()
    deductions, credited, reasons = bundle_outcomes(policy, req.resolution, req.order, outcomes, accepted,
                                                    undetermined, req.returned_before)
    for line_id in credited:
        for out in by_id[line_id]:
            out["paid_as"] = "store_credit"
            out["reasons"] = out["reasons"] + [reasons[line_id]]
    return deductions, credited


def _split_shares(policy: Policy, req, outcomes: dict, accepted: list, accepted_out: list,
                  undetermined: list) -> None:
    """Lines of a `split` bundle pay their share of the bundle (in place: amount and reasons)."""
    shares = split_shares(policy, req.resolution, req.order, outcomes, accepted, undetermined, req.returned_before)
    for i, (amount, rule) in shares.items():
        accepted[i] = (accepted[i][0], amount)
        out = accepted_out[i]
        out["amount"] = fmt(amount)
        out["reasons"] = out["reasons"] + [rule.info.reason]


def _totals(resolution: str, accepted: list, credited: set, charges) -> tuple:
    """(refund_total, credit_total of a refund): fees and deductions come off the refunded lines first,
    then off those paid as store credit; neither goes below zero; an exchange pays nothing."""
    if resolution == "exchange":
        return ZERO, ZERO
    paid = as_credit = ZERO
    for ctx, amount in accepted:
        if credited and ctx.line.id in credited:
            as_credit += amount
        else:
            paid += amount
    if resolution == "store_credit":
        paid, as_credit = paid + as_credit, ZERO
    left = max(ZERO, charges - paid)
    return max(ZERO, paid - charges), max(ZERO, as_credit - left)


def _judge(policy: Policy, resolution: str, line_json: dict, windows: dict, ctx: Ctx, undetermined: list):
    """Allowed when the line allows the resolution today and no condition rule refuses it."""
    verdict = line_json["resolutions"][resolution]
    if not verdict["allowed"]:
        entry = windows[resolution]
        if entry is None:
            return False, list(line_json["reasons"])
        text = f"The {resolution.replace('_', ' ')} window ended on {verdict['deadline']}. {entry[1].info.text}"
        return False, [{"rule": entry[1].info.id, "text": text}]
    reasons, allowed = [], True
    for rule in policy.return_rules:
        if rule.lifted_by_merchant_fault and ctx.ret.merchant_fault:
            continue
        found = rule.cond.match(ctx)
        if not found:
            if found is None:
                undetermined.append(("return", rule.info.id))
            continue
        reasons.append(rule.info.reason)
        if rule.refuse or resolution not in rule.allow_only:
            allowed = False
    return allowed, reasons


def _fees(policy: Policy, resolution: str, accepted: list, protected: bool, undetermined: list,
          fees_before: frozenset = frozenset()) -> dict:
    """Each kind once: flat fees once per request (per order: not when an earlier return of the order was
    charged this kind), percentages per line and summed."""
    fees: dict = {}
    for fee in policy.fees:
        if resolution not in fee.resolutions or (fee.waived_by_protection and protected):
            continue
        if fee.per_order and fee.kind in fees_before:
            continue
        charge = _charge(fee, accepted, undetermined)
        if charge:
            amount, names = fees.get(fee.kind, (ZERO, []))
            fees[fee.kind] = (amount + charge, names + [fee.info.title])
    return fees


def _bonus(policy: Policy, accepted: list, undetermined: list):
    """Extra store credit: each matching bonus rule's amount or percentages, at most its cap, summed."""
    bonus = ZERO
    for rule in policy.bonus_credit:
        found = _charge(rule, accepted, undetermined, waivable=False)
        if found:
            bonus += found if rule.cap is None else min(found, rule.cap)
    return bonus


def _charge(fee, accepted: list, undetermined: list, waivable: bool | None = None):
    """The fee (or bonus) over the accepted lines it applies to: its flat amount, or the sum of its
    percentages (None when it applies to none)."""
    match, charge = fee.cond.match, None
    waivable = fee.waived_for_merchant_fault if waivable is None else waivable
    for ctx, amount in accepted:
        if waivable and ctx.ret.merchant_fault:
            continue
        found = match(ctx)
        if not found:
            if found is None:
                undetermined.append(("return", fee.info.id))
            continue
        if fee.amount is not None:
            if not getattr(fee, "per_item", False):
                return fee.amount
            part = fee.amount * ctx.ret.quantity
        else:
            part = percent_of(amount, fee.percent)
        charge = part if charge is None else charge + part
    return charge
