"""One builder per TOML section: raw tables -> model objects (or problems)."""
from __future__ import annotations

import re
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.policy import codes
from backend.policy import model as m
from backend.policy.calendar import WEEKDAYS, is_holiday_key
from backend.policy.errors import did_you_mean
from backend.policy.money import HUNDRED, parse_money
from backend.policy.reader import COND_FIELDS, INFO_FIELDS, Reader

ORDER, LINE, ALL = ("order",), ("order", "line"), ("order", "line", "class", "return")


def _str(v):
    if not isinstance(v, str) or not v.strip():
        raise ValueError("must be a non-empty string")
    return v.strip()


def _int(v):
    if isinstance(v, bool) or not isinstance(v, int) or v < 0:
        raise ValueError("must be a whole number, 0 or more")
    return v


def _bool(v):
    if not isinstance(v, bool):
        raise ValueError("must be true or false")
    return v


def _enum(*choices):
    def convert(v):
        if v not in choices:
            raise ValueError(f"'{v}' is not one of {', '.join(choices)}{did_you_mean(v, choices)}")
        return v
    return convert


def _not_negative(what: str):
    def convert(v):
        found = parse_money(v)
        if found < 0:
            raise ValueError(f"must not be negative (got {v}){what}")
        return found
    return convert


# Money a merchant charges or sets (a fee, a rate, a price, a bonus): never negative.
_amount = _not_negative("")


def _percent(v):
    if not 0 <= (share := parse_money(v)) <= HUNDRED:
        raise ValueError(f"must be a percentage from 0 to 100 (got {v})")
    return share


def _resolutions(v):
    if not isinstance(v, list) or not v or any(r not in m.RESOLUTIONS for r in v):
        raise ValueError(f"must be a list of {', '.join(m.RESOLUTIONS)}")
    return frozenset(v)


def _windows(v):
    if not isinstance(v, dict):
        raise ValueError("must be a table of resolution = { days, from } or false")
    out = {}
    for res, spec in v.items():
        if res not in m.RESOLUTIONS:
            raise ValueError(f"unknown resolution '{res}' (expected {', '.join(m.RESOLUTIONS)})")
        if spec is False:
            out[res] = None
        elif isinstance(spec, dict):
            out[res] = _window(res, spec)
        else:
            raise ValueError(f"'{res}' must be {{ days = N, from = \"delivery|shipment|order\" }}, "
                             f"{{ until = DATE or \"MM-DD\" }} or false")
    return out


_WINDOW_KEYS = ("days", "from", "until")


def _at(exc: ValueError, *path) -> ValueError:
    """`exc`, marked with where inside the field it points (Reader.fields reports that position)."""
    exc.at = path
    return exc


def _window(res: str, spec: dict) -> m.Window:
    unknown = [k for k in spec if k not in _WINDOW_KEYS]
    if unknown:
        hint = did_you_mean(unknown[0], _WINDOW_KEYS) or " (expected days, from, until)"
        raise _at(ValueError(f"unknown window field '{unknown[0]}' in '{res}'{hint}"), res, unknown[0])
    if ("days" in spec) != ("from" in spec) or not spec:
        raise _at(ValueError(f"'{res}' needs both 'days' and 'from', or 'until', or all three"), res)
    if "from" in spec and spec["from"] not in m.ANCHORS:
        raise _at(ValueError(f"'{res}': from '{spec['from']}' is not one of {', '.join(m.ANCHORS)}"), res, "from")
    try:
        days = _int(spec["days"]) if "days" in spec else None
    except ValueError as exc:
        raise _at(ValueError(f"'{res}': days {exc}"), res, "days") from None
    until = _until(res, spec["until"]) if "until" in spec else None
    return m.Window(days, spec.get("from", "order"), until)


def _until(res: str, value):
    """A return-by date: a TOML date, or "MM-DD" recurring every year (the first one on or after the order)."""
    if isinstance(value, date):
        return value
    text = value.strip() if isinstance(value, str) else ""
    try:
        month, day = (int(x) for x in text.split("-")) if len(text) == 5 and text[2] == "-" else (0, 0)
        date(2000, month, day)  # a leap year: "02-29" is a month-day, though most years lack it
    except ValueError:
        raise _at(ValueError(f"'{res}': until must be a date (YYYY-MM-DD) or a month-day \"MM-DD\""),
                  res, "until") from None
    if (month, day) == (2, 29):
        raise _at(ValueError(f"'{res}': until \"02-29\" does not recur every year"), res, "until")
    return (month, day)


def _zone(v):
    try:
        ZoneInfo(_str(v))
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone '{v}'") from None
    return v


def _date(v):
    if isinstance(v, date):
        return v
    return date.fromisoformat(_str(v))


def _spec(*names, **fields):
    spec = {k: (k in ("id", "title", "text"), None) for k in INFO_FIELDS + names}
    spec.update(fields)
    return spec


def _rule(r: Reader, path, data, section, spec, scopes=LINE):
    checked = r.fields(data, path, _spec(*COND_FIELDS, **spec), section)
    info = r.info(data, path, section)
    cond = r.cond(data, path, scopes)
    if checked is None or info is None or cond is None:
        return None
    return info, cond, checked


def line_rule(r, path, data):
    spec = {"class": (False, _enum(*m.CLASSES)), "windows": (False, _windows),
            "contradicts": (False, None), "note": (False, _str), "overrides": (False, _ids)}
    earlier = set(r.ids)  # ids of the rules above this one
    got = _rule(r, path, data, "[[rules]]", spec)
    if got is None or not _overrides_known(r, path, got[2].get("overrides", ()), earlier):
        return None
    info, cond, f = got
    contradicts = tuple(_contradiction(r, path + ("contradicts", i), c)
                        for i, c in enumerate(data.get("contradicts", [])))
    return m.LineRule(info, cond, f.get("class"), f.get("windows", {}), contradicts, f.get("note"))


def _ids(v):
    if not isinstance(v, list) or not v or not all(isinstance(i, str) for i in v):
        raise ValueError("must be a list of rule ids (not empty)")
    return tuple(v)


def _overrides_known(r: Reader, path, ids, earlier: set) -> bool:
    """`overrides` names rules written above this one (only a later rule can win over an earlier one)."""
    unknown = [(i, x) for i, x in enumerate(ids) if x not in earlier]
    for i, x in unknown:
        r.error(path + ("overrides", i), f"overrides: no [[rules]] entry above this one has id '{x}'"
                                         f"{did_you_mean(x, earlier)}")
    return not unknown


def _contradiction(r, path, data):
    if not isinstance(data, dict) or not isinstance(data.get("text"), str):
        r.error(path, "contradicts entries need 'text' (the conflicting sentence) and 'note'")
        return ("", "")
    return (" ".join(data["text"].split()), data.get("note", ""))


def return_rule(r, path, data):
    spec = {"refuse": (False, _bool), "allow_only": (False, _resolutions),
            "lifted_by_merchant_fault": (False, _bool)}
    got = _rule(r, path, data, "[[return_rules]]", spec, ALL)
    if got is None:
        return None
    info, cond, f = got
    if not f.get("refuse") and "allow_only" not in f:
        r.error(path, "[[return_rules]] needs 'refuse = true' or 'allow_only = [...]'")
        return None
    return m.ReturnRule(info, cond, f.get("refuse", False), f.get("allow_only"),
                        f.get("lifted_by_merchant_fault", True))


_BONUS_HINT = "; extra store credit is a [[bonus_credit]] rule, not a negative fee"
_FEE_MONEY = _not_negative(_BONUS_HINT)


def _fee_percent(v):
    try:
        return _percent(v)
    except ValueError as exc:
        raise ValueError(f"{exc}{_BONUS_HINT}" if parse_money(v) < 0 else str(exc)) from None


def bonus_rule(r, path, data):
    spec = {"amount": (False, _amount), "percent": (False, _amount), "cap": (False, _amount)}
    got = _rule(r, path, data, "[[bonus_credit]]", spec, ALL)
    if got is None:
        return None
    info, cond, f = got
    if ("amount" in f) == ("percent" in f):
        r.error(path, "[[bonus_credit]] needs exactly one of 'amount' (per request) or 'percent' (of each line)")
        return None
    return m.BonusRule(info, cond, f.get("amount"), f.get("percent"), f.get("cap"))


def fee_rule(r, path, data):
    spec = {"kind": (True, _enum(*m.FEE_KINDS)), "amount": (False, _FEE_MONEY), "percent": (False, _fee_percent),
            "resolutions": (False, _resolutions), "waived_for_merchant_fault": (False, _bool),
            "waived_by_protection": (False, _bool), "per": (False, _enum("request", "item", "order"))}
    got = _rule(r, path, data, "[[fees]]", spec, ALL)
    if got is None:
        return None
    info, cond, f = got
    if ("amount" in f) == ("percent" in f):
        r.error(path, "[[fees]] needs exactly one of 'amount' (per request) or 'percent' (per line)")
        return None
    if "per" in f and "amount" not in f:
        r.error(path + ("per",), "[[fees]] 'per' applies to a flat 'amount' (a percentage is per line already)")
        return None
    return m.FeeRule(info, cond, f["kind"], f.get("amount"), f.get("percent"),
                     f.get("resolutions", frozenset(m.RESOLUTIONS)),
                     f.get("waived_for_merchant_fault", True), f.get("waived_by_protection", False),
                     f.get("per") == "item", f.get("per") == "order")


_BUNDLE_CONDS = tuple(f"{part}_{key}" for part in ("gift", "members") for key in ("when", "when_any", "unless"))
_BUNDLE_RESOLUTIONS = frozenset({"refund", "store_credit"})


def bundle_rule(r, path, data):
    """[[bundles]]: order-level `when`; `gift_when…` and `members_when…` pick lines (bundles.py decides)."""
    spec = {**{k: (False, None) for k in _BUNDLE_CONDS}, "outcome": (True, _enum(*m.BUNDLE_OUTCOMES)),
            "threshold": (False, _amount), "threshold_items": (False, _int), "gift_value": (False, _amount),
            "resolutions": (False, _resolutions)}
    got = _rule(r, path, data, "[[bundles]]", spec, ORDER)
    gift = r.cond(data, path, LINE + ("class",), "gift_")
    given = any(k.startswith("members_") for k in data)
    members = r.cond(data, path, LINE + ("class",), "members_") if given else None
    if got is None or gift is None or (given and members is None):
        return None
    if not data.get("gift_when") and not data.get("gift_when_any"):
        r.error(path, "[[bundles]] needs 'gift_when' or 'gift_when_any' (how the gift lines are recognised)")
        return None
    info, cond, f = got
    if "threshold" in f and "threshold_items" in f:
        r.error(path + ("threshold_items",), "[[bundles]] takes 'threshold' (money) or 'threshold_items' (units), "
                                             "not both")
        return None
    if "gift_value" in f and f["outcome"] != "deduct":
        r.error(path + ("gift_value",), "[[bundles]] 'gift_value' is what 'outcome = \"deduct\"' deducts; "
                                        f"outcome is '{f['outcome']}'")
        return None
    if f["outcome"] == "split":
        extra = next((k for k in ("threshold", "threshold_items", "gift_value") if k in f), None)
        if extra:
            r.error(path + (extra,), f"[[bundles]] '{extra}' has no meaning with 'outcome = \"split\"' (every unit "
                                     "of the bundle is worth an equal share of what it was paid)")
            return None
    return m.BundleRule(info, cond, gift, members, f["outcome"], f.get("threshold"), f.get("gift_value"),
                        f.get("resolutions", _BUNDLE_RESOLUTIONS), f.get("threshold_items"))


def price_adjustment_rule(r, path, data):
    spec = {"resolution": (True, _enum("refund", "store_credit", "none")), "days": (True, _int),
            "from": (False, _enum(*m.ANCHORS))}
    got = _rule(r, path, data, "[[price_adjustments]]", spec, ("order", "line", "class"))
    if got is None:
        return None
    info, cond, f = got
    resolution = None if f["resolution"] == "none" else f["resolution"]
    return m.PriceAdjustmentRule(info, cond, resolution, f["days"], f.get("from", "order"))


def protection(r, path, data):
    conds = ("offered_when", "offered_when_any", "offered_unless", "line_when", "line_when_any", "line_unless")
    checked = r.fields(data, path, _spec(*conds, price=(True, _amount)), "[protection]")
    info = r.info(data, path, "[protection]")
    offered = r.cond(data, path, ORDER, "offered_")
    line = r.cond(data, path, LINE, "line_")
    if not data.get("line_when") and not data.get("line_when_any"):
        r.error(path, "[protection] needs 'line_when' or 'line_when_any' (how the protection line is recognised)")
        return None
    if None in (checked, info, offered, line):
        return None
    return m.Protection(info, checked["price"], offered, line)


def order_rule(r, path, data, section="[[signature]]"):
    spec = {"message": (section == "[[blocks]]", _str)}
    got = _rule(r, path, data, section, spec, ORDER)
    return None if got is None else m.OrderRule(got[0], got[1], got[2].get("message"))


def sales_tax(r, path, data):
    def states(v):
        if not isinstance(v, dict) or not v:
            raise ValueError("must be a table of PROVINCE = date")
        return {k.upper(): _date(d) for k, d in v.items()}
    checked = r.fields(data, path, _spec(country=(False, codes.country), states=(True, states)), "[sales_tax]")
    info = r.info(data, path, "[sales_tax]")
    if checked is None or info is None or not _provinces_known(r, path, checked.get("country", "US"), data["states"]):
        return None
    return m.SalesTax(info, checked.get("country", "US").upper(), checked["states"])


def _provinces_known(r: Reader, path, country: str, states: dict) -> bool:
    bad = [(key, why) for key in states if (why := codes.province_problem(country, key))]
    for key, why in bad:
        r.error(path + ("states", key), f"field 'states': {why}")
    return not bad


def contradiction(r, path, data):
    spec = _spec(conflicts_with=(True, _str), note=(True, _str))
    checked, info = r.fields(data, path, spec, "[[contradictions]]"), r.info(data, path, "[[contradictions]]")
    return None if checked is None or info is None else m.Contradiction(info, checked["conflicts_with"],
                                                                       checked["note"])


def weekdays(v):
    if not isinstance(v, list) or any(d not in WEEKDAYS for d in v):
        raise ValueError(f"must be a list of {', '.join(WEEKDAYS)}")
    return frozenset(WEEKDAYS[d] for d in v)


def holiday_keys(v):
    if not isinstance(v, list) or any(not isinstance(k, str) or not is_holiday_key(k) for k in v):
        bad = next((k for k in v if not is_holiday_key(str(k))), v) if isinstance(v, list) else v
        raise ValueError(f"unknown holiday '{bad}' (a named holiday or 'MM-DD')")
    return tuple(v)


def holiday_key(v):
    return holiday_keys([v])[0]


def condition_words(v):
    """The policy's item-condition vocabulary: lower-case words; `new` (what a request without a condition
    means) and the built-in `worn` and `damaged` are always part of it."""
    if not isinstance(v, list) or not v or not all(isinstance(w, str) and re.fullmatch(r"[a-z][a-z0-9_]*", w)
                                                   for w in v):
        raise ValueError("must be a list of lower-case words (letters, digits, '_'), e.g. [\"unopened\"]")
    return tuple(dict.fromkeys([*m.CONDITIONS, *v]))


POLICY_SPEC = {"name": (True, _str), "title": (True, _str), "timezone": (True, _zone),
               "currency": (True, codes.currency), "seed": (False, _str), "delivery_fallback": (False, None),
               "conditions": (False, condition_words)}
FALLBACK_SPEC = {"days": (True, _int), "text": (True, _str), "id": (False, _str), "title": (False, _str)}
SHIP_BY_SPEC = {"business_days": (False, _int), "weekend": (False, weekdays), "holidays": (False, holiday_keys),
                "country": (False, codes.country), "seasons": (False, None)}
SEASON_SPEC = {"from": (True, holiday_key), "to": (True, holiday_key), "business_days": (True, _int)}
int_field, str_field, amount_field = _int, _str, _amount
