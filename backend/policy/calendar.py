"""Dates in the shop's zone and computed holidays (what a compiled ship-by calendar is built from)."""
from __future__ import annotations

from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

import holidays as _holidays

# Closed vocabulary of named holidays: key -> the name the `holidays` package uses
# (actual dates, no observed shift). Other fixed dates are written "MM-DD".
NAMED_HOLIDAYS = {
    "new_years_eve": "New Year's Eve",
    "new_years_day": "New Year's Day",
    "mlk_day": "Martin Luther King Jr. Day",
    "presidents_day": "Washington's Birthday",
    "memorial_day": "Memorial Day",
    "juneteenth": "Juneteenth National Independence Day",
    "independence_day": "Independence Day",
    "labor_day": "Labor Day",
    "columbus_day": "Columbus Day",
    "veterans_day": "Veterans Day",
    "thanksgiving": "Thanksgiving Day",
    "christmas_eve": "Christmas Eve",
    "christmas_day": "Christmas Day",
}
WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_CATEGORIES = ("public", "unofficial")


def is_holiday_key(key: str) -> bool:
    """A named holiday key, or a fixed 'MM-DD' date."""
    if key in NAMED_HOLIDAYS:
        return True
    try:
        datetime.strptime("2000-" + key, "%Y-%m-%d")
        return len(key) == 5
    except ValueError:
        return False


def holiday_date(key: str, year: int, country: str = "US") -> date | None:
    """The actual date of a holiday key in `year` (None if the country has no such day)."""
    if key not in NAMED_HOLIDAYS:
        month, day = key.split("-")
        return date(year, int(month), int(day))
    table = _holidays.country_holidays(country, years=year, observed=False, categories=_CATEGORIES)
    wanted = NAMED_HOLIDAYS[key]
    for day, names in sorted(table.items()):
        if wanted in names.split("; "):
            return day
    return None


def holiday_set(keys: tuple[str, ...], year: int, country: str = "US") -> frozenset[date]:
    days = (holiday_date(k, year, country) for k in keys)
    return frozenset(d for d in days if d is not None)


def zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)  # ZoneInfo keeps its own cache of zones by name


def local_date(moment: datetime, tz: ZoneInfo) -> date:
    """The calendar date of an aware instant in the shop's zone."""
    return moment.astimezone(tz).date()


def parse_timestamp(text: str, tz: ZoneInfo) -> datetime:
    """ISO 8601; a timestamp without an offset is read in the shop's zone. Raises ValueError."""
    if not isinstance(text, str):
        raise ValueError("expected an ISO 8601 timestamp")
    value = text.strip()
    if value.endswith(("Z", "z")):
        value = value[:-1] + "+00:00"
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=tz)
    return moment


def aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
