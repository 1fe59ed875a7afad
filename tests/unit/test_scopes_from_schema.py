"""The scopes in shopify.app.toml cover every subscribed webhook topic, by Shopify's own schema.

Shopify refuses to deploy a subscription whose topic needs a scope the app does not request; the Admin
schema says which: each `WebhookSubscriptionTopic` value's description ends "Requires the `read_x` scope."
or "Requires at least one of the following scopes: read_a, read_b." The schema read here is
`devshop/schema/admin-2026-10.introspection.json.gz`, copied unchanged from
`shared/shopify/admin-schema/` (npm `@shopify/dev-mcp` 1.16.0 `dist/data/admin_2026-10.json.gz`, ISC, Shopify).
"""
from __future__ import annotations

import gzip
import json
import re
import tomllib
from functools import lru_cache
from pathlib import Path

import pytest

from backend.config import DEFAULT_SCOPES, OPTIONAL_SCOPES

ROOT = Path(__file__).resolve().parents[2]
SCHEMA = ROOT / "devshop" / "schema" / "admin-2026-10.introspection.json.gz"
SCOPE = re.compile(r"\b(?:read|write)_[a-z_]+\b")


@lru_cache(maxsize=1)
def topic_requirements() -> dict[str, tuple[str, list[str]]]:
    """TOPIC_ENUM -> ("all" | "any", scopes) as the schema's descriptions state them."""
    schema = json.loads(gzip.decompress(SCHEMA.read_bytes()))["data"]["__schema"]
    enum = next(t for t in schema["types"] if t["name"] == "WebhookSubscriptionTopic")
    out = {}
    for value in enum["enumValues"]:
        text = (value.get("description") or "").split("Requires", 1)
        scopes = SCOPE.findall(text[1]) if len(text) == 2 else []
        out[value["name"]] = ("any" if "at least one of" in text[-1] else "all", scopes)
    return out


def app_toml() -> dict:
    return tomllib.loads((ROOT / "shopify.app.toml").read_text())


def subscribed_topics(config: dict) -> list[str]:
    return [t for sub in config["webhooks"]["subscriptions"] for t in sub.get("topics", [])]


def _covered(scope: str, granted: set[str]) -> bool:
    return scope in granted or scope.replace("read_", "write_", 1) in granted  # write_x grants read_x


def missing_scopes(topics: list[str], scopes: str) -> dict[str, list[str]]:
    """topic -> the scopes it lacks (for "at least one of": all the alternatives), for each short topic."""
    granted = {s.strip() for s in scopes.split(",") if s.strip()}
    requirements, out = topic_requirements(), {}
    for topic in topics:
        enum = topic.upper().replace("/", "_")
        if enum not in requirements:
            out[topic] = [f"not a webhook topic of the 2026-10 schema ({enum})"]
            continue
        mode, needed = requirements[enum]
        lacking = [s for s in needed if not _covered(s, granted)]
        if lacking and (mode == "all" or len(lacking) == len(needed)):
            out[topic] = lacking
    return out


def test_every_subscribed_topic_has_the_scopes_shopifys_schema_requires():
    config = app_toml()
    assert missing_scopes(subscribed_topics(config), config["access_scopes"]["scopes"]) == {}


def test_the_schema_is_read_as_shopify_words_it():
    requirements = topic_requirements()
    assert requirements["FULFILLMENT_EVENTS_CREATE"] == ("all", ["read_fulfillments"])
    assert requirements["FULFILLMENTS_CREATE"] == ("any", ["read_fulfillments", "read_marketplace_orders"])
    assert requirements["ORDERS_CREATE"] == ("any", ["read_orders", "read_marketplace_orders"])
    assert requirements["APP_UNINSTALLED"] == ("all", [])


@pytest.mark.parametrize("dropped, short", [
    ("read_fulfillments", {"fulfillments/create", "fulfillments/update", "fulfillment_events/create"}),
    ("read_products", {"products/create", "products/update", "products/delete"}),
    ("read_orders,write_orders", {"orders/create", "orders/updated", "orders/cancelled"}),
    # request/approve/decline need a returns scope; cancel/close/reopen are also served by read_orders
    ("read_returns,write_returns", {"returns/request", "returns/approve", "returns/decline", "returns/update",
                                    "reverse_fulfillment_orders/dispose"}),
])
def test_a_scope_taken_out_of_the_list_is_caught(dropped, short):
    config = app_toml()
    scopes = ",".join(s for s in config["access_scopes"]["scopes"].split(",") if s not in dropped.split(","))
    assert set(missing_scopes(subscribed_topics(config), scopes)) == short


def test_a_topic_the_schema_does_not_know_is_caught():
    assert missing_scopes(["orders/teleported"], DEFAULT_SCOPES) == {
        "orders/teleported": ["not a webhook topic of the 2026-10 schema (ORDERS_TELEPORTED)"]}


def test_the_toml_requests_what_the_backend_asks_for_and_the_features_need():
    access = app_toml()["access_scopes"]
    assert access["scopes"] == DEFAULT_SCOPES
    assert {"read_fulfillments", "write_app_proxy", "write_orders", "read_products"} <= set(DEFAULT_SCOPES.split(","))
    assert tuple(access["optional_scopes"]) == OPTIONAL_SCOPES == ("read_all_orders",)
    assert "app_proxy" in app_toml()  # the proxy is why write_app_proxy is asked for
