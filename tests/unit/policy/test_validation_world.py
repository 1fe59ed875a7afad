"""Validation that knows the world: ISO 3166 countries and region groups, ISO 4217 currencies, sane money,
one message per problem at its file:line:col, a suggestion when the author was close."""
from __future__ import annotations

from pathlib import Path

import pytest

from backend.policy import PolicyError, load_policy, load_policy_text
from backend.policy.codes import REGIONS

HEAD = '[policy]\nname = "x"\ntitle = "X"\ntimezone = "Europe/Berlin"\ncurrency = "EUR"\n'
RULE = '[[rules]]\nid = "a"\ntitle = "A"\ntext = "T"\n'  # lines 6-9 after HEAD


def problems_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, "x.toml")
    return [str(p) for p in caught.value.problems]


def test_a_country_name_is_refused_with_its_code_suggested_at_the_element():
    found = problems_of(HEAD + RULE + 'when = { ship_to_country = ["Germany", "EU"] }\nclass = "final_sale"\n')
    assert found == ["x.toml:10:29: condition 'ship_to_country': 'Germany' is not an ISO 3166-1 country code "
                     "or a region (EU, EEA, UK); did you mean DE?"]


def test_region_groups_expand_to_their_member_states():
    policy = load_policy_text(HEAD + RULE + 'when = { ship_to_country = ["EU", "uk", "CH"] }\nclass = "final_sale"\n')
    countries = policy.rules[0].cond.when["ship_to_country"]
    assert len(REGIONS["EU"]) == 27 and REGIONS["EU"] < REGIONS["EEA"]
    assert countries == REGIONS["EU"] | {"GB", "CH"} and "DE" in countries and "NO" not in countries


def test_every_bad_country_is_its_own_problem():
    found = problems_of(HEAD + RULE + 'when = { ship_to_country_not = ["US", "XX", "Frnace"] }\nclass = "final_sale"\n')
    assert [p.split(": ")[0] for p in found] == ["x.toml:10:39", "x.toml:10:45"]
    assert found[0].endswith("(EU, EEA, UK)") and found[1].endswith("did you mean FR?")


@pytest.mark.parametrize("written, suggested", [("EURO", "EUR"), ("Euro", "EUR"), ("US Dollar", "USD")])
def test_a_currency_that_is_not_iso_4217_is_refused_with_a_suggestion(written, suggested):
    (problem,) = problems_of(HEAD.replace('"EUR"', f'"{written}"'))
    assert problem == (f"x.toml:5:1: field 'currency': '{written}' is not an ISO 4217 currency code; "
                       f"did you mean {suggested}?")


def test_currency_conditions_and_shipping_currency_are_checked_too():
    found = problems_of(HEAD + RULE + 'when = { currency = ["EUR", "EURO"] }\nclass = "final_sale"\n'
                        '[shipping]\nid = "s"\ntitle = "S"\ntext = "T"\ncurrency = "Dollars"\n')
    assert found[0] == ("x.toml:10:29: condition 'currency': 'EURO' is not an ISO 4217 currency code; "
                        "did you mean EUR?")
    assert found[1].startswith("x.toml:16:1: field 'currency': 'Dollars' is not an ISO 4217 currency code")


def test_single_country_fields_take_iso_codes_only():
    found = problems_of(HEAD + '[sales_tax]\nid = "t"\ntitle = "T"\ntext = "T"\ncountry = "USA"\nstates = { CA = 2021-04-16 }\n')
    assert found == ["x.toml:10:1: field 'country': 'USA' is not an ISO 3166-1 country code; did you mean US?"]


@pytest.mark.parametrize("line, message", [
    ('amount = "-5.00"', "field 'amount': must not be negative (got -5.00); extra store credit is a "
                         "[[bonus_credit]] rule, not a negative fee"),
    ('percent = "150"', "field 'percent': must be a percentage from 0 to 100 (got 150)"),
    ('percent = "-1"', "field 'percent': must be a percentage from 0 to 100 (got -1); extra store credit is a "
                       "[[bonus_credit]] rule, not a negative fee"),
])
def test_fees_are_never_negative_and_percentages_stay_within_0_to_100(line, message):
    (problem,) = problems_of(HEAD + f'[[fees]]\nid = "f"\ntitle = "F"\ntext = "T"\nkind = "restocking"\n{line}\n')
    assert problem == f"x.toml:11:1: {message}"


def test_edge_percentages_and_a_free_fee_are_accepted():
    policy = load_policy_text(HEAD + '[[fees]]\nid = "f"\ntitle = "F"\ntext = "T"\nkind = "restocking"\npercent = "100"\n'
                              '[[fees]]\nid = "g"\ntitle = "G"\ntext = "T"\nkind = "handling"\namount = "0"\n')
    assert [str(f.percent or f.amount) for f in policy.fees] == ["100", "0"]


def test_negative_rates_prices_and_price_bounds_are_refused():
    found = problems_of(HEAD + '[shipping]\nid = "s"\ntitle = "S"\ntext = "T"\ncurrency = "EUR"\n'
                        '[[shipping.rates]]\nid = "r"\ntitle = "R"\ntext = "T"\nrate = "-1"\n'
                        'when = { merchandise_value_above = "-10" }\n')
    assert found == ["x.toml:15:1: field 'rate': must not be negative (got -1)",
                     "x.toml:16:10: condition 'merchandise_value_above' must not be negative (got -10)"]


def test_a_missing_text_is_reported_once():
    assert problems_of(HEAD + '[[rules]]\nid = "a"\ntitle = "A"\nclass = "final_sale"\n') == [
        "x.toml:6:1: [[rules]] is missing required field 'text'"]


def test_an_empty_title_is_reported_once_at_the_field():
    assert problems_of(HEAD + RULE.replace('"A"', '" "') + 'class = "final_sale"\n') == [
        "x.toml:8:1: field 'title' of [[rules]] must be a non-empty string"]


@pytest.mark.parametrize("written, hint", [
    ('when = { product_tagz = ["x"] }', "unknown condition 'product_tagz'; did you mean 'product_tag'?"),
    ('clas = "final_sale"', "unknown field 'clas' in [[rules]]; did you mean 'class'?"),
    ('class = "final-sale"', "field 'class': 'final-sale' is not one of protection, external, trial, final_sale, "
                             "credit_only, exchange_or_credit, standard; did you mean 'final_sale'?"),
])
def test_near_misses_get_a_did_you_mean(written, hint):
    (problem,) = problems_of(HEAD + RULE + written + "\n")
    assert problem.endswith(hint)


def test_nothing_close_gets_no_suggestion():
    (problem,) = problems_of(HEAD + RULE + 'when = { zzz = ["x"] }\n')
    assert problem == "x.toml:10:10: unknown condition 'zzz'"


@pytest.mark.parametrize("tail, at, what", [
    ('[[rules]]\nid = "a"\ntitle = """never\nclosed\n', "x.toml:8:9", "the string that starts here is never closed"),
    ('[[rules]]\nid = "a\ntitle = "A"\n', "x.toml:7:6", "the string that starts here is never closed"),
    ("[[rules]]\nid = 'a\n", "x.toml:7:6", "the string that starts here is never closed"),
    ('[[rules]]\nid = "a"\nsku = ["a",\n"b"\n', "x.toml:8:7", "the '[' that starts here is never closed"),
])
def test_toml_syntax_errors_point_at_what_was_left_open(tail, at, what):
    assert problems_of(HEAD + tail) == [f"{at}: TOML syntax error: {what}"]


def test_other_toml_syntax_errors_keep_tomllib_position():
    assert problems_of(HEAD + 'name = "again"\n') == ["x.toml:6:15: TOML syntax error: Cannot overwrite a value"]


def test_a_file_that_is_not_utf8_is_one_clean_error(tmp_path: Path):
    path = tmp_path / "cp1252.toml"
    path.write_bytes((HEAD + RULE + 'class = "final_sale"\n# don’t\n').encode("cp1252"))
    with pytest.raises(PolicyError) as caught:
        load_policy(str(path))
    (problem,) = caught.value.problems
    assert (problem.line, problem.col) == (11, 6)
    assert problem.message == "not UTF-8 text (line 11, column 6: byte 0x92); save the file as UTF-8"


def test_a_utf8_file_with_a_byte_order_mark_loads(tmp_path: Path):
    path = tmp_path / "bom.toml"
    path.write_bytes(b"\xef\xbb\xbf" + (HEAD + RULE + 'class = "final_sale"\n').encode())
    assert load_policy(str(path)).rules[0].cls == "final_sale"


def test_sales_tax_states_are_iso_3166_2_subdivisions_of_the_country():
    found = problems_of(HEAD + '[sales_tax]\nid = "t"\ntitle = "T"\ntext = "T"\ncountry = "US"\n'
                        'states = { CA = 2021-04-16, California = 2020-01-01, CX = 2022-01-01 }\n')
    assert found == ["x.toml:11:29: field 'states': 'California' is not an ISO 3166-2 subdivision of US; did you mean CA?",
                     "x.toml:11:54: field 'states': 'CX' is not an ISO 3166-2 subdivision of US"]
