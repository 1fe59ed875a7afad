"""Policy lint: warnings that never stop a policy from loading.

* rules that can never fire (self-contradictory conditions, no effect, always overridden or outranked);
* overlapping rules with different outcomes for the same resolution, unless the later rule is an exception
  to the earlier one (its conditions imply the earlier's: "general rules first, exceptions after", the
  documented idiom) or names it in `overrides` (the author says the later rule wins on purpose). Two classes
  on one line are not reported: class precedence is the language's rule, not an accident of order;
* contradictions the author recorded from the policy text (`contradicts` on a rule, `[[contradictions]]`);
* stale sentences: a rule's text quoting days, an amount or a percentage that no rule's fields say (lint_text).
"""
from __future__ import annotations

from backend.policy.describe import window
from backend.policy.errors import Problem
from backend.policy.lint_bundles import bundles
from backend.policy.lint_text import message as stale_message
from backend.policy.lint_text import policy_stale
from backend.policy.model import CLASS_PERMITS, PRECEDENCE, Policy

_BOUNDS = (("unit_price", "line"), ("merchandise_value", "order"), ("discount_percent", "line"))


def lint(policy: Policy) -> list[Problem]:
    out: list[Problem] = []

    def warn(info, message: str) -> None:
        out.append(Problem(policy.source_name, info.line, info.col, message, "warning"))

    for rule in policy.all_rules():
        cond = getattr(rule, "cond", None)
        if cond is not None and (why := impossible(cond.when)):
            warn(rule.info, f"rule '{rule.info.id}' can never fire: {why}")
    _line_rules(policy, warn, _acknowledged(policy))
    _tiers(policy, warn)
    bundles(policy, warn, impossible)
    for rule in policy.bonus_credit:
        if rule.cap is not None and rule.amount is not None and rule.amount > rule.cap:
            warn(rule.info, f"bonus '{rule.info.id}' of {rule.amount} always exceeds its cap {rule.cap}: "
                            f"the cap is what is given")
        if rule.cap is not None and rule.cap == 0:
            warn(rule.info, f"bonus '{rule.info.id}' has a cap of 0: it never gives anything")
    for rule in policy.rules:
        for text, note in rule.contradicts:
            warn(rule.info, f"rule '{rule.info.id}' contradicts the policy text \"{text}\": {note}")
    for c in policy.contradictions:
        warn(c.info, f"the policy text contradicts itself: \"{c.info.text}\" versus \"{c.conflicts_with}\": {c.note}")
    for rule, quotes in policy_stale(policy.all_rules()):
        warn(rule.info, stale_message(rule.info.id, quotes))
    return sorted(out, key=lambda p: (p.line, p.col))


def impossible(when: dict) -> str | None:
    """Why a condition table can never match, or None."""
    for prefix, _ in _BOUNDS:
        low = [when[k] for k in (f"{prefix}_above", f"{prefix}_at_least") if k in when]
        high = [when[k] for k in (f"{prefix}_below", f"{prefix}_at_most") if k in when]
        if low and high and max(low) > min(high):
            return f"{prefix.replace('_', ' ')} bounds exclude each other"
    for prefix in ("days_elapsed", "exchanges_before"):
        if when.get(f"{prefix}_at_least", 0) > when.get(f"{prefix}_at_most", when.get(f"{prefix}_at_least", 0)):
            return f"{prefix}_at_least is more than {prefix}_at_most"
    if "order_date_from" in when and "order_date_to" in when and when["order_date_from"] > when["order_date_to"]:
        return "order_date_from is after order_date_to"
    if "ship_to_country" in when and when["ship_to_country"] <= when.get("ship_to_country_not", frozenset()):
        return "every listed country is also excluded"
    if "line_class" in when and when["line_class"] <= when.get("line_class_not", frozenset()):
        return "every listed class is also excluded"
    return None


def disjoint(a, b) -> bool:
    """True when no line can match both condition sets (a conservative check)."""
    if _tables_disjoint(a.when, b.when):
        return True
    return bool((a.unless and _contains(b.when, a.unless)) or (b.unless and _contains(a.when, b.unless)))


def _tables_disjoint(x: dict, y: dict) -> bool:
    for key in x.keys() & y.keys():
        vx, vy = x[key], y[key]
        if isinstance(vx, bool) and vx is not vy:
            return True
        if isinstance(vx, frozenset) and key not in ("ship_to_country_not", "line_class_not") and not vx & vy:
            return True
    for pos, neg in (("ship_to_country", "ship_to_country_not"), ("line_class", "line_class_not")):
        if pos in x and neg in y and x[pos] <= y[neg] or pos in y and neg in x and y[pos] <= x[neg]:
            return True
    lo_x, hi_x = x.get("order_date_from"), x.get("order_date_to")
    lo_y, hi_y = y.get("order_date_from"), y.get("order_date_to")
    return bool((hi_x and lo_y and hi_x < lo_y) or (hi_y and lo_x and hi_y < lo_x))


def _contains(when: dict, unless: dict) -> bool:
    return all(when.get(k) == v for k, v in unless.items())


def _unconditional(cond) -> bool:
    return not cond.when and not cond.when_any and not cond.unless


def _acknowledged(policy: Policy) -> set[tuple[str, str]]:
    """(earlier id, later id) pairs the author declared with `overrides` on the later rule."""
    return {(earlier, raw["id"]) for raw in policy.raw.get("rules", []) for earlier in raw.get("overrides", [])}


def implies(a, b) -> bool:
    """True when every line matching `a` matches `b` (a conservative check): `a` is an exception to `b`."""
    return not b.when_any and not b.unless and all(_narrower(k, v, a.when) for k, v in b.when.items())


def _narrower(key: str, value, when: dict) -> bool:
    if key not in when:
        return False
    if isinstance(value, frozenset):
        return when[key] <= value if not key.endswith("_not") else when[key] >= value
    return when[key] == value


def _line_rules(policy: Policy, warn, acknowledged: set) -> None:
    rules = policy.rules
    for i, rule in enumerate(rules):
        if rule.cls is None and not rule.windows:
            warn(rule.info, f"rule '{rule.info.id}' has no effect (no class, no windows)")
        masked = [res for res, win in rule.windows.items()
                  if win is not None and CLASS_PERMITS.get(rule.cls) is not None and res not in CLASS_PERMITS[rule.cls]]
        if masked:
            warn(rule.info, f"rule '{rule.info.id}' sets a {masked[0].replace('_', ' ')} window that its class "
                            f"{rule.cls} never permits")
        later = [r for r in rules[i + 1:] if _unconditional(r.cond)]
        if rule.windows and all(any(res in r.windows for r in later) for res in rule.windows) and later:
            warn(rule.info, f"rule '{rule.info.id}' never shapes a window: a later rule for every line overrides it")
        outranked = [r for r in rules if r.cls and rule.cls and _unconditional(r.cond)
                     and PRECEDENCE[r.cls] > PRECEDENCE[rule.cls]]
        if outranked:
            warn(rule.info, f"rule '{rule.info.id}' never sets the class: '{outranked[0].info.id}' "
                            f"gives every line the higher class {outranked[0].cls}")
        for other in rules[i + 1:]:
            if (rule.info.id, other.info.id) not in acknowledged and not implies(other.cond, rule.cond):
                _overlap(rule, other, warn)


_DAY_KEYS = ("days_elapsed_at_least", "days_elapsed_at_most")
_RANGES = ("days_elapsed", "exchanges_before")  # tier keys: {prefix}_at_least / {prefix}_at_most
_TIER_KEYS = tuple(f"{p}_{end}" for p in _RANGES for end in ("at_least", "at_most"))


def _tiers(policy: Policy, warn) -> None:
    """Lateness tiers: a tier past every window can never apply; two fees of one kind (or two bonuses)
    whose day or exchange-count ranges overlap (all else equal) both apply on what they share."""
    longest = _longest_windows(policy)
    for rule in (*policy.fees, *policy.return_rules, *policy.bonus_credit):
        first = rule.cond.when.get("days_elapsed_at_least")
        resolutions = getattr(rule, "resolutions", None) or (
            frozenset({"store_credit"}) if rule in policy.bonus_credit else frozenset(longest))
        reach = max((longest.get(r, -1) for r in resolutions), default=-1)
        if first is not None and first > reach:
            warn(rule.info, f"rule '{rule.info.id}' can never apply: it starts on day {first}, "
                            f"but no window it covers lasts past day {max(reach, 0)}")
    for group, what in ((policy.fees, "fees"), (policy.bonus_credit, "bonuses")):
        tiers = [f for f in group if any(k in f.cond.when for k in _TIER_KEYS)]
        for i, one in enumerate(tiers):
            for other in tiers[i + 1:]:
                if _same_but_tiers(one, other) and all(_overlap_in(one.cond.when, other.cond.when, p) for p in _RANGES):
                    kind = f"{one.kind} fees are charged" if what == "fees" else "bonuses are given"
                    warn(other.info, f"tiers '{one.info.id}' and '{other.info.id}' overlap: both {kind} "
                                     f"where their days or exchange counts meet")


def _longest_windows(policy: Policy) -> dict:
    """resolution -> the most days any window for it gives."""
    out: dict = {}
    for rule in policy.rules:
        for res, win in rule.windows.items():
            if win is not None:  # a return-by date may lie any number of days after the anchor
                out[res] = max(out.get(res, 0), win.days if win.until is None else 10 ** 6)
    return out


def _same_but_tiers(a, b) -> bool:
    rest = ({k: v for k, v in x.cond.when.items() if k not in _TIER_KEYS} for x in (a, b))
    same_kind = getattr(a, "kind", None) == getattr(b, "kind", None)
    shared = getattr(a, "resolutions", frozenset({"store_credit"})) & getattr(b, "resolutions", frozenset({"store_credit"}))
    return (same_kind and next(rest) == next(rest) and a.cond.when_any == b.cond.when_any
            and a.cond.unless == b.cond.unless and bool(shared))


def _overlap_in(x: dict, y: dict, prefix: str) -> bool:
    low = max(x.get(f"{prefix}_at_least", 0), y.get(f"{prefix}_at_least", 0))
    high = min(x.get(f"{prefix}_at_most", 10 ** 9), y.get(f"{prefix}_at_most", 10 ** 9))
    return low <= high


def _overlap(first, second, warn) -> None:
    if disjoint(first.cond, second.cond):
        return
    for res in first.windows.keys() & second.windows.keys():
        if first.windows[res] != second.windows[res]:
            warn(second.info, f"rules '{first.info.id}' and '{second.info.id}' overlap with different outcomes: "
                              f"{window(res, first.windows[res])} versus {window(res, second.windows[res])}; "
                              f"'{second.info.id}' wins (later in the file; if that is meant, add "
                              f"overrides = [\"{first.info.id}\"] to '{second.info.id}')")
            return
