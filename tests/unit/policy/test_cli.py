"""`flask policy decide|check|render` as contract §1 describes them."""
from __future__ import annotations

import json

import pytest

from backend import create_app

REQUEST = {"as_of": "2024-10-10T12:00:00-07:00", "order": {
    "id": "1", "created_at": "2024-10-01T09:30:00-07:00",
    "shipping_address": {"country_code": "US", "province_code": "CA", "address1": "1 Main St"},
    "line_items": [{"id": "11", "quantity": 1, "price": "195.00"}],
    "fulfillments": [{"shipped_at": "2024-10-02T08:00:00-07:00", "delivered_at": "2024-10-05T14:00:00-07:00"}]}}


@pytest.fixture
def runner(tmp_path):
    app = create_app({"database_url": "sqlite:///" + str(tmp_path / "t.db"), "huey_immediate": True, "testing": True})
    yield app.test_cli_runner()
    app.extensions["fineprint.db"].dispose()


def test_decide_one_pretty_printed_document(runner):
    result = runner.invoke(args=["policy", "decide", "--policy", "aallyn"], input=json.dumps(REQUEST, indent=2))
    assert result.exit_code == 0, result.output
    (line,) = result.output.splitlines()
    decision = json.loads(line)
    assert decision["return_deadline"] == "2024-10-26" and decision["lines"][0]["class"] == "standard"


def test_decide_json_lines_one_output_line_each_and_errors_exit_1(runner):
    bad = dict(REQUEST, order=dict(REQUEST["order"], line_items=[{"id": "11", "quantity": "one", "price": "1"}]))
    stdin = "\n".join([json.dumps(REQUEST), "not json", json.dumps(bad), json.dumps(REQUEST)]) + "\n"
    result = runner.invoke(args=["policy", "decide", "--policy", "aallyn"], input=stdin)
    assert result.exit_code == 1
    lines = [json.loads(x) for x in result.output.splitlines()]
    assert len(lines) == 4
    assert "lines" in lines[0] and "lines" in lines[3]
    assert lines[1]["error"]["code"] == "invalid_request"
    assert lines[2]["error"]["details"] == [{"field": "order.line_items[0].quantity",
                                             "message": "expected a whole number, 0 or more"}]


def test_decide_outputs_compact_json_with_unicode(runner):
    request = dict(REQUEST, order=dict(REQUEST["order"], id="Bestellung-ü"))
    result = runner.invoke(args=["policy", "decide", "--policy", "novus"], input=json.dumps(request))
    assert result.exit_code == 0 and '"order_id":"Bestellung-ü"' in result.output


def test_decide_with_a_policy_path(runner):
    result = runner.invoke(args=["policy", "decide", "--policy", "policy_rules/ally.toml"], input=json.dumps(REQUEST))
    assert result.exit_code == 0 and json.loads(result.output)["policy"] == "ally"


def test_check_passes_presets_with_warnings_only(runner):
    result = runner.invoke(args=["policy", "check", "policy_rules/ally.toml", "policy_rules/aallyn.toml",
                                 "policy_rules/novus.toml"])
    assert result.exit_code == 0, result.output
    assert all(": warning: " in line for line in result.output.splitlines())


def test_check_fails_a_broken_file_with_file_line_col(runner, tmp_path):
    bad = tmp_path / "x.toml"
    bad.write_text('[policy]\nname = "x"\ntitle = "X"\ntimezone = "UTC"\ncurrency = "USD"\n'
                   '[[rules]]\nid = "a"\ntitle = "A"\ntext = "T"\nwhen = { product_tagz = ["x"] }\n')
    result = runner.invoke(args=["policy", "check", str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:10:10: unknown condition 'product_tagz'" in result.output


def test_render_prints_markdown(runner):
    result = runner.invoke(args=["policy", "render", "aallyn"])
    assert result.exit_code == 0 and result.output.startswith("# AALLYN")
    assert "$2.98" in result.output and "21 days" in result.output
