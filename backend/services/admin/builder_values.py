"""What the merchant types into a builder field, as the TOML data to write (and back, for display).

    convert(field, raw, current) -> the value to write, or REMOVE (the key goes away)
    display(kind, value)         -> what the field shows
"""
from __future__ import annotations

import re
from datetime import date
from decimal import Decimal

REMOVE = object()


class FieldError(ValueError):
    """A value the merchant typed that the field cannot take; the message is for the merchant."""


def display(kind: str, value):
    if value is None:
        return ""
    if kind == "tristate":
        return "yes" if value is True else "no" if value is False else ""
    if kind in ("list", "countries", "multi") and isinstance(value, list):
        return ", ".join(str(v) for v in value) if kind != "multi" else value
    if isinstance(value, date):
        return value.isoformat()
    return value


def convert(f, raw, current=None):
    """The merchant's input for field `f` as TOML data, or REMOVE."""
    kind = f.kind
    if kind == "flag":
        value = bool(raw)
        if f.default is None and not value:  # a condition: unticked is "not a condition" (a written false stays)
            return False if current is False else REMOVE
        return REMOVE if value == f.default else value
    if kind == "multi":
        items = [str(v) for v in (raw or [])]
        known = (*f.choices, *(current if isinstance(current, list) else ()))
        bad = [v for v in items if f.choices and v not in known]
        if bad:
            raise FieldError(f"'{bad[0]}' is not one of {', '.join(f.choices)}")
        if not items or (f.default and tuple(sorted(items)) == tuple(sorted(f.default))):
            return REMOVE
        return [c for c in dict.fromkeys((*f.choices, *items)) if c in items] if f.choices else items
    if kind == "tristate":
        return _TRISTATE[raw] if raw in _TRISTATE else _refuse_tristate(raw)
    if kind == "window":
        return _window(raw, current)
    text = "" if raw is None else str(raw).strip()
    if not text:
        if kind == "text" and f.always:
            raise FieldError("cannot be empty")
        return REMOVE
    if kind == "choice" and text == current:
        return text  # a value the builder does not offer (a newer word) stays as written
    return _CONVERT[kind](text, f)


_TRISTATE = {"": REMOVE, None: REMOVE, "yes": True, "no": False}


def _refuse_tristate(raw):
    raise FieldError(f"'{raw}' is not yes, no or empty")


def _window(raw, current):
    if raw == "inherit":
        return REMOVE
    if raw == "no":
        return False
    if raw == "allowed":
        return current if isinstance(current, dict) else {"days": 30, "from": "delivery"}
    raise FieldError("choose allowed, not allowed, or not set here")


def _days(text, f):
    if not re.fullmatch(r"\d{1,5}", text):
        raise FieldError(f"'{text}' is not a whole number of days")
    return int(text)


_AMOUNT = re.compile(r"-?\d{1,12}(\.\d{1,4})?")


def _decimal(text):
    plain = text.replace(",", "").lstrip("$").strip()
    if not _AMOUNT.fullmatch(plain):
        raise FieldError(f"'{text}' is not an amount")
    found = Decimal(plain)
    if found < 0:
        raise FieldError("must be 0 or more")
    return found


def _money(text, f):
    return f"{_decimal(text)}"  # as the merchant typed it ("7", "7.00"): the engine reads both


def _percent(text, f):
    found = _decimal(text.rstrip("%"))
    if found > 100:
        raise FieldError("must be a percentage from 0 to 100")
    return f"{found}"


def _choice(text, f):
    if text not in f.choices:
        raise FieldError(f"'{text}' is not one of {', '.join(f.choices)}")
    return REMOVE if text == f.default else text


def _list(text, f):
    return [part.strip() for part in text.split(",") if part.strip()] or REMOVE


def _countries(text, f):
    return [part.strip().upper() for part in text.split(",") if part.strip()] or REMOVE


def _date(text, f):
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise FieldError(f"'{text}' is not a date (YYYY-MM-DD)") from None


def _monthday(text, f):
    try:
        if not re.fullmatch(r"\d\d-\d\d", text):
            raise ValueError
        date(2000, int(text[:2]), int(text[3:]))  # a leap year: 02-29 is a month-day
    except ValueError:
        raise FieldError(f"'{text}' is not a month-day (MM-DD)") from None
    return text


def _until(text, f):
    return _monthday(text, f) if len(text) == 5 else _date(text, f)


_CONVERT = {"text": lambda t, f: t, "code": lambda t, f: t.upper(), "days": _days, "money": _money,
            "percent": _percent, "choice": _choice, "list": _list, "countries": _countries, "date": _date,
            "monthday": _monthday, "until": _until}
