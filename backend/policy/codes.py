"""The world a policy names: ISO 3166-1 countries and ISO 4217 currencies (from pycountry), and region groups.

A code that is not in the standard is an error at load time, with a suggestion when the author wrote a
name ("Germany" -> DE, "Euro" -> EUR) or a near miss ("EURO" -> EUR): otherwise the rule would silently
never match.

The codes are read from pycountry's own ISO data files; the `pycountry` module itself (its import reads
package metadata, and its databases build an object per entry: most of a one-request CLI's start) is
imported only to suggest a code for a wrong one.
"""
from __future__ import annotations

import difflib
import importlib.util
import json
from pathlib import Path

from backend.policy.errors import ItemErrors


def _iso(standard: str) -> list[dict]:
    """The entries of pycountry's JSON file for an ISO standard ("3166-1", "3166-2", "4217")."""
    package = Path(importlib.util.find_spec("pycountry").submodule_search_locations[0])
    return json.loads((package / "databases" / f"iso{standard}.json").read_text(encoding="utf-8"))[standard]


COUNTRIES = frozenset(c["alpha_2"] for c in _iso("3166-1"))
CURRENCIES = frozenset(c["alpha_3"] for c in _iso("4217"))


def _subdivisions() -> dict[str, dict[str, str]]:
    """{country: {subdivision code after the dash: name}} (ISO 3166-2)."""
    out: dict[str, dict[str, str]] = {}
    for entry in _iso("3166-2"):
        country_code, _, code = entry["code"].partition("-")
        out.setdefault(country_code, {})[code] = entry["name"]
    return out


SUBDIVISIONS = _subdivisions()

# pycountry has no membership lists, so the groups are a small table. Sources: the European Union's
# "Country profiles" (european-union.europa.eu/principles-countries-history/country-profiles_en: 27 member
# states since 1 February 2020); the EEA Agreement (efta.int/eea: the EU plus Iceland, Liechtenstein and
# Norway); ISO 3166-1, which reserves "UK" for the United Kingdom, whose code is GB.
_EU = frozenset({"AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
                 "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE"})
REGIONS = {"EU": _EU, "EEA": _EU | {"IS", "LI", "NO"}, "UK": frozenset({"GB"})}
REGION_NAMES = {"EU": "the EU", "EEA": "the EEA", "UK": "the UK"}


def countries(values: list[str]) -> frozenset:
    """Country codes and region names -> the set of ISO 3166-1 alpha-2 codes they stand for."""
    out, bad = set(), []
    for index, value in enumerate(values):
        code = value.strip().upper()
        if code in COUNTRIES:
            out.add(code)
        elif code in REGIONS:
            out |= REGIONS[code]
        else:
            bad.append((index, f"'{value}' is not an ISO 3166-1 country code or a region "
                               f"({', '.join(REGIONS)}){_country_hint(value)}"))
    if bad:
        raise ItemErrors(bad)
    return frozenset(out)


def country(value) -> str:
    """One ISO 3166-1 alpha-2 code (no region groups: a single country is meant)."""
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in COUNTRIES:
        raise ValueError(f"'{value}' is not an ISO 3166-1 country code{_country_hint(value)}")
    return code


def province_problem(country_code: str, province: str) -> str | None:
    """Why `province` is not an ISO 3166-2 subdivision of the country (code after the dash), or None."""
    known = SUBDIVISIONS.get(country_code, {})
    if not known or province.upper() in known:
        return None
    by_name = {name.lower(): code for code, name in known.items()}
    code = by_name.get(province.strip().lower())
    hint = f"; did you mean {code}?" if code else _near(province.upper(), known)
    return f"'{province}' is not an ISO 3166-2 subdivision of {country_code}{hint}"


def _near(value: str, codes) -> str:
    near = difflib.get_close_matches(value, sorted(codes), n=1, cutoff=0.75)
    return f"; did you mean {near[0]}?" if near else ""


def currencies(values: list[str]) -> frozenset:
    bad = [(i, _currency_problem(v)) for i, v in enumerate(values) if v.strip().upper() not in CURRENCIES]
    if bad:
        raise ItemErrors(bad)
    return frozenset(v.strip().upper() for v in values)


def currency(value) -> str:
    code = value.strip().upper() if isinstance(value, str) else ""
    if code not in CURRENCIES:
        raise ValueError(_currency_problem(value))
    return code


def _currency_problem(value) -> str:
    import pycountry

    return f"'{value}' is not an ISO 4217 currency code{_hint(value, pycountry.currencies, 'alpha_3', CURRENCIES)}"


def _country_hint(value) -> str:
    import pycountry

    return _hint(value, pycountry.countries, "alpha_2", COUNTRIES | set(REGIONS))


def _hint(value, database, attribute: str, codes) -> str:
    """'; did you mean XX?': by name or other code first (pycountry's lookup), then by spelling."""
    if not isinstance(value, str) or not value.strip():
        return ""
    try:
        return f"; did you mean {getattr(database.lookup(value.strip()), attribute)}?"
    except LookupError:
        pass
    names = {_name(entry).lower(): getattr(entry, attribute) for entry in database}
    close = difflib.get_close_matches(value.strip().lower(), list(names), n=1, cutoff=0.8)
    if close:
        return f"; did you mean {names[close[0]]}?"
    return _near(value.strip().upper(), codes)


def _name(entry) -> str:
    return getattr(entry, "common_name", None) or entry.name
