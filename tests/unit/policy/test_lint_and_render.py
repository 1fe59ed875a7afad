"""Lint shows the seeds' known contradictions as warnings; render states what is enforced."""
from __future__ import annotations

from datetime import datetime, timezone

from backend.policy import check_files, load_policy, load_policy_text, render_policy
from backend.policy.lint import lint


def warnings_for(name: str) -> list[str]:
    problems = check_files([name])
    assert all(p.severity == "warning" for p in problems)
    return [p.message for p in problems]


def test_aallyn_14_day_window_contradiction_is_reported():
    assert any("14-day return window" in w for w in warnings_for("aallyn"))


def test_novus_purchase_versus_shipment_and_credit_expiry_are_reported():
    found = warnings_for("novus")
    assert any("30 calendar days from shipment" in w for w in found)
    assert any("do not expire" in w for w in found)


def test_ally_sale_items_versus_final_sale_is_reported():
    found = warnings_for("ally")
    assert any("omits 'unless it's marked as final sale'" in w for w in found)


def test_rule_that_can_never_fire_is_a_warning():
    policy = load_policy_text(
        '[policy]\nname = "x"\ntitle = "X"\ntimezone = "UTC"\ncurrency = "USD"\n'
        '[[rules]]\nid = "a"\ntitle = "A"\ntext = "T"\nclass = "final_sale"\n'
        'when = { unit_price_at_least = "50", unit_price_below = "20" }\n', "x.toml")
    (problem,) = lint(policy)
    assert problem.severity == "warning" and problem.line == 6
    assert "can never fire" in problem.message


def test_aallyn_page_states_windows_fees_protection_signature_and_rates():
    page = render_policy(load_policy("aallyn"), datetime(2024, 12, 1, 18, tzinfo=timezone.utc))
    for phrase in ("21 days of delivery", "45 days of delivery", "21 days of shipment", "$15.00 restocking fee",
                   "$2.98", "$250.00", "UPS", "$5.00 flat rate", "$25.00 flat rate", "free",
                   "P.O. boxes", "Thanksgiving Day", "up to 2 business days"):
        assert phrase in page, phrase


def test_ally_page_lists_what_cannot_be_returned():
    page = render_policy(load_policy("ally"), datetime(2024, 12, 1, 18, tzinfo=timezone.utc))
    assert "Gift cards" in page and "store credit only" in page and "$12.99 handling fee" in page
    assert "30% restocking fee" in page and "Nordstrom" in page
