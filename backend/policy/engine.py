"""decide(policy, request, now): the contract §6 decision. Pure: no I/O, the time is an argument."""
from __future__ import annotations

from datetime import datetime

from backend.policy.calendar import aware
from backend.policy.compiled import CompiledPolicy, compiled
from backend.policy.lines import Ctx, anchors, line_outcome, planned_outcome
from backend.policy.model import Policy
from backend.policy.money import ZERO, fmt
from backend.policy.request import read_request
from backend.policy.returns import decide_return
from backend.policy.shipping import blocked_outcome, sales_tax_outcome, shipping_outcome, signature_outcome


def decide(policy: Policy | CompiledPolicy, request: dict, now: datetime) -> dict:
    """Raises RequestError for an invalid request. `policy` may be a Policy or its compile_policy().
    The decision is the caller's: its top-level fields may be replaced freely. Its nested parts may be
    shared between its own lines (lines of one pattern and anchor dates share their `resolutions`,
    `reasons` and `price_adjustment` objects) and reason entries with the policy: copy one before
    changing it in place. No two decisions share a mutable part but the policy's reason entries."""
    c = compiled(policy)
    policy = c.policy
    req = read_request(request, c.tz, c.currency, c.moments, c.conditions, c.days)
    order = req.order
    as_of = req.as_of_date or (req.as_of or aware(now)).astimezone(c.tz).date()
    undetermined: list = []
    if c.prelude is not None:  # the compiled policy's generated code (order_code.py, generated.py)
        ctx = Ctx(None, order)
        protected_ids, order.merch = c.prelude(order, ctx)
        if c.line_memo is None:
            lines, outcomes, classes, latest = c.program.run(order, ctx, protected_ids, as_of, undetermined)
        else:
            lines, outcomes, classes, latest = _line_outcomes(c, order, protected_ids, as_of, undetermined)
    else:
        protected_ids = _protection_lines(c, order)
        order.merch = _merchandise(order, protected_ids)
        lines, outcomes, classes, latest = _line_outcomes(c, order, protected_ids, as_of, undetermined)
    purchased = bool(protected_ids)
    if c.parts is not None:  # the generated parts cost less than a look-up in the order memo (its key
        # reads every order fact; its hit copies the dicts): callgrind, repeated 3-line decisions, per decision
        # ally 195.3k -> 185.0k, novus 211.5k -> 200.5k, aallyn 192.9k -> 191.9k instructions
        ctx.line = ctx.cls = None
        signature, protection, shipping, tax, blocked, unknown = c.parts(order, ctx, purchased)
    else:
        signature, protection, shipping, tax, blocked, unknown = _order_outcomes(c, order, purchased)
    if unknown:
        undetermined += unknown
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
        "unknown_facts": order.unknown_facts,
    }
    if req.resolution is not None:
        decision["return"] = decide_return(policy, req, outcomes, purchased, undetermined,
                                          c.lines if c.elapsed else None, as_of)
    decision["undetermined"] = _undetermined(undetermined) if undetermined else []
    return decision


def _line_outcomes(c: CompiledPolicy, order, protected_ids: set, as_of, undetermined: list) -> tuple:
    """(line dicts, {line id: (line dict, line, windows, class)}, classes, latest deadline)."""
    shared = anchors(order, None) if all(f.line_ids is None for f in order.fulfillments) else None
    memo, program = c.line_memo, c.program
    if memo is None and program is not None:
        return program.run(order, Ctx(None, order), protected_ids, as_of, undetermined)
    order_facts = memo.order_facts(order) if memo is not None else None
    order_values = None  # the order parts of the line rules, run once, when a line is not in the memo
    outcomes, lines, classes, latest, deadlines = {}, [], set(), None, {}
    for line in order.lines:
        dates = shared if shared is not None else anchors(order, line.id)
        protected = line.id in protected_ids
        key = memo.key(line, order_facts, protected, (order.local_date, dates), as_of) if memo is not None else None
        found = memo.get(key, line.id) if memo is not None else None
        if found is None:
            ctx, unknown, combined = Ctx(line, order), [], None
            if program is not None:
                if order_values is None:
                    order_values = program.order_values(order)
                combined, undecided = program.combine(ctx, order_values, protected)
                if undecided:
                    unknown += [("lines", rule, line.id) for rule in undecided]
            if combined is not None:
                line_json, windows, last = planned_outcome(c.lines, combined, ctx, as_of, dates, unknown, deadlines,
                                                           program.adjustment)
            else:
                line_json, windows, last = line_outcome(c.lines, ctx, protected, as_of, dates, unknown, deadlines)
            cls = ctx.cls
            if memo is not None:
                memo.put(key, line_json, windows, cls, last, tuple(u[1] for u in unknown))
            undetermined += unknown
        else:
            line_json, windows, cls, last, unknown = found
            undetermined += [("lines", rule, line.id) for rule in unknown]
        lines.append(line_json)
        classes.add(cls)
        if last is not None and (latest is None or last > latest):
            latest = last
        if line.id not in outcomes:
            outcomes[line.id] = (line_json, line, windows, cls)
    return lines, outcomes, classes, latest


def _merchandise(order, protected_ids: set):
    """Σ(price × quantity − discount) over the lines, the protection line excluded."""
    merch = ZERO
    for ln in order.lines:
        if ln.id not in protected_ids:
            merch += ln.price * ln.quantity - ln.discount
    return merch


def _order_outcomes(c: CompiledPolicy, order, purchased: bool) -> tuple:
    """The reference functions' order-level parts (no generated parts), from the compiled policy's memo when
    these order facts were seen."""
    if c.order_memo is None:
        return _order_parts(c, order, purchased)
    return c.order_memo.get(order, purchased, lambda: _order_parts(c, order, purchased))


def _order_parts(c: CompiledPolicy, order, purchased: bool) -> tuple:
    """(signature, protection, shipping, sales tax, blocks, undetermined): what depends on the order alone."""
    policy, ctx, unknown = c.policy, Ctx(None, order), []
    return (signature_outcome(policy, ctx, unknown), _protection(policy, ctx, purchased, unknown),
            shipping_outcome(policy, c.calendar, ctx, unknown, c.rates), sales_tax_outcome(policy, order, unknown),
            blocked_outcome(policy, ctx, unknown), tuple(unknown))


def _protection_lines(c: CompiledPolicy, order) -> set:
    """The ids of the lines that are the return protection product."""
    match = c.protection_line
    if match is None:
        return set()
    ctx = Ctx(None, order)
    found = set()
    for line in order.lines:
        ctx.line = line
        if match(ctx):
            found.add(line.id)
    return found


def _protection(policy: Policy, ctx: Ctx, purchased: bool, undetermined: list) -> dict:
    offered = False
    if policy.protection is not None:
        offered = policy.protection.offered.match(ctx)
        if offered is None:
            undetermined.append(("return_protection", policy.protection.info.id))
            offered = False
    return {"offered": offered, "price": fmt(policy.protection.price) if offered else None,
            "purchased": purchased}


def _undetermined(found: list) -> list:
    """Each (part, rule[, line id]) once, in the order found, as the decision's `undetermined` entries."""
    out, seen = [], set()
    for entry in found:
        if entry not in seen:
            seen.add(entry)
            item = {"part": entry[0], "rule": entry[1]}
            if len(entry) > 2:
                item["line_item_id"] = entry[2]
            out.append(item)
    return out


_STANDARD = frozenset({"standard"})


def _tags(classes: set, purchased: bool, signature: bool) -> list:
    if classes == _STANDARD and not purchased and not signature:
        return []
    tags = []
    if "final_sale" in classes:
        tags.append("final-sale")
    if purchased:
        tags.append("return-protection")
    if "credit_only" in classes:
        tags.append("sale-credit-only")
    if "exchange_or_credit" in classes:
        tags.append("exchange-or-credit")
    if signature:
        tags.append("signature-required")
    return sorted(tags)
