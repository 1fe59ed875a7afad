"""Ingest's record path after issue 19 (one INSERT ... SELECT ... ON CONFLICT DO NOTHING through the driver, `store/webhook_events.py`):
still recorded before it is acknowledged, still once per event, on SQLite and on PostgreSQL."""
from __future__ import annotations

import json

import pytest
import sqlalchemy as sa

from backend.services.webhooks import ingest as webhooks
from tests.integration.edge_helpers import SHOP, example, install_shop, webhook_headers


def rows(db_url) -> list[tuple]:
    """The table as another connection sees it (what a worker, or a crash, would find)."""
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        found = [(r[0], r[1], r[2], bool(r[3])) for r in conn.execute(sa.text(
            "SELECT event_id, webhook_id, status, payload IS NOT NULL FROM webhook_events ORDER BY id"))]
    engine.dispose()
    return found


def delivery(app, event_id="ev-1", webhook_id="wh-1", topic="orders/create"):
    body = json.dumps(example(topic)).encode()
    headers = webhook_headers(app, body, topic, **{"X-Shopify-Webhook-Id": webhook_id, "X-Shopify-Event-Id": event_id})
    return webhooks.Delivery.from_headers({k.lower(): v for k, v in headers.items()}), body.decode()


def test_a_delivery_is_committed_before_it_is_enqueued_and_so_before_the_200(app, db_url):
    install_shop(app)
    seen_at_enqueue = []
    d, text = delivery(app)
    outcome = webhooks.record(app.extensions["fineprint.db"], d, text, lambda row_id: seen_at_enqueue.extend(
        rows(db_url)))
    assert outcome == "accepted"
    assert seen_at_enqueue == [("ev-1", "wh-1", "received", True)]


def test_another_delivery_of_the_same_event_is_a_duplicate_never_enqueued(app, db_url):
    install_shop(app)
    enqueued = []
    db = app.extensions["fineprint.db"]
    first, text = delivery(app, webhook_id="wh-1")
    again, _ = delivery(app, webhook_id="wh-2")  # Shopify's retry: a new webhook id, the same event id
    assert webhooks.record(db, first, text, enqueued.append) == "accepted"
    assert webhooks.record(db, again, text, enqueued.append) == "duplicate"
    assert len(enqueued) == 1
    assert rows(db_url) == [("ev-1", "wh-1", "received", True)]  # the first delivery's webhook id is kept


def test_an_event_for_a_shop_that_is_not_installed_is_kept_without_its_payload_and_not_enqueued(app, db_url):
    enqueued = []
    d, text = delivery(app)
    assert d.shop == SHOP
    assert webhooks.record(app.extensions["fineprint.db"], d, text, enqueued.append) == "dropped"
    assert enqueued == [] and rows(db_url) == [("ev-1", "wh-1", "dropped", False)]


def test_when_the_queue_refuses_the_row_is_forgotten_so_shopifys_retry_is_accepted(app, db_url):
    install_shop(app)
    d, text = delivery(app)

    def queue_down(_row_id):
        raise ConnectionError("redis is down")

    with pytest.raises(Exception) as err:
        webhooks.record(app.extensions["fineprint.db"], d, text, queue_down)
    assert getattr(err.value, "status", None) == 503
    assert rows(db_url) == []
    assert webhooks.record(app.extensions["fineprint.db"], d, text, lambda _id: None) == "accepted"


def test_the_pooled_connection_goes_back_transactional_after_a_webhook_so_the_next_session_can_roll_back(app, db_url):
    """The ingest statement borrows a pooled connection (PostgreSQL: in autocommit for that one statement);
    a session that gets the same connection next must still be able to roll its work back."""
    install_shop(app)
    db = app.extensions["fineprint.db"]
    for n in range(3):
        d, text = delivery(app, event_id=f"ev-{n}", webhook_id=f"wh-{n}")
        assert webhooks.record(db, d, text, lambda row_id: None) == "accepted"
    with db.engine.connect() as conn:  # the connection the inserts used: the pool hands it out again
        conn.execute(sa.text("DELETE FROM webhook_events"))
        conn.rollback()
    assert [r[0] for r in rows(db_url)] == ["ev-0", "ev-1", "ev-2"]


def test_a_connection_that_breaks_under_the_insert_is_dropped_from_the_pool_not_handed_out_again(app, db_url):
    install_shop(app)
    db = app.extensions["fineprint.db"]
    d, text = delivery(app, event_id="ev-1", webhook_id="wh-1")
    assert webhooks.record(db, d, text, lambda row_id: None) == "accepted"
    with db.engine.connect() as conn:  # the server (or a proxy) closes it while it waits in the pool
        broken = conn.connection.driver_connection
    broken.close()
    again, _ = delivery(app, event_id="ev-2", webhook_id="wh-2")
    with pytest.raises(Exception):
        webhooks.record(db, again, text, lambda row_id: None)  # answered 500: Shopify retries
    assert webhooks.record(db, again, text, lambda row_id: None) == "accepted"  # a fresh connection
    assert [r[0] for r in rows(db_url)] == ["ev-1", "ev-2"]


def test_an_unparsed_delivery_is_committed_before_it_is_enqueued_and_a_second_one_inserts_nothing(app, db_url):
    install_shop(app)
    db, seen_at_enqueue = app.extensions["fineprint.db"], []
    d, text = delivery(app)
    assert webhooks.unparsed_candidate(d, text.encode())
    assert webhooks.record_unparsed(db, d, text, lambda row_id: seen_at_enqueue.extend(rows(db_url))) == "accepted"
    assert seen_at_enqueue == [("ev-1", "wh-1", "received", True)]
    again, _ = delivery(app, webhook_id="wh-2")
    assert webhooks.record_unparsed(db, again, text, seen_at_enqueue.append) is None  # the caller parses, then
    assert webhooks.record(db, again, text, seen_at_enqueue.append) == "duplicate"  # record() says "duplicate"
    assert len(seen_at_enqueue) == 1 and len(rows(db_url)) == 1


@pytest.mark.parametrize("text", ['{"id": 1, "note": oops}', '{"id": 1,}', '{"a": NaN}', '{"id": 1} trailing'])
def test_an_unparsed_text_the_database_does_not_take_for_json_inserts_nothing(app, db_url, text):
    install_shop(app)
    d, _ = delivery(app)
    assert webhooks.record_unparsed(app.extensions["fineprint.db"], d, text, lambda row_id: None) is None
    assert rows(db_url) == []


def test_only_bodies_whose_parse_could_not_change_the_answer_skip_it(app):
    d, text = delivery(app)
    order = text.encode()
    assert webhooks.unparsed_candidate(d, order) and webhooks.unparsed_candidate(d, b" \n" + order)
    assert not webhooks.unparsed_candidate(d, b'{"shop_domain": "x.myshopify.com"}')
    assert not webhooks.unparsed_candidate(d, b'{"shop\\u005Fdomain": "x.myshopify.com"}')
    assert not webhooks.unparsed_candidate(d, b"[1, 2]")
    compliance, body = delivery(app, topic="shop/redact")
    assert not webhooks.unparsed_candidate(compliance, body.encode())


def test_on_postgresql_a_stored_body_is_compressed_with_lz4_and_reads_back_whole(app, db_url):
    """Migration 0011: the payload column's TOAST compression is lz4 (less server CPU per insert than pglz)."""
    if not db_url.startswith("postgresql"):
        pytest.skip("TOAST compression is PostgreSQL's")
    install_shop(app)
    d, text = delivery(app)
    assert webhooks.record(app.extensions["fineprint.db"], d, text, lambda row_id: None) == "accepted"
    engine = sa.create_engine(db_url)
    with engine.connect() as conn:
        method = conn.execute(sa.text("SELECT attcompression FROM pg_attribute WHERE attrelid = "
                                      "'webhook_events'::regclass AND attname = 'payload'")).scalar()
        stored, compressed = conn.execute(sa.text(
            "SELECT payload::text, pg_column_compression(payload) FROM webhook_events")).one()
    engine.dispose()
    assert method == "l" and compressed == "lz4"
    assert json.loads(stored) == json.loads(text)
