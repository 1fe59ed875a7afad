"""The shopper-facing policy page (Markdown), generated from the rules so it cannot drift from what is enforced."""
from __future__ import annotations

from backend.policy import describe as d
from backend.policy.model import RESOLUTIONS, Policy


def render(policy: Policy) -> str:
    sections = [_windows(policy), _exclusions(policy), _condition(policy), _fees(policy), _bonus(policy),
                _protection(policy),
                _price_adjustments(policy), _shipping(policy), _tax(policy)]
    body = "".join(s for s in sections if s)
    return f"# {policy.title} — Returns, exchanges and shipping\n\n{body}"


def _section(title: str, items: list[str]) -> str:
    return f"## {title}\n\n" + "".join(f"- {item}\n" for item in items) + "\n" if items else ""


def _scope(cond, default: str) -> str:
    text = d.conditions(cond)
    return f"For {text}" if text else default


def _windows(policy: Policy) -> str:
    items = []
    for rule in policy.rules:
        if not rule.windows:
            continue
        terms = "; ".join(d.window(r, rule.windows[r]) for r in RESOLUTIONS if r in rule.windows)
        items.append(f"**{rule.info.title}.** {_scope(rule.cond, 'All orders')}: {terms}.")
    if policy.delivery_fallback:
        items.append(f"If the carrier never confirms delivery, we count delivery as "
                     f"{policy.delivery_fallback.days} days after shipment.")
    return _section("How long you have", items)


def _exclusions(policy: Policy) -> str:
    items = [f"**{r.info.title}.** {_scope(r.cond, 'Every item')}: {d.CLASS_NAMES[r.cls]}."
             for r in policy.rules if r.cls and r.cls != "standard"]
    return _section("What can't be returned (or only for store credit)", items)


def _condition(policy: Policy) -> str:
    items = []
    for rule in policy.return_rules:
        outcome = "not accepted" if rule.refuse else "accepted for " + " or ".join(
            d.RESOLUTION_NAMES[r] for r in RESOLUTIONS if r in rule.allow_only) + " only"
        lifted = " (unless it is our mistake: defective, wrong or extra item, not as described, carrier damage)" \
            if rule.lifted_by_merchant_fault else ""
        items.append(f"**{rule.info.title}.** {_scope(rule.cond, 'Every return').replace('For ', '', 1)}: "
                     f"{outcome}{lifted}.")
    return _section("Condition", items)


def _fees(policy: Policy) -> str:
    items = []
    for fee in policy.fees:
        per = "item" if fee.per_item else "return"
        kind = fee.kind.replace("_", " ")
        size = (f"{d.money(fee.amount, policy.currency)} {kind} fee per {per}"
                if fee.amount is not None else f"{fee.percent.normalize()}% {kind} fee per item")
        which = " or ".join(d.RESOLUTION_NAMES[r] for r in RESOLUTIONS if r in fee.resolutions)
        extras = []
        if fee.waived_for_merchant_fault:
            extras.append("waived when the return is our mistake")
        if fee.waived_by_protection and policy.protection:
            extras.append(f"waived with return protection ({d.money(policy.protection.price, policy.currency)})")
        scope = d.conditions(fee.cond)
        items.append(f"**{fee.info.title}.** {size} on {which}" + (f", for {scope}" if scope else "")
                     + (f"; {', '.join(extras)}" if extras else "") + ".")
    items.append("Original shipping fees are not refunded.")
    return _section("Fees", items)


def _bonus(policy: Policy) -> str:
    items = []
    for rule in policy.bonus_credit:
        size = (f"{d.money(rule.amount, policy.currency)} extra store credit per return" if rule.amount is not None
                else f"{rule.percent.normalize():f}% extra store credit on each item")
        cap = f", up to {d.money(rule.cap, policy.currency)}" if rule.cap is not None else ""
        scope = d.conditions(rule.cond)
        items.append(f"**{rule.info.title}.** {size}{cap} when you choose store credit"
                     + (f", for {scope}" if scope else "") + ".")
    return _section("Store credit bonus", items)


def _protection(policy: Policy) -> str:
    p = policy.protection
    if p is None:
        return ""
    where = d.conditions(p.offered)
    return _section("Return protection", [
        f"Add return protection for {d.money(p.price, policy.currency)} at checkout"
        + (f" ({where})" if where else "") + ": it waives the restocking fee on your returns and exchanges. "
        "It does not make final-sale items returnable."])


def _price_adjustments(policy: Policy) -> str:
    items = []
    for rule in policy.price_adjustments:
        scope = _scope(rule.cond, "All items")
        if rule.resolution is None:
            items.append(f"**{rule.info.title}.** {scope}: no price adjustment.")
        else:
            items.append(f"**{rule.info.title}.** {scope}: a one-time price adjustment as "
                         f"{d.RESOLUTION_NAMES[rule.resolution]} within {rule.days} days of "
                         f"{d.ANCHOR_NAMES[rule.anchor]}.")
    return _section("Price adjustments", items)


def _shipping(policy: Policy) -> str:
    items = []
    if policy.shipping:
        for rate in policy.shipping.rates:
            price = "free" if not rate.rate else d.money(rate.rate, policy.shipping.currency) + " flat rate"
            items.append(f"**{rate.info.title}.** {_scope(rate.cond, 'All orders')}: {price}.")
        items.extend(_ship_by(policy.shipping.ship_by))
    for rule in policy.signature:
        items.append(f"**{rule.info.title}.** {_scope(rule.cond, 'Every order')}: a signature is required on delivery.")
    items.extend(f"**{b.info.title}.** {b.message}" for b in policy.blocks)
    return _section("Shipping", items)


def _ship_by(ship_by) -> list[str]:
    if ship_by is None:
        return []
    days = "the next business day" if ship_by.business_days == 1 else f"within {ship_by.business_days} business days"
    names = ", ".join(d.holiday(k) for k in ship_by.holidays)
    items = [f"**{ship_by.info.title}.** Orders ship {days} after they are placed. We do not ship on weekends"
             + (f" or on {names}" if names else "") + "."]
    for season in ship_by.seasons:
        items.append(f"**{season.info.title}.** From {d.holiday(season.start)} to {d.holiday(season.end)} we take "
                     f"up to {season.business_days} business days to ship.")
    return items


def _tax(policy: Policy) -> str:
    tax = policy.sales_tax
    if tax is None:
        return ""
    states = ", ".join(f"{code} (since {start:%B %-d, %Y})" for code, start in tax.states.items())
    return _section("Sales tax", [f"We collect sales tax on orders shipped to: {states}."])
