"""A rule whose sentence still quotes the days, amount or percentage its fields no longer say is a stale
sentence: lint warns on that rule (file, line, rule id, the quote)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from backend.policy import load_policy_text
from backend.policy.lint import lint
from backend.policy.lint_text import quoted, stale

HEAD = '[policy]\nname = "x"\ntitle = "X"\ntimezone = "UTC"\ncurrency = "USD"\n'
RETURNS = ('[[rules]]\nid = "returns"\ntitle = "Returns"\ntext = "Returns are accepted within {said} days of delivery."\n'
           'windows = {{ refund = {{ days = {days}, from = "delivery" }} }}\n')
FEE = ('[[fees]]\nid = "restocking"\ntitle = "Restocking"\ntext = "Returns are subject to a {said} restocking fee."\n'
       'kind = "restocking"\n{field}\n')


@pytest.mark.parametrize("text, kind, value", [
    ("within 21 days of delivery", "days", "21"),
    ("a 30-day window", "days", "30"),
    ("within seven (7) days of order date", "days", "7"),
    ("within forty-five days", "days", "45"),
    ("up to 2 business days", "days", "2"),
    ("a $15.00 restocking fee", "amount", "15"),
    ("a 15 USD fee", "amount", "15"),
    ("deducting a 30% restocking fee", "percent", "30"),
    ("a fee of 12.5 percent", "percent", "12.5"),
])
def test_the_figures_a_sentence_quotes(text, kind, value):
    (quote,) = quoted(text)
    assert (quote.kind, quote.value) == (kind, Decimal(value))


def test_numbers_without_a_unit_are_not_quotes():
    assert quoted("Orders placed between November 18, 2024, and December 12, 2024 (1000 HKD and up).") == []


def test_a_window_edited_from_21_to_30_days_leaves_the_sentence_stale():
    (problem,) = lint(load_policy_text(HEAD + RETURNS.format(said=21, days=30), "x.toml"))
    assert problem.severity == "warning" and problem.line == 6 and str(problem).startswith("x.toml:6:")
    assert problem.message.startswith("rule 'returns': its sentence quotes “21 days”, which none of its fields say")


def test_a_sentence_that_agrees_with_its_fields_is_not_reported():
    assert lint(load_policy_text(HEAD + RETURNS.format(said=30, days=30), "x.toml")) == []
    assert lint(load_policy_text(HEAD + FEE.format(said="$15.00", field='amount = "15.00"'), "x.toml")) == []
    assert lint(load_policy_text(HEAD + FEE.format(said="20%", field='percent = "20"'), "x.toml")) == []


@pytest.mark.parametrize("said, field, quote", [
    ("$15.00", 'amount = "20.00"', "$15.00"),
    ("20%", 'percent = "25"', "20%"),
])
def test_an_edited_fee_leaves_its_sentence_stale(said, field, quote):
    (problem,) = lint(load_policy_text(HEAD + FEE.format(said=said, field=field), "x.toml"))
    assert f"its sentence quotes “{quote}”" in problem.message and "'restocking'" in problem.message


def test_a_figure_another_rule_sets_may_be_quoted():
    protection = ('[protection]\nid = "protection"\ntitle = "P"\nprice = "2.98"\n'
                  'text = "By paying $2.98 you avoid the $15.00 restocking fee."\n'
                  'line_when_any = [{ sku = ["RETURN-PROTECTION"] }]\n')
    policy = HEAD + protection + FEE.format(said="$15.00", field='amount = "15.00"\nwaived_by_protection = true')
    assert [p.message for p in lint(load_policy_text(policy, "x.toml"))] == []
    stale_price = policy.replace('price = "2.98"', 'price = "3.50"')
    assert [p.message[:60] for p in lint(load_policy_text(stale_price, "x.toml"))] == [
        "rule 'protection': its sentence quotes “$2.98”, which none o"]


def test_stale_reads_plain_rule_data_as_the_builder_has_it():
    data = {"id": "returns", "text": "within 21 days", "windows": {"refund": {"days": 30, "from": "delivery"}}}
    assert [q.words for q in stale(data["text"], data)] == ["21 days"]
    assert stale(data["text"], data, elsewhere={Decimal(21)}) == []
