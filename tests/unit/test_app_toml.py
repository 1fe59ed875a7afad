"""shopify.app.toml subscribes exactly the topics the app handles (or has planned, listed below)."""
import json
import re
import tomllib
from pathlib import Path

from backend.config import DEFAULT_API_VERSION, DEFAULT_SCOPES
from backend.services.webhooks.ingest import ALWAYS_PROCESSED, TOPIC_HANDLERS
from backend.shopify import flow as flow_wire

ROOT = Path(__file__).resolve().parents[2]
TOML = ROOT / "shopify.app.toml"

COMPLIANCE = {"customers/data_request", "customers/redact", "shop/redact"}


def _config():
    return tomllib.loads(TOML.read_text())


def _subscribed():
    topics, compliance = set(), set()
    for sub in _config()["webhooks"]["subscriptions"]:
        assert sub["uri"] == "/webhooks"
        topics |= set(sub.get("topics", []))
        compliance |= set(sub.get("compliance_topics", []))
    return topics, compliance


def test_the_app_subscribes_exactly_the_topics_that_have_handlers():
    topics, compliance = _subscribed()
    assert compliance == COMPLIANCE
    assert not topics & compliance
    assert topics | compliance == set(TOPIC_HANDLERS)
    assert COMPLIANCE | {"app/uninstalled"} <= ALWAYS_PROCESSED


def test_every_topic_line_names_the_function_that_handles_it():
    lines = [line for line in TOML.read_text().splitlines() if re.match(r'\s*"[a-z_]+/[a-z_]+",', line)]
    assert len(lines) == len(TOPIC_HANDLERS)
    for line in lines:
        topic, path, name = re.match(r'\s*"([^"]+)",\s*# Handled by: (backend/services/\S+)\.py::(\w+)', line).groups()
        handler = TOPIC_HANDLERS[topic]
        assert (handler.__module__, handler.__name__) == (path.replace("/", "."), name), line


def test_scopes_proxy_and_versions_match_the_backend():
    config = _config()
    assert config["access_scopes"]["scopes"] == DEFAULT_SCOPES
    assert config["webhooks"]["api_version"] == DEFAULT_API_VERSION == "2026-10"
    assert config["embedded"] is True and config["pos"]["embedded"] is False
    assert config["app_proxy"] == {"url": "/proxy", "subpath": "fineprint", "prefix": "apps"}
    assert all(url.endswith("/auth/callback") for url in config["auth"]["redirect_urls"])
    assert config["build"]["include_config_on_deploy"] is True


def test_shopify_app_dev_starts_the_backend_after_migrations():
    web = tomllib.loads((ROOT / "shopify.web.toml").read_text())
    assert web["roles"] == ["backend"]
    script = (ROOT / web["commands"]["dev"].split()[-1]).read_text()
    assert script.index("migrate") < script.index("flask --app app serve")


def _declared_metafields() -> set:
    """(namespace, key, type) of the order metafield definitions: `[order.metafields.app.<key>]` is the
    app's bare "$app" namespace, `[order.metafields.<sub>.<key>]` its sub-namespace "$app:<sub>"."""
    declared = set()
    for sub, keys in _config()["order"]["metafields"].items():
        for key, definition in keys.items():
            declared.add(("$app" if sub == "app" else f"$app:{sub}", key, definition["type"]))
    return declared


def test_the_order_metafield_definitions_are_exactly_what_the_writer_writes():
    from backend.shopify import order_writes

    _, variables = order_writes.apply_decision_request("gid://shopify/Order/1", [], [], "2026-12-24",
                                                       {"tags": []})
    written = {(m["namespace"], m["key"], m["type"]) for m in variables["metafields"]}
    receipt = flow_wire.sent_marker("gid://shopify/Order/1", "trial-period-ended", "2026-12-10", "2026-12-11T05:00:00")
    _, trial = flow_wire.trial_ended_request("gid://shopify/Order/1", True, {"kept": []}, "trial-period-ended", {},
                                             receipt)
    bookkeeping = {m["namespace"] for m in trial["metafields"] if m["namespace"] != "$app:returns"}
    assert bookkeeping == {"$app:flow"}  # Flow receipts: the app's bookkeeping, no definition
    written |= {(m["namespace"], m["key"], m["type"]) for m in trial["metafields"] if m["namespace"] == "$app:returns"}
    assert written == _declared_metafields() == {("$app:returns", "deadline", "date"),
                                                 ("$app:returns", "decision", "json"),
                                                 ("$app:returns", "trial_kept", "json")}


def test_the_trial_kept_metafield_holds_json_of_its_declared_type():
    """What the end of a trial writes is a value Shopify accepts for the declared `json` type: a JSON document."""
    from datetime import datetime, timezone

    from backend.services.flow import payloads

    kept, returned = [{"lineItemId": "1", "title": "Heel A", "quantity": 1}], []
    value = payloads.kept_metafield("2026-12-10", kept, returned, datetime(2026, 12, 11, tzinfo=timezone.utc))
    _, variables = flow_wire.trial_ended_request("gid://shopify/Order/1", True, value, "trial-period-ended", {})
    [metafield] = variables["metafields"]
    declared = _config()["order"]["metafields"]["returns"][metafield["key"]]
    assert metafield["type"] == declared["type"] == "json"
    assert json.loads(metafield["value"])["kept"] == kept


def test_merchants_and_the_customers_account_read_the_metafields_and_only_the_app_writes_them():
    for keys in _config()["order"]["metafields"].values():
        for definition in keys.values():
            assert definition["name"] and definition["description"]
            assert definition["access"] == {"admin": "merchant_read", "customer_account": "read"}
