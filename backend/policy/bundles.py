"""[[bundles]]: conditions across the lines of an order and its return (gift with purchase, BOGO, bundles).

A bundle rule reads the whole request: which lines of the order are gifts and which earn them (members),
which of them this return takes back (its accepted lines), and the members' value after the return.
It *breaks* when the return takes back a member and, with a `threshold`, the members kept are then worth
less than it (having been worth at least it before). While any unit of a gift line is kept, the outcome is

* `deduct`: the value of the kept gift units (the rule's `gift_value`, else the gift line's unit price
  before discounts, its compare-at price when marked down) is deducted from what the return pays;
* `store_credit`: on a refund, the returned member lines are paid as store credit instead.

A `split` rule never breaks: every unit of the bundle (members and gifts) is worth an equal share of what
the bundle was paid, so a returned line pays its share ("buy one, get one free": either item alone pays
half the price paid).

The order's earlier returns (the request's `earlier_returns`, facts.Request.returned_before) count: the
members they took back are no longer worth anything towards a threshold, a bundle they already broke does
not break again, gift units they took back are not kept, and bundle shares continue where they stopped.

Pure: plain functions over the request's facts; the predicates are the rules' compiled conditions.
"""
from __future__ import annotations

from backend.policy.lines import Ctx
from backend.policy.money import ZERO, cents, fmt


def bundle_outcomes(policy, resolution: str, order, outcomes: dict, accepted: list, undetermined: list,
                    earlier: dict | None = None) -> tuple:
    """(deductions, ids of returned lines paid as store credit, {line id: reason}) for the accepted
    lines [(ctx, amount)] of a return; `outcomes`: {line id: (line json, line, windows, class)};
    `earlier`: {line id: units the order's earlier returns took back}."""
    deductions, credited, reasons, deducted = [], set(), {}, set()
    earlier = earlier or {}
    for rule in _applying(policy, resolution, order, undetermined, split=False):
        gifts, members = _split(rule, order, outcomes, undetermined)
        returned = [(ctx, amount) for ctx, amount in accepted if ctx.line.id in members]
        if not returned or not gifts or not _broken(rule, members, returned, earlier):
            continue
        kept = _kept_gifts(gifts, accepted, earlier)
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


def _applying(policy, resolution: str, order, undetermined: list, *, split: bool):
    """The bundle rules for `resolution` whose condition holds for the order: the `split` ones or the others.
    A condition that cannot be decided is noted as undetermined and its rule skipped."""
    for rule in policy.bundles:
        if (rule.outcome == "split") != split or resolution not in rule.resolutions:
            continue
        found = rule.cond.match(Ctx(None, order))
        if found:
            yield rule
        elif found is None:
            undetermined.append(("return", rule.info.id))


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


def _broken(rule, members: dict, returned: list, earlier: dict) -> bool:
    """A member comes back; with a threshold (money, or member units), the members kept fall below it
    (from at least it, after the order's earlier returns). Without a threshold, a bundle an earlier
    return already broke (it took a member back) does not break again."""
    gone = {i: min(earlier[i], ln.quantity) for i, ln in members.items() if earlier.get(i)}
    if rule.threshold_items is not None:
        units = sum(ln.quantity for ln in members.values()) - sum(gone.values())
        return units >= rule.threshold_items > units - sum(ctx.ret.quantity for ctx, _ in returned)
    if rule.threshold is None:
        return not gone
    before = sum((ln.price * ln.quantity - ln.discount for ln in members.values()), ZERO) \
        - sum((_value(members[i], units) for i, units in gone.items()), ZERO)
    after = before - sum((amount for _, amount in returned), ZERO)
    return before >= rule.threshold > after


def _value(line, units: int):
    """What `units` of a line were paid, to the cent (as returns.line_amount)."""
    if units >= line.quantity:
        return cents(line.price * line.quantity - line.discount)
    return cents((line.price * line.quantity - line.discount) * units / line.quantity)


def _kept_gifts(gifts: list, accepted: list, earlier: dict) -> list:
    """[(gift line, units kept)]: the units neither this return nor an earlier one takes back."""
    back: dict = dict(earlier)
    for ctx, _ in accepted:
        back[ctx.line.id] = back.get(ctx.line.id, 0) + ctx.ret.quantity
    return [(line, line.quantity - back.get(line.id, 0)) for line in gifts if line.quantity > back.get(line.id, 0)]


def split_shares(policy, resolution: str, order, outcomes: dict, accepted: list, undetermined: list,
                 earlier: dict | None = None) -> dict:
    """{index into accepted: (amount, rule)} for the accepted lines of `split` bundles: each returned unit
    pays an equal share of what the bundle (members and gifts) was paid. Shares are rounded cumulatively
    (what all units returned so far are worth, less what the earlier ones were), so the order's returns
    together pay exactly what the bundle cost."""
    shares: dict = {}
    earlier = earlier or {}
    for rule in _applying(policy, resolution, order, undetermined, split=True):
        gifts, members = _split(rule, order, outcomes, undetermined)
        lines = {**members, **{ln.id: ln for ln in gifts}}
        units = sum(ln.quantity for ln in lines.values())
        if not units:
            continue
        pool = sum((ln.price * ln.quantity - ln.discount for ln in lines.values()), ZERO)
        taken = sum(min(earlier.get(i, 0), ln.quantity) for i, ln in lines.items())
        for i, (ctx, _amount) in enumerate(accepted):
            if ctx.line.id not in lines or i in shares:
                continue
            q = ctx.ret.quantity
            shares[i] = (cents(pool * (taken + q) / units) - cents(pool * taken / units), rule)
            taken += q
    return shares


def _deductions(rule, kept: list) -> list:
    out = []
    for line, units in kept:
        unit = rule.gift_value if rule.gift_value is not None else (line.compare_at or line.price)
        amount = cents(unit * units)
        if amount > ZERO:
            out.append({"rule": rule.info.id, "line_item_id": line.id, "quantity": units, "amount": fmt(amount),
                        "text": rule.info.text})
    return out
