"""The Flow extensions say what the backend sends and serves: every trigger payload has exactly the fields its
`shopify.extension.toml` declares (as the simulator checks them), field keys and types obey the Shopify CLI's
rules for Flow triggers, schema types exist, and the action's runtime URL is the route that verifies it."""
import re
import tomllib
from datetime import date, datetime
from pathlib import Path

import pytest
from graphql import build_schema

from devshop.flow import declared_triggers, problems
from backend.policy import decide, load_policy
from backend.services.flow import action as flow_action
from backend.services.flow import payloads as flow_payloads
from backend.services.flow import plan as flow_plan

ROOT = Path(__file__).resolve().parents[2]
EXTENSIONS = ROOT / "extensions"
# Shopify CLI 3.94's flow_trigger spec: non-reference fields of these types, keys of letters and spaces only
TRIGGER_TYPES = {"boolean", "email", "single_line_text_field", "url", "number_decimal"}
REFERENCES = {"customer_reference", "order_reference", "product_reference", "company_reference",
              "company_contact_reference"}


def _flow_extensions():
    for toml in sorted(EXTENSIONS.glob("flow-*/shopify.extension.toml")):
        yield toml.parent, tomllib.loads(toml.read_text())


def _decision(tags=(), as_of="2026-12-03T10:00:00-05:00"):
    order = {"id": "gid://shopify/Order/1001", "created_at": "2026-11-20T10:00:00-05:00", "currency": "USD",
             "source_name": "web", "tags": list(tags), "shipping_address": {"country_code": "US"},
             "line_items": [{"id": "11", "title": "Heel", "quantity": 1, "price": "250.00"},
                            {"id": "12", "title": "Pump", "quantity": 1, "price": "250.00"}],
             "fulfillments": [{"shipped_at": "2026-11-26T10:00:00-05:00", "delivered_at": "2026-11-28T10:00:00-05:00"}]}
    request = {"order": order, "return_request": {"resolution": "refund", "lines": [
        {"line_item_id": "11", "quantity": 1, "condition": "new", "reason": "changed_mind"}]}}
    return decide(load_policy("ally"), request, datetime.fromisoformat(as_of)), order


def test_every_flow_trigger_and_the_action_are_declared():
    handles = {ext["handle"]: ext["type"] for _, cfg in _flow_extensions() for ext in cfg["extensions"]}
    assert handles == {flow_plan.WINDOW_CLOSING: "flow_trigger", flow_plan.TRIAL_ENDING: "flow_trigger",
                       flow_plan.TRIAL_ENDED: "flow_trigger", flow_plan.RETURN_DECIDED: "flow_trigger",
                       flow_action.HANDLE: "flow_action"}
    assert all(len(h) <= 30 and re.fullmatch(r"[a-z0-9-]+", h) for h in handles)


@pytest.mark.parametrize("directory,config", list(_flow_extensions()), ids=lambda v: getattr(v, "name", ""))
def test_fields_follow_the_cli_rules_and_schema_types_exist(directory, config):
    ext = config["extensions"][0]
    schema = build_schema((directory / ext["schema"]).read_text()) if ext.get("schema") else None
    for spec in config["settings"]["fields"]:
        if spec["type"] in REFERENCES:
            continue
        if ext["type"] == "flow_trigger":
            assert re.fullmatch(r"[a-zA-Z\s]+", spec["key"]), spec
        if spec["type"].startswith("schema."):
            assert ext["type"] == "flow_trigger" and schema.get_type(spec["type"][7:]) is not None, spec
        elif ext["type"] == "flow_trigger":
            assert spec["type"] in TRIGGER_TYPES, spec
    if ext.get("return_type_ref"):
        assert schema.get_type(ext["return_type_ref"]) is not None


def test_the_action_runs_on_the_route_that_verifies_it():
    config = tomllib.loads((EXTENSIONS / "flow-check-order" / "shopify.extension.toml").read_text())
    app_url = tomllib.loads((ROOT / "shopify.app.toml").read_text())["application_url"]
    assert config["extensions"][0]["runtime_url"] == f"{app_url}/flow/actions/check-order"


def test_each_payload_has_exactly_its_triggers_fields():
    decision, order = _decision(tags=["trial-box"])
    today = date(2026, 12, 3)
    reminder = flow_payloads.reminder_payload(decision, order, "2026-12-05", today, trial=True)
    kept, returned = flow_payloads.trial_outcome(decision, order, {"11": 1, "12": 0})
    ended = flow_payloads.trial_ended_payload(decision, "2026-12-05", kept, returned, "sentence")
    standard, _ = _decision()
    window = flow_payloads.reminder_payload(standard, order, "2026-12-12", today, trial=False)
    decided = flow_payloads.return_decided_payload(standard)
    for handle, payload in [(flow_plan.TRIAL_ENDING, reminder), (flow_plan.TRIAL_ENDED, ended),
                            (flow_plan.WINDOW_CLOSING, window), (flow_plan.RETURN_DECIDED, decided)]:
        assert problems(handle, payload, None) == [], handle
    assert set(declared_triggers()) == {flow_plan.WINDOW_CLOSING, flow_plan.TRIAL_ENDING, flow_plan.TRIAL_ENDED,
                                        flow_plan.RETURN_DECIDED}
    assert (ended["Kept count"], ended["Returned count"], ended["Kept items"]) == (1, 1, "Heel")
    assert decided["Verdict"] == "allowed" and decided["Refund total"] == 237.01  # 250.00 less the 12.99 fee


def test_the_simulator_refuses_what_flow_could_not_route():
    assert problems(None, {}, "{}")[0]["field"] == ["handle"]
    assert problems("no-such-trigger", {}, None)[0]["field"] == ["handle"]
    assert problems(flow_plan.WINDOW_CLOSING, {"order_id": 1}, None)[0]["field"] == ["payload"]
    assert problems(flow_plan.WINDOW_CLOSING, ["order_id"], None)[0]["field"] == ["payload"]


def test_the_action_answers_a_policy_check_of_its_return_type():
    decision, _ = _decision(tags=["trial-box"])
    value = flow_action.policy_check(decision, date(2026, 12, 3))
    schema = build_schema((EXTENSIONS / "flow-check-order" / "schema.graphql").read_text())
    assert set(value) == set(schema.get_type("PolicyCheck").fields)
    assert set(value["lines"][0]) == set(schema.get_type("PolicyCheckLine").fields)
    assert value["returnDeadline"] == "2026-12-05" and value["daysLeft"] == 2 and value["returnable"] is True
    assert value["openResolutions"] == ["exchange", "refund"]
