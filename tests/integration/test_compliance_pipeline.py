"""Compliance topics reach the order pipeline's tables: order_states, decision_log, pipeline_jobs.

John (customer 191167 of Shopify's example payloads) and Jane each place orders built from
Shopify's orders/create example; the pipeline records them (no active policy: recorded, logged,
not tagged). Then Shopify asks for John's data, and later to forget him.
"""
from __future__ import annotations

import copy
import json

import pytest
from sqlalchemy import update
from sqlmodel import select

from backend.store.models import ComplianceRecord, OrderState, PipelineJob
from tests.integration.edge_helpers import SHOP, example, install_shop, post_webhook
from tests.integration.test_compliance import database_text

JOHN, JANE = (191167, "john@example.com", "7 John Street"), (4242, "jane@example.com", "9 Jane Lane")
JOHNS_ORDERS, JANES_ORDER = (299938, 280263), 5555

def order_for(order_id: int, customer) -> dict:
    customer_id, email, street = customer
    order = copy.deepcopy(example("orders/create"))
    order.update(id=order_id, admin_graphql_api_id=f"gid://shopify/Order/{order_id}", email=email,
                 contact_email=email)
    order["customer"].update(id=customer_id, email=email, admin_graphql_api_id=f"gid://shopify/Customer/{customer_id}")
    order["shipping_address"]["address1"] = street
    order["line_items"][0]["properties"] = [{"name": "Engraving", "value": f"For {email.split('@')[0]}, with love"}]
    return order

@pytest.fixture
def orders(app, client):
    install_shop(app)
    for order_id in JOHNS_ORDERS:
        post_webhook(client, app, "orders/create", order_for(order_id, JOHN))
    post_webhook(client, app, "orders/create", order_for(JANES_ORDER, JANE))
    with app.extensions["fineprint.db"].session() as s:  # one of John's writes had failed, quoting the street
        s.execute(update(PipelineJob).where(PipelineJob.key == f"{SHOP}:{JOHNS_ORDERS[0]}")
                  .values(last_error=f"GraphQLError: invalid address {JOHN[2]}"))

def states(app) -> dict[str, OrderState]:
    with app.extensions["fineprint.db"].session() as s:
        return {row.order_id: row for row in s.exec(select(OrderState))}

def record(app, topic) -> ComplianceRecord:
    with app.extensions["fineprint.db"].session() as s:
        (row,) = s.exec(select(ComplianceRecord).where(ComplianceRecord.topic == topic)).all()
        return row

def test_a_data_request_reports_what_the_pipeline_holds_about_the_customer(app, client, orders):
    post_webhook(client, app, "customers/data_request", example("customers/data_request"))
    found = record(app, "customers/data_request").report["found"]
    assert sorted(s["order_id"] for s in found["order_states"]) == sorted(map(str, JOHNS_ORDERS))
    assert found["order_states"][0]["facts"]["shipping_address"]["address1"] == JOHN[2]
    assert sorted(e["order_id"] for e in found["decision_log"]) == sorted(map(str, JOHNS_ORDERS))
    assert sorted(j["key"] for j in found["pipeline_jobs"]) == [f"{SHOP}:{o}" for o in sorted(JOHNS_ORDERS)]
    assert "jane" not in json.dumps(found).lower() and JANE[2] not in json.dumps(found)

def test_customer_redaction_masks_the_customers_orders_in_the_pipeline_tables(app, client, orders):
    post_webhook(client, app, "customers/data_request", example("customers/data_request"))
    post_webhook(client, app, "customers/redact", example("customers/redact"))

    deleted = record(app, "customers/redact").report["deleted"]
    assert (deleted["order_states"], deleted["decision_log"], deleted["pipeline_jobs"]) == (2, 2, 1)
    johns = states(app)[str(JOHNS_ORDERS[0])].facts
    assert johns["shipping_address"] == {"country_code": "US", "province_code": "KY", "address1": "•••",
                                         "address2": None, "city": "•••", "zip": "•••"}
    assert johns["line_items"][0]["properties"] == {"Engraving": "•••"}
    assert johns["line_items"][0]["sku"], "what the decision needs stays"
    text = database_text(app)
    assert JOHN[2] not in text and "For john" not in text and JOHN[1] not in text.lower()
    assert JANE[2] in text and "For jane" in text, "other customers keep their data"


def test_an_order_not_listed_is_still_redacted_when_its_facts_name_the_customer(app, client):
    install_shop(app)
    facts = {"id": "gid://shopify/Order/77", "customer": {"id": JOHN[0], "email": "John@Example.com"},
             "shipping_address": {"country_code": "US", "address1": JOHN[2]}, "line_items": []}
    with app.extensions["fineprint.db"].session() as s:
        s.add(OrderState(shop_domain=SHOP, order_id="77", facts=facts))
        s.add(OrderState(shop_domain=SHOP, order_id="78", facts={"id": "gid://shopify/Order/78",
                                                                  "shipping_address": {"address1": JANE[2]}}))
    post_webhook(client, app, "customers/redact", example("customers/redact"))
    assert record(app, "customers/redact").report["deleted"]["order_states"] == 1
    assert states(app)["77"].facts == {"id": "gid://shopify/Order/77", "line_items": [],
                                       "shipping_address": {"country_code": "US", "address1": "•••"}}
    assert states(app)["78"].facts["shipping_address"]["address1"] == JANE[2]
