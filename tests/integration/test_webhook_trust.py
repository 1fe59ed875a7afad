"""Webhooks trust only what is signed: the HMAC covers the body, never the headers.

Replays of captured signed bodies with rewritten headers (another shop's domain, a fresh webhook id, a
fresh Triggered-At) must not act on anything the body does not say. Bodies are Shopify's documented
examples (tests/data/shopify/webhooks); the duplicate rule is Shopify's own: the same X-Shopify-Event-Id
marks one event (shopify.dev/docs/apps/build/webhooks/ignore-duplicates).
"""
from __future__ import annotations

import copy
import uuid
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from backend.store.models import ComplianceRecord, OrderState
from tests.integration.edge_helpers import SHOP, events, example, install_shop, post_webhook, shop_row

OTHER = "other-shop.myshopify.com"


@pytest.fixture
def app_config(app_config, simulator):
    simulator.add_shop(SHOP)
    return {**app_config, **simulator.app_overrides}


def _records(app, **where):
    with app.extensions["fineprint.db"].session() as s:
        query = select(ComplianceRecord)
        for key, value in where.items():
            query = query.where(getattr(ComplianceRecord, key) == value)
        return list(s.exec(query))


def _order_states(app, shop):
    with app.extensions["fineprint.db"].session() as s:
        return list(s.exec(select(OrderState).where(OrderState.shop_domain == shop)))


def test_a_shop_redact_replayed_under_another_shops_header_is_refused_and_deletes_nothing(app, client):
    install_shop(app)
    install_shop(app, domain=OTHER)
    res = post_webhook(client, app, "shop/redact", example("shop/redact"), shop=OTHER)  # body names SHOP
    assert res.status_code == 401 and res.get_json()["error"]["code"] == "webhook_shop_mismatch"
    assert shop_row(app, OTHER) is not None and shop_row(app) is not None
    assert events(app) == []


@pytest.mark.parametrize("topic", ["customers/data_request", "customers/redact"])
def test_customer_topics_act_only_on_the_shop_the_body_names(app, client, topic):
    install_shop(app)
    install_shop(app, domain=OTHER)
    assert post_webhook(client, app, topic, example(topic), shop=OTHER).status_code == 401
    assert _records(app) == []
    assert post_webhook(client, app, topic, example(topic)).status_code == 200
    assert [r.shop_domain for r in _records(app)] == [SHOP]


def test_a_compliance_body_that_names_no_shop_is_malformed(app, client):
    install_shop(app)
    body = example("shop/redact")
    del body["shop_domain"]
    res = post_webhook(client, app, "shop/redact", body)
    assert res.status_code == 400 and res.get_json()["error"]["code"] == "malformed_webhook"
    assert shop_row(app) is not None


def test_fifty_deliveries_of_one_event_are_processed_once_and_the_webhook_id_is_kept(app, client):
    install_shop(app)
    event_id = str(uuid.uuid4())
    first = str(uuid.uuid4())
    statuses = [post_webhook(client, app, "orders/create", example("orders/create"), event_id=first if i == 0
                             else str(uuid.uuid4()), **{"X-Shopify-Event-Id": event_id}).get_json()["status"]
                for i in range(50)]
    assert statuses == ["accepted"] + ["duplicate"] * 49
    (event,) = events(app)
    assert (event.event_id, event.webhook_id) == (event_id, first)


def test_ten_deliveries_of_one_data_request_leave_one_report(app, client):
    install_shop(app)
    for _ in range(10):  # each with a new event id too: the signed data_request.id still names one request
        post_webhook(client, app, "customers/data_request", example("customers/data_request"),
                     **{"X-Shopify-Event-Id": str(uuid.uuid4())})
    assert len(_records(app, topic="customers/data_request")) == 1


def test_an_order_body_replayed_under_another_shop_is_not_stored_there(app, client):
    install_shop(app)
    install_shop(app, domain=OTHER)
    order = example("orders/create")
    assert post_webhook(client, app, "orders/create", order).status_code == 200
    replay = post_webhook(client, app, "orders/create", order, shop=OTHER)
    assert replay.status_code == 200  # signed: acknowledged, so Shopify (or the replayer) stops retrying
    assert len(_order_states(app, SHOP)) == 1 and _order_states(app, OTHER) == []
    assert events(app, shop_domain=OTHER)[0].status == "ignored"


def test_an_older_order_body_with_a_fresh_triggered_at_never_overwrites_newer_state(app, client):
    install_shop(app)
    newer = example("orders/updated")
    newer["updated_at"] = "2025-01-02T10:00:00-05:00"
    older = copy.deepcopy(newer)
    older["updated_at"], older["tags"] = "2025-01-01T10:00:00-05:00", "older-tag"
    post_webhook(client, app, "orders/updated", newer)
    fresh = (datetime.now(timezone.utc) + timedelta(hours=1)).isoformat()
    post_webhook(client, app, "orders/updated", older, **{"X-Shopify-Triggered-At": fresh})
    (state,) = _order_states(app, SHOP)
    assert "older-tag" not in state.facts["tags"] and state.revision == 1
