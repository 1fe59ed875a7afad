"""returns/* webhooks: verified, recorded, and the return kept for the deciding layer (issue 15),
safe under duplicates and out-of-order deliveries. Bodies are Shopify's published examples (2026-04)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from backend.services.returns import store as returns_store
from backend.store import returns as repo
from tests.integration.edge_helpers import SHOP, events, example, install_shop, post_webhook

RETURN_ID = "123134564567890"  # the examples' return


def install_quiet_shop(app, domain=SHOP):
    """These stories are about recording: the shop's returns mode is off, so no decision job goes to a
    Shopify that is not there (the deciding stories are in test_returns_decided.py)."""
    install_shop(app, domain=domain)
    with app.extensions["fineprint.db"].session() as s:
        repo.save_settings(s, domain, mode="off")
        s.commit()


def stored(app):
    with app.extensions["fineprint.db"].session() as s:
        return returns_store.list_returns(s, SHOP)


def at(minutes: int) -> str:
    return (datetime(2026, 12, 1, 10, tzinfo=timezone.utc) + timedelta(minutes=minutes)).isoformat()


def deliver(client, app, topic, minutes, **kw):
    return post_webhook(client, app, topic, example(topic), **{"X-Shopify-Triggered-At": at(minutes)}, **kw)


def test_a_customers_return_request_is_verified_recorded_and_stored_as_requested(app, client):
    install_quiet_shop(app)
    res = deliver(client, app, "returns/request", 0, event_id="req-1")
    assert res.status_code == 200 and events(app)[0].status == "done"
    (row,) = stored(app)
    assert (row.return_id, row.order_id, row.status, row.line_count) == (RETURN_ID, "4783296544821", "requested", 2)
    assert row.requested_at is not None


def test_a_decline_keeps_shopifys_reason_and_note(app, client):
    install_quiet_shop(app)
    deliver(client, app, "returns/request", 0)
    deliver(client, app, "returns/decline", 1)
    (row,) = stored(app)
    assert (row.status, row.decline_reason) == ("declined", "RETURN_PERIOD_ENDED")
    assert row.decline_note.startswith("As discussed on the phone")


def test_a_request_delivered_after_its_approval_does_not_reopen_the_request(app, client):
    install_quiet_shop(app)
    deliver(client, app, "returns/approve", 5)
    deliver(client, app, "returns/request", 0)
    (row,) = stored(app)
    assert row.status == "open" and row.requested_at is not None


def test_an_older_status_arriving_late_does_not_overwrite_a_newer_one(app, client):
    install_quiet_shop(app)
    deliver(client, app, "returns/request", 0)
    deliver(client, app, "returns/cancel", 10)
    deliver(client, app, "returns/approve", 5)
    (row,) = stored(app)
    assert row.status == "canceled"


def test_the_same_delivery_twice_is_stored_once(app, client):
    install_quiet_shop(app)
    first = deliver(client, app, "returns/request", 0, event_id="same")
    again = deliver(client, app, "returns/request", 0, event_id="same")
    assert again.get_json()["status"] == "duplicate" and first.status_code == 200
    assert len(stored(app)) == 1


def test_a_signed_body_that_names_no_return_is_acknowledged_and_ignored(app, client):
    install_quiet_shop(app)
    assert post_webhook(client, app, "returns/request", {"status": "requested"}).status_code == 200
    assert events(app)[0].status == "ignored" and stored(app) == []


def test_an_unsigned_return_request_is_refused_and_not_stored(app, client):
    install_quiet_shop(app)
    res = post_webhook(client, app, "returns/request", example("returns/request"), secret="not-the-secret")
    assert res.status_code == 401 and stored(app) == [] and events(app) == []


def test_a_request_made_in_the_simulated_shop_arrives_signed_and_is_stored(app, client, simulator):
    """End to end: the customer asks (as orderRequestReturn does), Shopify sends returns/request, the app
    verifies and stores it; the merchant's approval then arrives the same way."""
    from tests.fakes.simulator import SHOP as SIM_SHOP
    install_quiet_shop(app, domain=SIM_SHOP)
    order = simulator.add_order(SIM_SHOP, line_items=[{"title": "Tote", "price": "295.00"}])
    simulator.fulfill(SIM_SHOP, order.id, delivered_at="2026-11-20T12:00:00Z")
    ret = simulator.request_return(SIM_SHOP, order.id, [{"line_item_id": order.line_items[0].id,
                                                        "reason": "unwanted"}])
    simulator.get_return(SIM_SHOP, ret.id)  # the shop holds it, REQUESTED
    for sent in simulator.sent_webhooks(SIM_SHOP):
        assert client.post("/webhooks", data=sent.body, headers=sent.headers).status_code == 200
    with app.extensions["fineprint.db"].session() as s:
        (row,) = returns_store.list_returns(s, SIM_SHOP)
    assert (row.return_id, row.order_id, row.status, row.line_count) == (str(ret.id), str(order.id), "requested", 1)
