"""Dates in the shop's zone and computed holidays (what a compiled ship-by calendar is built from)."""
from __future__ import annotations

import importlib.util
import sys
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo


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
    return holiday_dates((key,), year, country)[key]


def holiday_dates(keys, year: int, country: str = "US") -> dict[str, date | None]:
    """{key: its date in `year`, or None}; the country's holidays of that year are computed once for all keys."""
    out, table = {}, None
    for key in keys:
        if key not in NAMED_HOLIDAYS:
            month, day = key.split("-")
            out[key] = date(year, int(month), int(day))
            continue
        if table is None:
            table = sorted(_country_class(country)(years=year, observed=False, categories=_CATEGORIES).items())
        wanted = NAMED_HOLIDAYS[key]
        out[key] = next((day for day, names in table if wanted in names.split("; ")), None)
    return out


def _country_class(country: str):
    """The `holidays` class of one country, loaded from its own module. `holidays.country_holidays` imports
    the package `holidays.countries`, whose __init__ imports all ~250 countries: most of a one-request
    `fineprint policy decide`. The module is loaded under a private name (the `holidays` package is left as
    it was, the module is kept in sys.modules like any import); a code the registry does not list, or a
    module that cannot be loaded so, takes the package's way. `holidays` itself is imported here, when a
    policy names a holiday: a policy without one never loads it."""
    import holidays as _holidays
    from holidays.registry import COUNTRIES as _REGISTRY

    module = next((name for name, codes in _REGISTRY.items() if country in codes[1:]), None)
    name = f"_fineprint_holidays_{module}"
    if name in sys.modules:
        return getattr(sys.modules[name], _REGISTRY[module][0])
    path = Path(_holidays.__file__).with_name("countries") / f"{module}.py"
    spec = importlib.util.spec_from_file_location(name, path) if module and path.is_file() else None
    if spec is None:
        return lambda **kw: _holidays.country_holidays(country, **kw)
    loaded = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(loaded)
        found = getattr(loaded, _REGISTRY[module][0])
    except (ImportError, AttributeError):
        return lambda **kw: _holidays.country_holidays(country, **kw)
    sys.modules[name] = loaded
    return found


def holiday_set(keys: tuple[str, ...], year: int, country: str = "US") -> frozenset[date]:
    return frozenset(d for d in holiday_dates(keys, year, country).values() if d is not None)


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


_ONE_DAY = timedelta(days=1)
_LAST_MICROSECOND = _ONE_DAY - timedelta(microseconds=1)


class YearTable(dict):
    """{date: value} for values that are a pure function of the date, filled a whole year at a time on a
    miss (`__missing__`, so a look-up is a bare `table[day]`, ~a few hundred instructions against the
    thousands a value costs to make) and owned by a compiled policy. No answer can be stale; a handful of
    years are in use, and the table starts over past `years` of them. Subclasses say what a year holds."""

    __slots__ = ("limit",)

    def __init__(self, years: int = 16):
        super().__init__()
        self.limit = 366 * years

    def year(self, year: int) -> dict:
        raise NotImplementedError

    def __missing__(self, day: date):
        values = self.year(day.year)
        if len(self) >= self.limit:
            self.clear()
        self.update(values)
        return values[day]  # from the year's own table: another thread may have emptied the shared one


def _days_of(year: int):
    """The dates of `year`, in order (the year 9999 ends at date.max, which has no next day)."""
    current = date(year, 1, 1)
    while current.year == year:
        yield current
        if current == date.max:
            return
        current += _ONE_DAY


class IsoDates(YearTable):
    """`day.isoformat()` by `table[day]` (lines.LineRules.iso): date.isoformat goes through
    PyUnicode_FromFormat, ~3k instructions a date (callgrind), and a decision writes each of its deadlines."""

    __slots__ = ()

    def year(self, year: int) -> dict:
        return {day: day.isoformat() for day in _days_of(year)}


class ZoneDays(YearTable):
    """{local date: the fixed offset (a `datetime.timezone`) the zone holds all that day, or False for a day its
    offset changes (a DST change)}, of the years first..last (any other year: False, never held).

    Why: a timestamp sent with the offset its zone holds all day on its own date is shown in the zone at its own
    wall time, so its local date is its own date, without `astimezone` (~3.2k instructions a timestamp,
    callgrind; `date()` and a look-up a few hundred). Shopify sends timestamps in the shop's own offset, so
    nearly every one is read so; any other (another offset, a DST-change day, a year not held) takes
    astimezone. A day is held when the zone's offset at both ends of the UTC span the day covers under its
    noon offset is that offset: tzdata's transitions are days apart (the closest pair, 4 days, Africa/Freetown
    1939), so no day holds two that cancel out."""

    __slots__ = ("tz", "first", "last")

    def __init__(self, tz, first: int, last: int, years: int = 16):
        super().__init__(years)
        self.tz, self.first, self.last = tz, first, last

    def __missing__(self, day: date):
        return super().__missing__(day) if self.first <= day.year <= self.last else False

    def year(self, year: int) -> dict:
        zones: dict = {}
        return {day: _held(self.tz, day, zones) for day in _days_of(year)}


def _held(tz, day: date, zones: dict):
    """The zone's offset all `day` long as a timezone (one object per offset), else False."""
    offset = tz.utcoffset(datetime(day.year, day.month, day.day, 12))
    start = datetime(day.year, day.month, day.day, tzinfo=timezone.utc) - offset
    for instant in (start, start + _LAST_MICROSECOND):
        if instant.astimezone(tz).utcoffset() != offset:
            return False
    found = zones.get(offset)
    return found if found is not None else zones.setdefault(offset, timezone(offset))
