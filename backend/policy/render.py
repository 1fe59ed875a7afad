"""The shopper-facing policy page (Markdown), generated from the rules so it cannot drift from what is enforced.

The page states only what the rules say, as of the day it is rendered (in the shop's time zone): a rule
whose order dates have all passed is not shown, one whose dates have not begun says when it starts.
Nothing is stated that no rule says (no stock sentences about shipping fees or the like).
"""
from __future__ import annotations

from datetime import date, datetime

from backend.policy import describe as d
from backend.policy.model import RESOLUTIONS, Policy

_DAY_NAMES = ("Mondays", "Tuesdays", "Wednesdays", "Thursdays", "Fridays", "Saturdays", "Sundays")  # 0 = Monday


def render(policy: Policy, now: datetime) -> str:
    """The page as of `now` (an aware datetime: its local date in the shop's zone decides what is current)."""
    today = now.astimezone(policy.tz).date()
    sections = [_windows(policy, today), _exclusions(policy, today), _condition(policy, today),
                _fees(policy, today), _bonus(policy, today), _bundles(policy, today),
                _protection(policy), _price_adjustments(policy, today),
                _shipping(policy, today), _tax(policy, today)]
    body = "".join(s for s in sections if s)
    return f"# {policy.title} — Returns, exchanges and shipping\n\n{body}"


def _section(title: str, items: list[str]) -> str:
    return f"## {title}\n\n" + "".join(f"- {item}\n" for item in items) + "\n" if items else ""


def _current(rules, today: date) -> list:
    """Rules a shopper can still be subject to: not those whose last order date has passed."""
    return [r for r in rules if not (r.cond.when.get("order_date_to") and r.cond.when["order_date_to"] < today)]


def _item(rule, today: date, scope: str, terms: str) -> str:
    start = rule.cond.when.get("order_date_from")
    upcoming = f"Starts {d.day(start)}. " if start and start > today else ""
    return f"**{rule.info.title}.** {upcoming}{scope}: {terms}."


def _scope(cond, default: str) -> str:
    text = d.conditions(cond)
    return f"For {text}" if text else default


def _windows(policy: Policy, today: date) -> str:
    rules = [r for r in _current(policy.rules, today) if r.windows]
    items = [_item(rule, today, _window_scope(rule, rules[i + 1:]),
                   "; ".join(d.window(r, rule.windows[r]) for r in RESOLUTIONS if r in rule.windows))
             for i, rule in enumerate(rules)]
    if policy.delivery_fallback:
        items.append(f"If the carrier never confirms delivery, we count delivery as "
                     f"{policy.delivery_fallback.days} days after shipment.")
    return _section("How long you have", items)


def _window_scope(rule, later: list) -> str:
    """Who a rule's windows reach: a rule for everything still yields to later rules that replace all its
    windows (a US rule followed by an international one is not "All orders")."""
    if d.conditions(rule.cond):
        return _scope(rule.cond, "")
    overriding = [r.cond for r in later if d.conditions(r.cond) and set(rule.windows) <= set(r.windows)]
    inside = [c.when["ship_to_country_not"] for c in overriding if _only_outside(c)]
    others = [d.conditions(c) for c in overriding if not _only_outside(c)]
    if not overriding:
        return "All orders"
    scope = "For " + d.conditions(_Only(frozenset.intersection(*inside))) if inside else "For all orders"
    return scope + (" except " + " or ".join(others) if others else "")


def _only_outside(cond) -> bool:
    return set(cond.when) == {"ship_to_country_not"} and not cond.when_any and not cond.unless


class _Only:
    """A condition set of just `ship_to_country`, for describing where a rule is left to apply."""

    def __init__(self, countries):
        self.when, self.when_any, self.unless = {"ship_to_country": countries}, (), None


def _exclusions(policy: Policy, today: date) -> str:
    items = [_item(r, today, _scope(r.cond, "Every item"), d.CLASS_NAMES[r.cls])
             for r in _current(policy.rules, today) if r.cls and r.cls != "standard"]
    limited = " or exchange" if any(r.cls == "exchange_or_credit" for r in policy.rules) else ""
    return _section(f"What can't be returned (or only for store credit{limited})", items)


def _condition(policy: Policy, today: date) -> str:
    items = []
    for rule in _current(policy.return_rules, today):
        outcome = "not accepted" if rule.refuse else "accepted for " + " or ".join(
            d.RESOLUTION_NAMES[r] for r in RESOLUTIONS if r in rule.allow_only) + " only"
        lifted = " (unless it is our mistake: defective, wrong or extra item, not as described, carrier damage)" \
            if rule.lifted_by_merchant_fault else ""
        scope = d.conditions(rule.cond)
        items.append(_item(rule, today, scope[:1].upper() + scope[1:] if scope else "Every return", outcome + lifted))
    return _section("Condition", items)


def _fees(policy: Policy, today: date) -> str:
    items = []
    for fee in _current(policy.fees, today):
        name = _fee_name(fee)
        per = "item" if fee.per_item else "order (once, however many returns)" if fee.per_order else "return"
        size = (f"{d.money(fee.amount, policy.currency)} {name} per {per}" if fee.amount is not None
                else f"{fee.percent.normalize():f}% {name} per item")
        which = " or ".join(d.RESOLUTION_NAMES[r] for r in RESOLUTIONS if r in fee.resolutions)
        extras = []
        if fee.waived_for_merchant_fault:
            extras.append("waived when the return is our mistake")
        if fee.waived_by_protection and policy.protection:
            extras.append(f"waived with return protection ({d.money(policy.protection.price, policy.currency)})")
        scope = d.conditions(fee.cond)
        terms = f"{size} on {which}" + (f", for {scope}" if scope else "")
        terms += f"; {', '.join(extras)}" if extras else ""
        items.append(f"**{fee.info.title}.** {terms[:1].upper()}{terms[1:]}.")
    return _section("Fees", items)


def _fee_name(fee) -> str:
    """'restocking fee' only when the merchant calls it that (title or text); otherwise just 'fee', so a
    return-label charge recorded under another kind is never renamed on the shopper's page."""
    word = fee.kind.replace("_", " ")
    said = f"{fee.info.title} {fee.info.text}".lower()
    return f"{word} fee" if word in said else "fee"


def _bonus(policy: Policy, today) -> str:
    items = []
    for rule in _current(policy.bonus_credit, today):
        size = (f"{d.money(rule.amount, policy.currency)} extra store credit per return" if rule.amount is not None
                else f"{rule.percent.normalize():f}% extra store credit on each item")
        cap = f", up to {d.money(rule.cap, policy.currency)}" if rule.cap is not None else ""
        scope = d.conditions(rule.cond)
        items.append(f"**{rule.info.title}.** {size}{cap} when you choose store credit"
                     + (f", for {scope}" if scope else "") + ".")
    return _section("Store credit bonus", items)


def _bundles(policy: Policy, today) -> str:
    items = []
    for rule in _current(policy.bundles, today):
        gift = d.conditions(rule.gift)
        members = d.conditions(rule.members) if rule.members is not None else ""
        if rule.outcome == "split":
            text = (f"{members or 'Items'} and the free items that come with them ({gift}) share what you paid "
                    "for them equally: each one you return pays back its equal share")
            scope = d.conditions(rule.cond)
            items.append(_item(rule, today, f"For {scope}", text[:1].lower() + text[1:]) if scope
                         else f"**{rule.info.title}.** {text[:1].upper()}{text[1:]}.")
            continue
        if rule.threshold_items is not None:
            trigger = (f"A free gift ({gift}) comes with {rule.threshold_items} or more "
                       f"{members or 'items'}: if your return leaves fewer than that")
        elif rule.threshold is not None:
            of = f" of {members}" if members else ""
            trigger = (f"A free gift ({gift}) comes with orders of {d.money(rule.threshold, policy.currency)} "
                       f"or more{of}: if your return leaves less than that")
        else:
            trigger = f"If you return {members or 'items'} from an order that came with a free gift ({gift})"
        if rule.outcome == "deduct":
            value = f" ({d.money(rule.gift_value, policy.currency)})" if rule.gift_value is not None else ""
            outcome = f"its value{value} is deducted from what the return pays back"
        else:
            outcome = "the items you return are refunded as store credit"
        scope = d.conditions(rule.cond)
        text = f"{trigger}, send the gift back too; otherwise {outcome}"
        items.append(_item(rule, today, f"For {scope}", text[:1].lower() + text[1:]) if scope
                     else f"**{rule.info.title}.** {text}.")
    return _section("Free gifts and bundles", items)


def _protection(policy: Policy) -> str:
    p = policy.protection
    if p is None:
        return ""
    where = d.conditions(p.offered)
    waived = sorted({_fee_name(f) for f in policy.fees if f.waived_by_protection})
    text = (f"Add return protection for {d.money(p.price, policy.currency)} at checkout"
            + (f" ({where})" if where else "") + (f": it waives the {' and the '.join(waived)}." if waived else "."))
    if any(r.cls == "final_sale" for r in policy.rules):
        text += " It does not make final-sale items returnable."
    return _section("Return protection", [text])


def _price_adjustments(policy: Policy, today: date) -> str:
    items = []
    for rule in _current(policy.price_adjustments, today):
        scope = _scope(rule.cond, "All items")
        terms = "no price adjustment" if rule.resolution is None else (
            f"a one-time price adjustment as {d.RESOLUTION_NAMES[rule.resolution]} within {rule.days} days of "
            f"{d.ANCHOR_NAMES[rule.anchor]}")
        items.append(_item(rule, today, scope, terms))
    return _section("Price adjustments", items)


def _shipping(policy: Policy, today: date) -> str:
    items = []
    if policy.shipping:
        for rate in _current(policy.shipping.rates, today):
            price = "free" if not rate.rate else d.money(rate.rate, policy.shipping.currency) + " flat rate"
            items.append(_item(rate, today, _scope(rate.cond, "All orders"), price))
        items.extend(_ship_by(policy.shipping.ship_by))
    for rule in _current(policy.signature, today):
        items.append(_item(rule, today, _scope(rule.cond, "Every order"), "a signature is required on delivery"))
    items.extend(f"**{b.info.title}.** {b.message}" for b in _current(policy.blocks, today))
    return _section("Shipping", items)


def _ship_by(ship_by) -> list[str]:
    if ship_by is None:
        return []
    days = "the next business day" if ship_by.business_days == 1 else f"within {ship_by.business_days} business days"
    closed = [_DAY_NAMES[n] for n in sorted(ship_by.weekend)] + [d.holiday(k) for k in ship_by.holidays]
    items = [f"**{ship_by.info.title}.** Orders ship {days} after they are placed."
             + (f" We do not ship on {', '.join(closed[:-1])}{' or ' if len(closed) > 1 else ''}{closed[-1]}."
                if closed else "")]
    for season in ship_by.seasons:
        items.append(f"**{season.info.title}.** From {d.holiday(season.start)} to {d.holiday(season.end)} we take "
                     f"up to {season.business_days} business days to ship.")
    return items


def _tax(policy: Policy, today: date) -> str:
    tax = policy.sales_tax
    if tax is None:
        return ""
    states = ", ".join(f"{code} ({'since' if start <= today else 'starting'} {d.day(start)})"
                       for code, start in tax.states.items())
    return _section("Sales tax", [f"We collect sales tax on orders shipped to: {states}."])
