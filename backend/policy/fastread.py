"""The fast path for reading a well-formed decision request (contract §5).

Cheap type checks only; the first thing out of the ordinary raises `Unusual`, and parse_request then
reads the whole request again with the detailed, per-field reader (request.py), which reports errors
and accepts the odd-but-valid forms. For what it accepts this gives exactly what that reader gives
(tests/unit/policy/test_fast_path.py checks it on random requests).
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation

from backend.policy.fields import MAX_COUNT, MAX_MONEY
from backend.policy.model import CONDITIONS, MERCHANT_FAULT, REASONS, RESOLUTIONS
from backend.policy.moments import moment
from backend.policy.money import ZERO

_EMPTY = frozenset()
_AMOUNTS: dict[str, Decimal] = {}
AMOUNTS = _AMOUNTS  # the memo of money texts already read (fastorder.py looks there first)


class Unusual(Exception):
    """The request needs the detailed reader."""


def timestamp(o: dict, key: str, tz, required: bool):
    """(instant, local date), or None when absent and optional."""
    value = o.get(key)
    if value is None:
        if required:
            raise Unusual(key)
        return None
    found = moment(value, tz)
    if found is None:
        raise Unusual(key)
    return found


def text(o: dict, key: str) -> str:
    value = o.get(key)
    if type(value) is str:
        return value
    if value is None:
        return ""
    raise Unusual(key)


def ident(o: dict, key: str, required: bool = True) -> str | None:
    value = o.get(key)
    if type(value) is str:
        return value
    if type(value) is int:
        return str(value)
    if value is None and not required:
        return None
    raise Unusual(key)


def money(o: dict, key: str, required: bool = True) -> Decimal | None:
    value = o.get(key)
    if type(value) is str:
        amount = _AMOUNTS.get(value)
        return amount if amount is not None else _amount(value, key)
    if value is None and not required:
        return None
    raise Unusual(key)


def _amount(value: str, key: str) -> Decimal:
    """A finite, non-negative decimal text (memoised), as fields.Fields.money reads it."""
    try:
        amount = Decimal(value)
    except InvalidOperation:
        raise Unusual(key) from None
    if not (amount.is_finite() and 0 <= amount < MAX_MONEY):
        raise Unusual(key)
    if len(_AMOUNTS) >= 8192:
        _AMOUNTS.clear()
    _AMOUNTS[value] = amount
    return amount


def count(o: dict, key: str, minimum: int) -> int:
    value = o.get(key)
    if type(value) is int and minimum <= value <= MAX_COUNT:
        return value
    raise Unusual(key)


def flag(o: dict, key: str) -> bool:
    value = o.get(key)
    if value is True or value is False:
        return value
    if value is None:
        return False
    raise Unusual(key)


def tags(o: dict, key: str) -> frozenset:
    value = o.get(key)
    if value is None or value == []:
        return _EMPTY
    if type(value) is not list:
        raise Unusual(key)
    for t in value:
        if type(t) is not str:
            raise Unusual(key)
    return frozenset(t.strip().lower() for t in value if t.strip())


def properties(item: dict) -> dict:
    value = item.get("properties")
    if not value:
        return {}
    if type(value) is not dict:
        raise Unusual("properties")
    return {str(k): "" if v is None else str(v).strip() for k, v in value.items()}


def objects(o: dict, key: str, required: bool) -> list:
    value = o.get(key)
    if value is None and not required:
        return []
    if type(value) is not list:
        raise Unusual(key)
    for item in value:
        if type(item) is not dict:
            raise Unusual(key)
    return value


def choice(o: dict, key: str, choices: tuple, default=None):
    value = o.get(key)
    if value is None and default is not None:
        return default
    if type(value) is str and value in choices:
        return value
    raise Unusual(key)


__all__ = ["CONDITIONS", "MAX_COUNT", "MAX_MONEY", "MERCHANT_FAULT", "REASONS", "RESOLUTIONS", "ZERO", "Unusual",
           "choice", "count",
           "flag", "ident", "money", "moment", "objects", "properties", "tags", "text", "timestamp"]
