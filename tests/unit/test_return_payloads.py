"""returns/* webhook bodies, as Shopify's reference publishes them (tests/data/shopify/webhooks/2026-04/),
read into plain return facts."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from backend.shopify.payloads.returns import NotAReturn, return_from_webhook

EXAMPLES = Path(__file__).resolve().parents[1] / "data" / "shopify" / "webhooks" / "2026-04"


def example(topic: str) -> dict:
    return json.loads((EXAMPLES / f"{topic.replace('/', '_')}.json").read_text())


@pytest.mark.parametrize("topic,status", [("returns/request", "requested"), ("returns/approve", "open"),
                                          ("returns/decline", "declined"), ("returns/cancel", "canceled"),
                                          ("returns/close", "closed"), ("returns/reopen", "open")])
def test_every_published_example_names_its_return_order_and_status(topic, status):
    facts = return_from_webhook(example(topic), topic)
    assert (facts["id"], facts["gid"]) == ("123134564567890", "gid://shopify/Return/123134564567890")
    assert facts["order_id"] == "4783296544821" and facts["status"] == status


def test_a_decline_carries_shopifys_reason_enum_and_the_merchants_note():
    facts = return_from_webhook(example("returns/decline"), "returns/decline")
    assert facts["decline"] == {"reason": "RETURN_PERIOD_ENDED",
                                "note": "As discussed on the phone, the 30-day return window has ended."}


def test_an_approval_lists_its_return_shipping_fee_and_counts():
    facts = return_from_webhook(example("returns/approve"), "returns/approve")
    assert facts["shipping_fees"] == ["10.0"] and facts["line_count"] == 2 and facts["exchange_count"] == 1
    assert facts["decline"] is None


def test_the_gid_wins_over_a_rounded_numeric_id():
    body = {**example("returns/request"), "id": 123134564567888}
    assert return_from_webhook(body, "returns/request")["id"] == "123134564567890"


@pytest.mark.parametrize("body", [{}, [], "x", {"status": "requested"}], ids=["empty", "list", "string", "no id"])
def test_a_body_without_a_return_is_refused_plainly(body):
    with pytest.raises(NotAReturn):
        return_from_webhook(body, "returns/request")


def test_an_unknown_status_falls_back_on_what_the_topic_means():
    assert return_from_webhook({**example("returns/close"), "status": "archived"}, "returns/close")["status"] == \
        "closed"
