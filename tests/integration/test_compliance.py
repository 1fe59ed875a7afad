"""Compliance topics and uninstall: what Shopify asks us to hand over or forget, we do."""
from __future__ import annotations

import copy
import json
from datetime import datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from sqlmodel import select

from backend.services.compliance import topics as compliance
from backend.services.install import lifecycle as install
from backend.store.models import ComplianceRecord, OAuthState, Shop
from tests.integration.edge_helpers import SHOP, events, example, install_shop, post_webhook, shop_row


@pytest.fixture
def app_config(app_config, simulator):
    """Calls to Shopify (app/uninstalled asks whether the shop's token still works) go to the simulator."""
    simulator.add_shop(SHOP)
    return {**app_config, **simulator.app_overrides}

OTHER = "other-shop.myshopify.com"


def order_for(order_id, customer_id, email):
    order = copy.deepcopy(example("orders/create"))
    order.update(id=order_id, email=email, contact_email=email, admin_graphql_api_id=f"gid://shopify/Order/{order_id}")
    order["customer"].update(id=customer_id, email=email, admin_graphql_api_id=f"gid://shopify/Customer/{customer_id}")
    return order


def records(app, **where):
    with app.extensions["fineprint.db"].session() as s:
        query = select(ComplianceRecord).order_by(ComplianceRecord.id)
        for key, value in where.items():
            query = query.where(getattr(ComplianceRecord, key) == value)
        return list(s.exec(query))


def database_text(app) -> str:
    """Every row of every table, as text: what an attacker with the database file would read."""
    engine = app.extensions["fineprint.db"].engine
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        return json.dumps([[list(map(str, row)) for row in conn.execute(t.select())] for t in meta.sorted_tables])


@pytest.fixture
def johns_orders(app, client):
    install_shop(app)
    post_webhook(client, app, "orders/create", order_for(299938, 191167, "john@example.com"), event_id="john-1")
    post_webhook(client, app, "orders/create", order_for(280263, 191167, "John@Example.com"), event_id="john-2")
    post_webhook(client, app, "orders/create", order_for(5555, 4242, "jane@example.com"), event_id="jane-1")


def test_a_data_request_stores_for_the_merchant_everything_we_hold_about_the_customer(app, client, johns_orders):
    res = post_webhook(client, app, "customers/data_request", example("customers/data_request"), event_id="dr-1")
    assert res.status_code == 200
    (record,) = records(app, topic="customers/data_request")
    assert (record.shop_domain, record.customer_id, record.webhook_event_id) == (SHOP, "191167", "dr-1")
    assert record.report["data_request_id"] == 9999
    found = record.report["found"]["webhook_events"]
    assert sorted(e["event_id"] for e in found) == ["john-1", "john-2"]
    assert found[0]["payload"]["customer"]["id"] == 191167


def test_customer_redaction_forgets_the_customer_everywhere_and_logs_only_counts(app, client, johns_orders):
    post_webhook(client, app, "customers/data_request", example("customers/data_request"), event_id="dr-1")
    res = post_webhook(client, app, "customers/redact", example("customers/redact"), event_id="cr-1")
    assert res.status_code == 200
    by_id = {e.event_id: e for e in events(app)}
    assert by_id["john-1"].payload is None and by_id["john-2"].payload is None and by_id["cr-1"].payload is None
    assert by_id["dr-1"].payload is None and by_id["jane-1"].payload is not None
    assert records(app, topic="customers/data_request") == []
    (log,) = records(app, topic="customers/redact")
    assert log.report == {"deleted": {"webhook_events": 4, "compliance_records": 1,
                                      "order_states": 2, "decision_log": 2}}  # john's two orders, jane's kept
    text = database_text(app).lower()
    assert "john@example.com" not in text and "555-625-1199" not in text
    assert "jane@example.com" in text


def test_a_registered_table_takes_part_in_data_requests_and_redactions(app, client, monkeypatch):
    install_shop(app)
    seen = []
    monkeypatch.setitem(compliance.PERSONAL_DATA, "loyalty_points", compliance.PersonalData(
        "loyalty_points", find=lambda s, who: [{"customer": who.id, "points": 12}],
        redact_customer=lambda s, who: seen.append(who) or 1))
    post_webhook(client, app, "customers/data_request", example("customers/data_request"))
    post_webhook(client, app, "customers/redact", example("customers/redact"))
    assert records(app, topic="customers/data_request") == []  # deleted again by the redaction
    (log,) = records(app, topic="customers/redact")
    assert log.report["deleted"]["loyalty_points"] == 1
    assert seen[0].id == "191167" and seen[0].email == "john@example.com"
    assert seen[0].order_ids == {"299938", "280263", "220458"}


def test_app_uninstalled_deletes_the_tokens_and_later_events_are_dropped(app, client, johns_orders):
    with app.extensions["fineprint.db"].session() as s:
        s.add(OAuthState(nonce="n-1", shop_domain=SHOP))
    res = post_webhook(client, app, "app/uninstalled", example("app/uninstalled"))
    assert res.status_code == 200
    shop = shop_row(app)
    assert shop.access_token_encrypted is None and shop.refresh_token_encrypted is None and shop.scopes == ""
    assert shop.uninstalled_at is not None
    assert events(app, topic="app/uninstalled")[0].payload is None  # the owner's contact details
    with app.extensions["fineprint.db"].session() as s:
        assert s.exec(select(OAuthState)).all() == []
    late = post_webhook(client, app, "orders/create", order_for(1, 2, "x@example.com"))
    assert late.get_json()["status"] == "dropped"


@pytest.mark.parametrize("triggered", ["before the reinstall", "now"])
def test_a_reinstall_starts_clean_and_a_replayed_uninstall_is_ignored_whatever_its_triggered_at(
        app, client, simulator, triggered):
    install_shop(app)
    post_webhook(client, app, "app/uninstalled", example("app/uninstalled"))
    before_reinstall = datetime.now(timezone.utc)
    granted = simulator.install(SHOP)  # the reinstall's token, as Shopify's token endpoint answers it

    class Token:
        access_token, scope, expires_at = granted["access_token"], "write_orders,read_products", None
        refresh_token = refresh_token_expires_at = None

    install.save_token(app.extensions["fineprint.db"], app.extensions["fineprint.cipher"],
                       app.config["FINEPRINT"], SHOP, Token())
    shop = shop_row(app)
    assert shop.uninstalled_at is None and shop.access_token_encrypted
    # the captured signed body, replayed with a fresh webhook id and a Triggered-At the attacker picks
    stamp = before_reinstall - timedelta(seconds=1) if triggered != "now" else datetime.now(timezone.utc)
    post_webhook(client, app, "app/uninstalled", example("app/uninstalled"),
                 **{"X-Shopify-Triggered-At": stamp.isoformat()})
    assert shop_row(app).access_token_encrypted is not None
    assert events(app, topic="app/uninstalled")[-1].status == "ignored"


def test_shop_redaction_empties_every_table_of_the_shop_and_leaves_other_shops_alone(app, client, johns_orders):
    install_shop(app, domain=OTHER)
    post_webhook(client, app, "orders/create", order_for(7, 8, "o@example.com"), shop=OTHER, event_id="other-1")
    post_webhook(client, app, "customers/data_request", example("customers/data_request"), event_id="dr-1")
    post_webhook(client, app, "app/uninstalled", example("app/uninstalled"))
    res = post_webhook(client, app, "shop/redact", example("shop/redact"), event_id="sr-1")
    assert res.status_code == 200

    assert shop_row(app) is None and shop_row(app, OTHER) is not None
    assert [e.event_id for e in events(app, shop_domain=SHOP)] == ["sr-1"]
    assert events(app, event_id="sr-1")[0].status == "done"
    assert [e.event_id for e in events(app, shop_domain=OTHER)] == ["other-1"]
    (log,) = records(app, topic="shop/redact")
    assert log.report["deleted"]["shops"] == 1 and log.report["deleted"]["webhook_events"] == 5
    assert log.report["deleted"]["compliance_records"] == 1
    engine = app.extensions["fineprint.db"].engine
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.connect() as conn:
        for table in meta.sorted_tables:
            if "shop_domain" in table.c and table.name not in ("webhook_events", "compliance_records"):
                assert conn.execute(table.select().where(table.c.shop_domain == SHOP)).first() is None, table.name
    assert "john@example.com" not in database_text(app).lower()


def test_compliance_topics_for_an_unknown_shop_are_still_answered(app, client):
    for topic in ("customers/data_request", "customers/redact", "shop/redact"):
        assert post_webhook(client, app, topic, example(topic)).get_json()["status"] == "accepted"
    assert {e.status for e in events(app)} == {"done"}
    assert [r.topic for r in records(app)] == ["customers/redact", "shop/redact"]  # the report went with the customer
