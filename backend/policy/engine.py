"""decide(policy, request, now): the contract §6 decision. Pure: no I/O, the time is an argument."""
from __future__ import annotations

from datetime import datetime

from backend.policy.calendar import aware
from backend.policy.lines import Ctx
from backend.policy.model import Policy
from backend.policy.money import ZERO, fmt
from backend.policy.outcomes import memo_for, order_parts, order_token, outcome
from backend.policy.request import parse_request
from backend.policy.returns import decide_return
from backend.policy.shipping import (blocked_outcome, sales_tax_outcome, shipping_outcome,
                                     signature_outcome)


def decide(policy: Policy, request: dict, now: datetime) -> dict:
    """Raises RequestError for an invalid request."""
    req = parse_request(request, policy.tz, policy.currency)
    order = req.order
    as_of = req.as_of_date or (req.as_of or aware(now)).astimezone(policy.tz).date()
    memo = memo_for(policy)
    protected_ids = _protection_lines(policy, memo, order)
    merch = ZERO
    for ln in order.lines:
        if ln.id not in protected_ids:
            merch += ln.price * ln.quantity - ln.discount
    order.merch = merch
    lines, outcomes, classes, latest = _line_outcomes(policy, memo, order, protected_ids, as_of)
    purchased = bool(protected_ids)
    signature, protection, shipping, tax, blocked = order_parts(policy, memo, _order_parts, order, purchased)
    decision = {
        "policy": policy.name,
        "order_id": order.id,
        "tags": _tags(classes, purchased, signature),
        "signature_required": signature,
        "return_protection": protection,
        "shipping": shipping,
        "sales_tax": tax,
        "blocked": blocked,
        "return_deadline": latest,
        "lines": lines,
    }
    if req.resolution is not None:
        decision["return"] = decide_return(policy, req, outcomes, purchased)
    return decision


def _line_outcomes(policy: Policy, memo, order, protected_ids: set, as_of) -> tuple:
    """(line dicts, {line id: (line dict, line, windows, class)}, classes, latest deadline)."""
    token = order_token(memo, order, as_of, policy.tz) if memo is not None else None
    outcomes, lines, classes, latest = {}, [], set(), None
    for line in order.lines:
        line_json, windows, cls, last = outcome(policy, memo, line, order, token, line.id in protected_ids,
                                                as_of)
        lines.append(line_json)
        classes.add(cls)
        if last is not None and (latest is None or last > latest):
            latest = last
        if line.id not in outcomes:
            outcomes[line.id] = (line_json, line, windows, cls)
    return lines, outcomes, classes, latest


def _order_parts(policy: Policy, order, purchased: bool) -> tuple:
    """What depends on the order alone: signature, protection, shipping, sales tax, blocks."""
    ctx = Ctx(None, order)
    return (signature_outcome(policy, ctx), _protection(policy, ctx, purchased), shipping_outcome(policy, ctx),
            sales_tax_outcome(policy, ctx.order), blocked_outcome(policy, ctx))


def _protection_lines(policy: Policy, memo, order) -> set:
    """The ids of the lines that are the return protection product (memoised by the facts that decide it)."""
    found = set()
    if policy.protection is None:
        return found
    match, ctx = policy.protection.line.match, Ctx(None, order)
    facts = memo.protection if memo is not None else None
    seen = memo.protected if facts is not None else None
    for line in order.lines:
        key = facts(line) if facts is not None else None
        hit = seen.get(key) if facts is not None else None
        if hit is None:
            ctx.line = line
            hit = match(ctx)
            if facts is not None:
                if len(seen) >= 4096:
                    seen.clear()
                seen[key] = hit
        if hit:
            found.add(line.id)
    return found


def _protection(policy: Policy, ctx: Ctx, purchased: bool) -> dict:
    offered = policy.protection is not None and policy.protection.offered.match(ctx)
    return {"offered": offered, "price": fmt(policy.protection.price) if offered else None,
            "purchased": purchased}


def _tags(classes: set, purchased: bool, signature: bool) -> list:
    tags = []
    if "final_sale" in classes:
        tags.append("final-sale")
    if purchased:
        tags.append("return-protection")
    if "credit_only" in classes:
        tags.append("sale-credit-only")
    if signature:
        tags.append("signature-required")
    return sorted(tags)

