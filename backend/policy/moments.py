"""Timestamps read once: each (text, zone) parses to its instant and its local date, memoised.

Only for the fast path: a text this cannot read plainly gives None, and the detailed reader in
fields.py (which reports the error, or accepts the odd form) decides instead.
"""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

_CACHE: dict[tuple, tuple | None] = {}
_LIMIT = 8192
_YEARS = range(1900, 3000)  # within what the detailed reader accepts; outside it decides


def moment(text, tz: ZoneInfo) -> tuple[datetime, date] | None:
    """(aware instant, local date in `tz`), or None when the fast path should not decide."""
    key = (text, tz)
    try:
        return _CACHE[key]
    except KeyError:
        pass
    except TypeError:  # unhashable: not a string
        return None
    found = _read(text, tz) if type(text) is str else None
    if len(_CACHE) >= _LIMIT:
        _CACHE.clear()
    _CACHE[key] = found
    return found


def _read(text: str, tz: ZoneInfo) -> tuple[datetime, date] | None:
    """The plain shapes only: an ISO 8601 text with a ±HH:MM offset or a Z, or none (read in `tz`)."""
    value = text.strip()
    if value != text:
        return None
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    try:
        instant = datetime.fromisoformat(value)
    except ValueError:
        return None
    if instant.tzinfo is None:
        instant = instant.replace(tzinfo=tz)
    if instant.year not in _YEARS:
        return None
    try:
        return instant, instant.astimezone(tz).date()
    except (OverflowError, ValueError):
        return None
