"""Named holidays come from the `holidays` package; the calendar loads only the country it needs (not the
~250 modules of `holidays.countries`), and must find exactly the dates the package's own entry point finds."""
from __future__ import annotations

import subprocess
import sys

import holidays
import pytest

from backend.policy import calendar

COUNTRIES = ["US", "CA", "GB", "DE", "FR", "AU", "NZ", "IE", "MX", "JP"]


def _reference(key: str, year: int, country: str):
    table = holidays.country_holidays(country, years=year, observed=False, categories=("public", "unofficial"))
    wanted = calendar.NAMED_HOLIDAYS[key]
    return next((day for day, names in sorted(table.items()) if wanted in names.split("; ")), None)


def _outcome(compute, *args):
    """A date (or None), or the type of error (some countries have no "unofficial" category: both ways refuse)."""
    try:
        return compute(*args)
    except Exception as exc:  # compared, not swallowed
        return type(exc)


@pytest.mark.parametrize("country", COUNTRIES)
def test_every_named_holiday_falls_where_the_holidays_package_puts_it(country):
    for year in (2024, 2025, 2026, 2028):
        for key in calendar.NAMED_HOLIDAYS:
            args = (key, year, country)
            assert _outcome(calendar.holiday_date, *args) == _outcome(_reference, *args), args


def test_the_us_calendar_knows_its_named_holidays():
    assert calendar.holiday_date("thanksgiving", 2026, "US").isoformat() == "2026-11-26"
    assert calendar.holiday_date("memorial_day", 2025, "US").isoformat() == "2025-05-26"


def test_a_country_code_the_registry_does_not_know_fails_as_the_package_does():
    with pytest.raises(NotImplementedError):
        holidays.country_holidays("ZZ", years=2025)
    with pytest.raises(NotImplementedError):
        calendar.holiday_date("christmas_day", 2025, "ZZ")


def test_a_ship_by_calendar_loads_one_country_not_the_whole_holidays_package():
    script = ("import sys; from backend.policy import calendar; "
              "print(calendar.holiday_date('thanksgiving', 2025, 'US')); "
              "print(sorted(m for m in sys.modules if m.startswith('holidays.countries')))")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout.split("\n")
    assert out[0] == "2025-11-27"
    assert out[1] == "[]"
