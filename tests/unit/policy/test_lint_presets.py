"""The presets ship with only the warnings a merchant is meant to read (the contradictions of their own
written policy); overlaps are reported only where file order, not the author, decides."""
from __future__ import annotations

import pytest

from backend.policy import PolicyError, check_files, load_policy_text
from backend.policy.lint import lint

HEAD = '[policy]\nname = "x"\ntitle = "X"\ntimezone = "UTC"\ncurrency = "USD"\n'
GENERAL = ('[[rules]]\nid = "general"\ntitle = "G"\ntext = "T"\n'
           'windows = { refund = { days = 30, from = "delivery" } }\n')
ABROAD = ('[[rules]]\nid = "abroad"\ntitle = "A"\ntext = "T"\nwhen = { ship_to_country_not = ["US"] }\n'
          'windows = { refund = { days = 14, from = "shipment" } }\n')
SALE = ('[[rules]]\nid = "sale"\ntitle = "S"\ntext = "T"\nwhen = { order_date_from = 2024-11-18, order_date_to = 2024-12-12 }\n'
        'windows = { refund = { days = 45, from = "delivery" } }\n')


@pytest.mark.parametrize("name, expected", [
    ("ally", ["rule 'sale-credit-only' contradicts the policy text"]),
    ("aallyn", ["rule 'us-returns' contradicts the policy text"]),
    ("novus", ["rule 'purchase-window' contradicts the policy text", "the policy text contradicts itself"]),
])
def test_presets_warn_only_about_contradictions_in_their_written_policy(name, expected):
    problems = check_files([name])
    assert all(p.severity == "warning" for p in problems)
    assert len(problems) == len(expected)
    for problem, start in zip(problems, expected):
        assert problem.message.startswith(start)


def test_an_exception_written_after_the_general_rule_is_not_an_overlap():
    assert lint(load_policy_text(HEAD + GENERAL + ABROAD + SALE, "x.toml")) != []  # abroad x sale remains
    assert lint(load_policy_text(HEAD + GENERAL + ABROAD, "x.toml")) == []


def test_rules_that_partly_overlap_are_reported_with_the_fix():
    (problem,) = lint(load_policy_text(HEAD + SALE + ABROAD, "x.toml"))
    assert problem.severity == "warning" and problem.line == 12
    assert problem.message == ("rules 'sale' and 'abroad' overlap with different outcomes: refund within 45 days of "
                               "delivery versus refund within 14 days of shipment; 'abroad' wins (later in the file; "
                               "if that is meant, add overrides = [\"sale\"] to 'abroad')")


def test_overrides_acknowledges_the_overlap():
    assert lint(load_policy_text(HEAD + SALE + ABROAD + 'overrides = ["sale"]\n', "x.toml")) == []


def test_two_classes_on_one_line_follow_precedence_without_a_warning():
    policy = load_policy_text(HEAD + '[[rules]]\nid = "c"\ntitle = "C"\ntext = "T"\nwhen = { marked_down = true }\n'
                              'class = "credit_only"\n[[rules]]\nid = "f"\ntitle = "F"\ntext = "T"\n'
                              'when = { product_tag = ["final-sale"] }\nclass = "final_sale"\n', "x.toml")
    assert lint(policy) == []


@pytest.mark.parametrize("overrides, message", [
    ('["sael"]', "x.toml:18:14: overrides: no [[rules]] entry above this one has id 'sael'; did you mean 'sale'?"),
    ('["later"]', "x.toml:18:14: overrides: no [[rules]] entry above this one has id 'later'"),
])
def test_overrides_names_a_rule_above(overrides, message):
    later = '[[rules]]\nid = "later"\ntitle = "L"\ntext = "T"\nclass = "final_sale"\n'
    with pytest.raises(PolicyError) as caught:
        load_policy_text(HEAD + SALE + ABROAD + f"overrides = {overrides}\n" + later, "x.toml")
    assert [str(p) for p in caught.value.problems] == [message]
