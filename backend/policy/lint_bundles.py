"""Lint for [[bundles]]: gift rules that can never trigger or never change a return (warnings only)."""
from __future__ import annotations


def bundles(policy, warn, impossible) -> None:
    """`impossible(when)`: lint's own check of a condition table that can never match."""
    for rule in policy.bundles:
        why = _never(rule, impossible)
        if why:
            warn(rule.info, f"bundle '{rule.info.id}' can never trigger: {why}")
        if rule.outcome == "store_credit" and "refund" not in rule.resolutions:
            warn(rule.info, f"bundle '{rule.info.id}' never changes a return: outcome store_credit pays a refund "
                            f"as store credit, but the rule does not cover refunds")
        if "exchange" in rule.resolutions:
            warn(rule.info, f"bundle '{rule.info.id}' covers exchanges, which pay nothing back: an exchange keeps "
                            f"the order's value, so nothing is deducted or credited on one")


def _never(rule, impossible) -> str | None:
    """Why the bundle cannot break, or None."""
    for part, cond in (("gift", rule.gift), ("members", rule.members)):
        if cond is not None and (why := impossible(cond.when)):
            return f"its {part} conditions never match ({why})"
    if rule.members is not None and _same(rule.gift, rule.members):
        return "its members are its gift lines, and a gift is never a member"
    if rule.threshold_items == 0:
        return "the member units kept can never be fewer than a threshold of 0 items"
    if rule.threshold is not None:
        if rule.threshold == 0:
            return "the members kept can never be worth less than a threshold of 0"
        when = rule.cond.when
        below, most = when.get("merchandise_value_below"), when.get("merchandise_value_at_most")
        if (below is not None and below <= rule.threshold) or (most is not None and most < rule.threshold):
            return (f"it only covers orders whose merchandise is worth less than its threshold {rule.threshold}, "
                    f"which never earned the gift")
    return None


def _same(a, b) -> bool:
    return a.when == b.when and a.when_any == b.when_any and a.unless == b.unless
