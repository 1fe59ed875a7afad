"""Which Flow triggers a decision arms, and when (services/flow/plan.py), from the ally preset's decisions."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from backend.policy import decide, load_policy
from backend.services.flow import plan as flow_plan
from backend.services.flow.plan import TRIAL_ENDED, TRIAL_ENDING, WINDOW_CLOSING

NY = ZoneInfo("America/New_York")
NOW = datetime(2026, 12, 3, 15, 0, tzinfo=timezone.utc)  # 10:00 in New York


def _decision(delivered: date | None, tags=(), lines=(("11", "250.00", None),)):
    order = {"id": "gid://shopify/Order/1", "created_at": "2026-10-01T10:00:00-04:00", "currency": "USD",
             "source_name": "web", "tags": list(tags), "shipping_address": {"country_code": "US"},
             "line_items": [{"id": i, "title": f"Shoe {i}", "quantity": 1, "price": p, "compare_at_price": c}
                            for i, p, c in lines],
             "fulfillments": [] if delivered is None else [
                 {"shipped_at": f"{delivered - timedelta(days=2)}T12:00:00-05:00",
                  "delivered_at": f"{delivered}T12:00:00-05:00"}]}
    return decide(load_policy("ally"), {"order": order}, NOW)


def test_a_delivered_order_arms_one_reminder_three_days_before_its_deadline():
    decision = _decision(date(2026, 11, 25))  # 14 days: last day December 9
    assert flow_plan.plan(decision, NY, 3, NOW) == [
        flow_plan.Armed(WINDOW_CLOSING, "2026-12-09", datetime(2026, 12, 6, 5, 0, tzinfo=timezone.utc))]


def test_a_reminder_day_already_here_fires_at_once_and_a_closed_window_arms_nothing():
    due = flow_plan.plan(_decision(date(2026, 11, 21)), NY, 3, NOW)  # last day December 5
    assert [(a.trigger, a.deadline, a.fire_at) for a in due] == [(WINDOW_CLOSING, "2026-12-05", NOW)]
    assert flow_plan.plan(_decision(date(2026, 11, 1)), NY, 3, NOW) == []  # closed November 15


def test_nothing_is_armed_before_the_anchor_event():
    assert flow_plan.plan(_decision(None), NY, 3, NOW) == []


def test_a_sale_line_and_a_full_price_line_share_one_deadline():
    decision = _decision(date(2026, 11, 25), lines=(("11", "250.00", None), ("12", "150.00", "300.00")))
    assert [a.deadline for a in flow_plan.plan(decision, NY, 3, NOW)] == ["2026-12-09"]


@pytest.mark.parametrize("days,fires", [(3, datetime(2026, 12, 4, 5, tzinfo=timezone.utc)),
                                        (1, datetime(2026, 12, 6, 5, tzinfo=timezone.utc))])
def test_a_trial_box_arms_the_reminder_and_the_end_but_no_window_reminder(days, fires):
    decision = _decision(date(2026, 11, 30), tags=["trial-box"])  # 7 days: last day December 7
    assert flow_plan.plan(decision, NY, days, NOW) == [
        flow_plan.Armed(TRIAL_ENDING, "2026-12-07", fires),
        flow_plan.Armed(TRIAL_ENDED, "2026-12-07", datetime(2026, 12, 8, 5, tzinfo=timezone.utc))]


def test_the_end_of_a_trial_is_armed_even_when_it_is_already_over():
    decision = _decision(date(2026, 11, 10), tags=["trial-box"])
    assert [(a.trigger, a.deadline) for a in flow_plan.plan(decision, NY, 3, NOW)] == [(TRIAL_ENDED, "2026-11-17")]
