"""shopify.app.toml subscribes exactly the topics the app handles (or has planned, listed below)."""
import re
import tomllib
from pathlib import Path

from backend.config import DEFAULT_SCOPES
from backend.services.webhooks import ALWAYS_PROCESSED, TOPIC_HANDLERS

ROOT = Path(__file__).resolve().parents[2]
TOML = ROOT / "shopify.app.toml"

# Subscribed now, handled by the order pipeline (issue 5) once it lands. When a topic gets its
# handler in TOPIC_HANDLERS it leaves this set; when the set is empty, delete it.
PLANNED = {"orders/create", "orders/updated", "orders/cancelled", "fulfillments/create", "fulfillments/update",
           "fulfillment_events/create", "products/create", "products/update", "products/delete"}
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


def test_every_subscribed_topic_has_a_handler_or_is_planned_and_every_handler_is_subscribed():
    topics, compliance = _subscribed()
    assert compliance == COMPLIANCE
    handled = set(TOPIC_HANDLERS)
    assert topics | compliance == handled | (PLANNED - handled)
    assert COMPLIANCE | {"app/uninstalled"} <= handled <= ALWAYS_PROCESSED | PLANNED


def test_every_topic_line_says_which_code_handles_it():
    for line in TOML.read_text().splitlines():
        if re.match(r'\s*"[a-z_]+/[a-z_]+",', line):
            assert "# Handled by: backend/services/" in line, line


def test_scopes_proxy_and_versions_match_the_backend():
    config = _config()
    assert config["access_scopes"]["scopes"] == DEFAULT_SCOPES
    assert config["webhooks"]["api_version"] == "2025-10"
    assert config["embedded"] is True and config["pos"]["embedded"] is False
    assert config["app_proxy"] == {"url": "/proxy", "subpath": "fineprint", "prefix": "apps"}
    assert all(url.endswith("/auth/callback") for url in config["auth"]["redirect_urls"])
    assert config["build"]["include_config_on_deploy"] is True


def test_shopify_app_dev_starts_the_backend_after_migrations():
    web = tomllib.loads((ROOT / "shopify.web.toml").read_text())
    assert web["roles"] == ["backend"]
    script = (ROOT / web["commands"]["dev"].split()[-1]).read_text()
    assert script.index("migrate") < script.index("flask --app app serve")
