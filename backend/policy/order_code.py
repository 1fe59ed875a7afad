"""Two functions generated per compiled policy for what a decision decides of the order as a whole.

`prelude(order, ctx)` -> (ids of the return protection lines, merchandise value): engine._protection_lines
and engine._merchandise in one function (the sum left at ZERO when no condition reads it).
`parts(order, ctx, purchased)` -> (signature, protection offer, shipping, sales tax, blocks, undetermined):
engine._order_parts as straight-line code, each rule's condition an inlined expression (exprs.py), its
texts (rule ids, messages, the protection price formatted once) constants, read as the function's globals
(see _exec). Both are built from the policy at compile time with compile()/exec; `ctx` is a Ctx on
`order` (its line set here where a condition reads it). engine._order_parts stays the reference semantics
(compile_policy(reference=True)); test_compiled_equivalence proves the two decide alike. Hand-assembled
source for the reason generated.py gives.
"""
from __future__ import annotations

from backend.policy.exprs import Exprs
from backend.policy.model import Policy
from backend.policy.money import ZERO, fmt


def _exec(source: str, env: dict, name: str, what: str):
    """The function `run` of `source` with its constants `env` as its globals (reads cached by the
    interpreter): as keyword-only defaults, every call filled each one by a dict look-up (21 for aallyn's
    parts): aallyn's parts 15.1k -> 10.7k instructions a call, ally's 5.7k -> 4.3k (callgrind)."""
    namespace = dict(env)
    exec(compile(source, f"<{what} of policy {name}>", "exec"), namespace)  # noqa: S102 (our own source)
    fn = namespace["run"]
    fn.source = source  # for reading and for tests
    return fn


def prelude(policy: Policy):
    """run(order, ctx) -> (protected line ids, Σ(price × quantity − discount) over the other lines).

    The merchandise value is only ever read by `merchandise_value_*` conditions: a policy without one keeps
    the reader's ZERO and skips the Decimal arithmetic (3 Decimal operations a line, most of this function).
    A line of quantity 1 is not multiplied (price × 1 is price, exponent included). The protection lines are
    found in the same loop that sums; when one is found (rare) the sum is taken again without the lines of
    a protected id, as before. Measured on the bench's 3-line orders (callgrind, instructions per call):
    ally 10.1k -> 1.6k, novus 10.6k -> 2.4k, aallyn 12.8k -> 8.2k."""
    env: dict = {"_ZERO": ZERO}
    merch = policy.reads(_MERCH_KEYS)  # whether any condition reads the merchandise value
    add = ["            merch += (line.price if line.quantity == 1 else line.price * line.quantity) - line.discount"]
    if policy.protection is None:
        if not merch:
            body = ["    return set(), _ZERO"]
        else:
            body = ["    merch = _ZERO", "    for line in order.lines:", *(a[4:] for a in add), "    return set(), merch"]
    else:
        source, _ = Exprs(env).cond(policy.protection.line)
        body = ["    found = set()", "    merch = _ZERO", "    for line in order.lines:", "        ctx.line = line",
                f"        if {source}:", "            found.add(line.id)"]
        if merch:
            body += ["        else:", *add, "    if found:", "        merch = _ZERO", "        for line in order.lines:",
                     "            if line.id not in found:", *(f"    {a}" for a in add)]
        body += ["    return found, merch" if merch else "    return found, _ZERO"]
    return _exec("\n".join(["def run(order, ctx):", *body, ""]), env, policy.name, "prelude")


_MERCH_KEYS = ("merchandise_value_above", "merchandise_value_at_least", "merchandise_value_below",
               "merchandise_value_at_most")


def parts(policy: Policy, calendar, rates: tuple):
    """run(order, ctx, purchased) -> engine._order_parts's answer; `calendar`: the compiled ship-by calendar
    (or None), `rates`: shipping.shipping_rates(policy) (their rate texts formatted once)."""
    env: dict = {"_calendar": calendar}
    ex = Exprs(env)
    out = ["def run(order, ctx, purchased):", "    line = ctx.line", "    unknown = []"]
    out += _signature(policy, ex)
    out += _protection(policy, ex)
    out += _shipping(policy, ex, calendar, rates)
    out += _tax(policy, ex)
    out += _blocks(policy, ex)
    out += ["    return signature, protection, shipping, tax, blocked, tuple(unknown)", ""]
    return _exec("\n".join(out), env, policy.name, "order parts")


def _signature(policy: Policy, ex: Exprs) -> list:
    """The first rule known to match requires a signature; the undetermined ones before it are reported
    only when none matches (shipping.signature_outcome)."""
    out = ["    signature = False", "    held = []"]
    for rule in policy.signature:
        source, three = ex.cond(rule.cond)
        out += ["    if not signature:", f"        v = {source}", "        if v:", "            signature = True"]
        if three:
            out += ["        elif v is None:", f"            held.append(('signature_required', {rule.info.id!r}))"]
    return out + ["    if not signature and held:", "        unknown += held"]


def _protection(policy: Policy, ex: Exprs) -> list:
    if policy.protection is None:
        return ["    protection = {'offered': False, 'price': None, 'purchased': purchased}"]
    source, three = ex.cond(policy.protection.offered)
    price = ex.const(fmt(policy.protection.price))
    out = [f"    offered = {source}"]
    if three:
        out += ["    if offered is None:", f"        unknown.append(('return_protection', {policy.protection.info.id!r}))",
                "        offered = False"]
    return out + [f"    protection = {{'offered': offered, 'price': {price} if offered else None, "
                  "'purchased': purchased}"]


def _shipping(policy: Policy, ex: Exprs, calendar, rates: tuple) -> list:
    if policy.shipping is None:
        return ["    shipping = None"]
    out = ["    rate = None"]
    for rate, (_, text, rule_id) in zip(policy.shipping.rates, rates):
        source, three = ex.cond(rate.cond)
        out += ["    if rate is None:", f"        v = {source}", "        if v:", f"            rate = {ex.const(text)}"]
        if three:
            out += ["        elif v is None:", f"            unknown.append(('shipping', {rule_id!r}))"]
    by = "_calendar.ships_by_text(order.local_date)" if calendar is not None else "None"
    return out + [f"    shipping = {{'rate': rate, 'currency': {ex.const(policy.shipping.currency)}, 'ships_by': {by}}}"]


def _tax(policy: Policy, ex: Exprs) -> list:
    tax = policy.sales_tax
    if tax is None:
        return ["    tax = None"]
    country, states = ex.const(tax.country), ex.const(tax.states)
    return [f"    if order.country is None or (order.country == {country} and order.province is None):",
            f"        unknown.append(('sales_tax', {tax.info.id!r}))", "        tax = False",
            "    else:", f"        start = {states}.get(order.province) if order.country == {country} else None",
            "        tax = start is not None and order.local_date >= start"]


def _blocks(policy: Policy, ex: Exprs) -> list:
    out = ["    blocked = []"]
    for block in policy.blocks:
        source, three = ex.cond(block.cond)
        out += [f"    v = {source}", "    if v:",
                f"        blocked.append({{'rule': {block.info.id!r}, 'message': {ex.const(block.message)}}})"]
        if three:
            out += ["    elif v is None:", f"        unknown.append(('blocked', {block.info.id!r}))"]
    return out
