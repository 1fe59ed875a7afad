"""A broken policy never loads; every problem names file:line:col and the field."""
from __future__ import annotations

from pathlib import Path

import pytest

from backend.policy import PolicyError, check_files, load_policy, load_policy_text

GOOD_HEAD = '[policy]\nname = "x"\ntitle = "X"\ntimezone = "America/New_York"\ncurrency = "USD"\n'


def problems_of(text: str) -> list[str]:
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, "policy_rules/x.toml")
    return [str(p) for p in caught.value.problems]


def test_unknown_condition_is_reported_at_its_line_and_column():
    text = GOOD_HEAD + '\n[[rules]]\nid = "a"\ntitle = "A"\ntext = "T"\nwhen = { product_tagz = ["x"] }\nclass = "final_sale"\n'
    assert problems_of(text) == ["policy_rules/x.toml:11:10: unknown condition 'product_tagz'; did you mean 'product_tag'?"]


def test_indented_unknown_condition_in_subtable():
    text = GOOD_HEAD + '[[rules]]\nid = "a"\ntitle = "A"\ntext = "T"\n[rules.when]\n  product_tagz = ["x"]\n'
    assert problems_of(text) == ["policy_rules/x.toml:11:3: unknown condition 'product_tagz'; did you mean 'product_tag'?"]


def test_toml_syntax_error_has_a_position():
    (problem,) = problems_of(GOOD_HEAD + "[[rules]\n")
    assert problem.startswith("policy_rules/x.toml:6:") and "TOML syntax error" in problem


def test_unknown_field_and_bad_values_are_all_reported():
    text = GOOD_HEAD + ('[[rules]]\nid = "a"\ntitle = "A"\ntext = "T"\nclas = "final_sale"\n'
                        'windows = { refund = { days = -1, from = "delivery" } }\n'
                        '[[fees]]\nid = "f"\ntitle = "F"\ntext = "T"\nkind = "restock"\namount = "abc"\n')
    found = problems_of(text)
    assert "policy_rules/x.toml:10:1: unknown field 'clas' in [[rules]]; did you mean 'class'?" in found
    assert any(p.startswith("policy_rules/x.toml:11:24: field 'windows': 'refund': days") for p in found)
    assert any(p.startswith("policy_rules/x.toml:16:1: field 'kind'") for p in found)
    assert any(p.startswith("policy_rules/x.toml:17:1: field 'amount'") for p in found)


def test_return_condition_is_not_allowed_in_line_rules():
    text = GOOD_HEAD + '[[rules]]\nid = "a"\ntitle = "A"\ntext = "T"\nwhen = { item_condition = ["worn"] }\n'
    (problem,) = problems_of(text)
    assert problem.startswith("policy_rules/x.toml:10:10: condition 'item_condition' needs a return request")


def test_missing_policy_table_and_duplicate_ids():
    found = problems_of('[[rules]]\nid = "a"\ntitle = "A"\ntext = "T"\n[[rules]]\nid = "a"\ntitle = "B"\ntext = "T"\n')
    assert any("missing [policy]" in p for p in found)


def test_unknown_time_zone_and_holiday():
    text = GOOD_HEAD.replace("America/New_York", "Mars/Olympus") + (
        '[shipping]\nid = "s"\ntitle = "S"\ntext = "T"\ncurrency = "USD"\n'
        '[shipping.ship_by]\nid = "b"\ntitle = "B"\ntext = "T"\nholidays = ["festivus"]\n')
    found = problems_of(text)
    assert any(p.startswith("policy_rules/x.toml:4:1: field 'timezone'") for p in found)
    assert any(p.startswith("policy_rules/x.toml:15:1: field 'holidays': unknown holiday 'festivus'") for p in found)


def test_check_files_reports_a_broken_file_by_path(tmp_path: Path):
    bad = tmp_path / "bad.toml"
    bad.write_text(GOOD_HEAD + '[[rules]]\nid = "a"\ntitle = "A"\ntext = "T"\nwhen = { product_tagz = ["x"] }\n')
    (problem,) = check_files([str(bad)])
    assert problem.severity == "error" and problem.line == 10 and problem.col == 10
    assert "unknown condition 'product_tagz'" in problem.message


@pytest.mark.parametrize("name", ["ally", "aallyn", "novus"])
def test_presets_load_with_a_stable_version(name):
    first, second = load_policy(name), load_policy(name)
    assert first.name == name and first.version == second.version and len(first.version) == 12


@pytest.mark.parametrize("nested", ["[" * 5000 + "]" * 5000, "{ b = " * 3000 + "1" + " }" * 3000])
def test_absurdly_nested_toml_is_a_policy_error_not_a_crash(nested):
    # tomllib recurses on nesting; the merchant's editor (and the builder) get an error naming where it starts.
    problems = problems_of(GOOD_HEAD + "\n[[rules]]\nid = " + nested + "\n")
    assert problems == ["policy_rules/x.toml:8:55: arrays or inline tables nested too deeply to be a policy "
                        "(a policy needs a few levels)"] or problems[0].startswith("policy_rules/x.toml:8:")
