"""The shopper's policy page states only what the rules say, for the day it is rendered (a fixed `now`)."""
from __future__ import annotations

from datetime import datetime, timezone

from backend.policy import load_policy, load_policy_text, render_policy

HEAD = '[policy]\nname = "x"\ntitle = "X"\ntimezone = "America/Los_Angeles"\ncurrency = "USD"\n'
BEFORE_HOLIDAY = datetime(2024, 11, 1, 18, tzinfo=timezone.utc)
DURING_HOLIDAY = datetime(2024, 12, 1, 18, tzinfo=timezone.utc)
AFTER_HOLIDAY = datetime(2025, 3, 1, 18, tzinfo=timezone.utc)


def line_of(page: str, title: str) -> str:
    (line,) = [ln for ln in page.splitlines() if f"**{title}.**" in ln]
    return line


def test_no_sentence_about_shipping_fees_unless_a_rule_says_so():
    for name in ("ally", "aallyn", "novus"):
        assert "shipping fees" not in render_policy(load_policy(name), DURING_HOLIDAY).lower()


def test_a_date_range_reads_as_one_range():
    line = line_of(render_policy(load_policy("aallyn"), DURING_HOLIDAY), "Holiday 2024: refund 21 days, exchange or store credit 45 days")
    assert "For orders placed from November 18, 2024 through December 12, 2024:" in line
    assert "on or after" not in line and "on or before" not in line


def test_a_rule_left_to_us_orders_is_not_called_all_orders():
    page = render_policy(load_policy("aallyn"), AFTER_HOLIDAY)
    assert "All orders" not in page
    assert line_of(page, "US returns and exchanges: 21 days from delivery").startswith(
        "- **US returns and exchanges: 21 days from delivery.** For orders shipped to US: refund within 21 days")


def test_while_a_season_runs_the_general_rule_names_its_exception():
    line = line_of(render_policy(load_policy("aallyn"), DURING_HOLIDAY), "US returns and exchanges: 21 days from delivery")
    assert "For orders shipped to US except orders placed from November 18, 2024 through December 12, 2024:" in line


def test_an_unconditional_rule_nobody_overrides_is_for_all_orders():
    line = line_of(render_policy(load_policy("novus"), AFTER_HOLIDAY), "Returns and exchanges: 30 days from purchase")
    assert "All orders: refund within 30 days of the order date" in line


def test_an_expired_seasonal_rule_is_not_shown():
    page = render_policy(load_policy("aallyn"), AFTER_HOLIDAY)
    assert "Holiday 2024" not in page and "45 days" not in page


def test_an_upcoming_seasonal_rule_says_when_it_starts():
    line = line_of(render_policy(load_policy("aallyn"), BEFORE_HOLIDAY), "Holiday 2024: refund 21 days, exchange or store credit 45 days")
    assert "Starts November 18, 2024." in line


def test_a_running_seasonal_rule_is_shown_without_a_start_note():
    line = line_of(render_policy(load_policy("aallyn"), DURING_HOLIDAY), "Holiday 2024: refund 21 days, exchange or store credit 45 days")
    assert "Starts" not in line


def test_the_day_is_the_shops_local_day():
    # 2024-12-13 02:00 UTC is still December 12 in Los Angeles: the holiday rule's last day
    late = datetime(2024, 12, 13, 2, tzinfo=timezone.utc)
    assert "Holiday 2024" in render_policy(load_policy("aallyn"), late)
    assert "Holiday 2024" not in render_policy(load_policy("aallyn"), datetime(2024, 12, 13, 9, tzinfo=timezone.utc))


def test_a_label_fee_is_not_called_a_handling_fee():
    policy = load_policy_text(HEAD + '[[fees]]\nid = "label"\ntitle = "Return label: $10.95"\n'
                              'text = "You can purchase a return shipping label for $10.95."\n'
                              'kind = "handling"\namount = "10.95"\nresolutions = ["exchange", "store_credit"]\n')
    line = line_of(render_policy(policy, AFTER_HOLIDAY), "Return label: $10.95")
    assert "handling" not in line
    assert line == ("- **Return label: $10.95.** $10.95 fee per return on store credit or exchange; "
                    "waived when the return is our mistake.")


def test_a_fee_the_merchant_calls_a_handling_fee_keeps_its_name():
    line = line_of(render_policy(load_policy("ally"), AFTER_HOLIDAY), "$12.99 handling fee on refunds")
    assert "$12.99 handling fee per return on refund" in line


def test_percentages_read_as_written():
    page = render_policy(load_policy("ally"), AFTER_HOLIDAY)
    assert "30% restocking fee per item on store credit" in page and "E+" not in page


def test_sales_tax_states_not_yet_collected_say_when_they_start():
    line = [ln for ln in render_policy(load_policy("aallyn"), datetime(2024, 10, 10, 18, tzinfo=timezone.utc))
            .splitlines() if "sales tax" in ln][0]
    assert "VA (since October 1, 2024)" in line and "GA (starting October 25, 2024)" in line


def test_region_groups_are_named_not_listed():
    policy = load_policy_text(HEAD + '[[rules]]\nid = "eu"\ntitle = "EU returns"\ntext = "T"\n'
                              'when = { ship_to_country = ["EU", "CH"] }\n'
                              'windows = { refund = { days = 30, from = "delivery" } }\n')
    line = line_of(render_policy(policy, AFTER_HOLIDAY), "EU returns")
    assert "For orders shipped to CH or the EU: refund within 30 days of delivery" in line


def test_protection_states_what_it_waives_from_the_fee_rules():
    page = render_policy(load_policy("aallyn"), AFTER_HOLIDAY)
    assert "Add return protection for $2.98 at checkout (orders shipped to US): it waives the restocking fee." in page
