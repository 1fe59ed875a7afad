"""[[bundles]]: conditions across the lines of an order and its return (gift with purchase, BOGO, bundles).

A bundle rule reads the whole request: which lines of the order are gifts and which earn them (members),
which of them this return takes back (its accepted lines), and the members' value after the return.
It *breaks* when the return takes back a member and, with a `threshold`, the members kept are then worth
less than it (having been worth at least it before). While any unit of a gift line is kept, the outcome is

* `deduct`: the value of the kept gift units (the rule's `gift_value`, else the gift line's unit price
  before discounts, its compare-at price when marked down) is deducted from what the return pays;
* `store_credit`: on a refund, the returned member lines are paid as store credit instead.

Pure: plain functions over the request's facts; the predicates are the rules' compiled conditions.
"""
from __future__ import annotations

from backend.policy.lines import Ctx
from backend.policy.money import ZERO, cents, fmt


def bundle_outcomes(policy, resolution: str, order, outcomes: dict, accepted: list, undetermined: list) -> tuple:
    """(deductions, ids of returned lines paid as store credit, {line id: reason}) for the accepted
    lines [(ctx, amount)] of a return; `outcomes`: {line id: (line json, line, windows, class)}."""
    deductions, credited, reasons, deducted = [], set(), {}, set()
    for rule in policy.bundles:
        if resolution not in rule.resolutions:
            continue
        found = rule.cond.match(Ctx(None, order))
        if not found:
            if found is None:
                undetermined.append(("return", rule.info.id))
            continue
        gifts, members = _split(rule, order, outcomes, undetermined)
        returned = [(ctx, amount) for ctx, amount in accepted if ctx.line.id in members]
        if not returned or not gifts or not _broken(rule, members, returned):
            continue
        kept = _kept_gifts(gifts, accepted)
        if not kept:
            continue
        if rule.outcome == "deduct":
            deductions += [d for d in _deductions(rule, kept) if d["line_item_id"] not in deducted]
            deducted.update(d["line_item_id"] for d in deductions)
        elif resolution == "refund":
            for ctx, _ in returned:
                credited.add(ctx.line.id)
                reasons.setdefault(ctx.line.id, rule.info.reason)
    return deductions, credited, reasons


def _split(rule, order, outcomes: dict, undetermined: list) -> tuple[list, dict]:
    """(gift lines, {member line id: line}); the protection line is neither, a gift is never a member."""
    gifts, members = [], {}
    for _json, line, _windows, cls in outcomes.values():
        if cls == "protection":
            continue
        ctx = Ctx(line, order, None, cls)
        found = rule.gift.match(ctx)
        if found:
            gifts.append(line)
            continue
        if found is None:
            undetermined.append(("return", rule.info.id))
            continue
        if rule.members is None or rule.members.match(ctx):
            members[line.id] = line
    return gifts, members


def _broken(rule, members: dict, returned: list) -> bool:
    """A member comes back; with a threshold (money, or member units), the members kept fall below it
    (from at least it)."""
    if rule.threshold_items is not None:
        units = sum(ln.quantity for ln in members.values())
        return units >= rule.threshold_items > units - sum(ctx.ret.quantity for ctx, _ in returned)
    if rule.threshold is None:
        return True
    before = sum((ln.price * ln.quantity - ln.discount for ln in members.values()), ZERO)
    after = before - sum((amount for _, amount in returned), ZERO)
    return before >= rule.threshold > after


def _kept_gifts(gifts: list, accepted: list) -> list:
    """[(gift line, units kept)]: the units this return does not take back."""
    back: dict = {}
    for ctx, _ in accepted:
        back[ctx.line.id] = back.get(ctx.line.id, 0) + ctx.ret.quantity
    return [(line, line.quantity - back.get(line.id, 0)) for line in gifts if line.quantity > back.get(line.id, 0)]


def _deductions(rule, kept: list) -> list:
    out = []
    for line, units in kept:
        unit = rule.gift_value if rule.gift_value is not None else (line.compare_at or line.price)
        amount = cents(unit * units)
        if amount > ZERO:
            out.append({"rule": rule.info.id, "line_item_id": line.id, "quantity": units, "amount": fmt(amount),
                        "text": rule.info.text})
    return out
