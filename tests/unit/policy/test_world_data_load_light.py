"""The world a policy names (holidays, ISO codes) comes from the `holidays` and `pycountry` packages, loaded light:
the calendar loads only the country it needs, the ISO codes are read from pycountry's data files; both must
find exactly what the packages' own entry points find."""
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


def test_the_iso_codes_read_from_pycountrys_files_are_pycountrys_own():
    import pycountry

    from backend.policy import codes

    assert codes.COUNTRIES == frozenset(c.alpha_2 for c in pycountry.countries)
    assert codes.CURRENCIES == frozenset(c.alpha_3 for c in pycountry.currencies)
    for country in ("US", "CA", "GB", "DE", "AU", "HK"):
        expected = {s.code.split("-", 1)[1]: s.name for s in pycountry.subdivisions.get(country_code=country) or ()}
        assert codes.SUBDIVISIONS.get(country, {}) == expected, country
    assert codes.province_problem("US", "Californa") == "'Californa' is not an ISO 3166-2 subdivision of US"
    assert codes.province_problem("US", "California").endswith("did you mean CA?")


def test_deciding_with_a_preset_does_not_import_pycountry():
    script = ("import sys; from backend import policy; policy.load_policy('aallyn'); "
              "print('pycountry' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_a_policy_that_names_no_holiday_never_loads_the_holidays_package():
    script = ("import sys; from backend import policy; policy.load_policy('ally'); policy.load_policy('novus'); "
              "print('holidays' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"
