"""The policy builder over HTTP: the form drawn from the editor's text, edits answered as the new text,
the written policy sentence by sentence, and clear errors — with a real session token, on SQLite and
PostgreSQL (the routes need a shop, so the app's database is used)."""
from __future__ import annotations

import pytest

from backend.services.decisions import policies
from tests.integration.edge_helpers import install_shop

SHOP = "fineprint-dev.myshopify.com"


@pytest.fixture
def app_config(app_config, simulator):
    app_config.update(simulator.app_overrides)
    return app_config


@pytest.fixture
def auth(app, simulator):
    install_shop(app, SHOP, token=simulator.install(SHOP)["access_token"])
    return {"Authorization": "Bearer " + simulator.session_token(SHOP, sub="42")}


def test_the_builder_draws_every_section_of_the_policy_in_the_editor(client, auth):
    text = policies.file_source("aallyn")
    answer = client.post("/app/api/policy/builder", json={"text": text}, headers=auth)
    assert answer.status_code == 200, answer.text
    html = answer.json["html"]
    for section in ("Return windows", "What cannot be returned", "Store credit only", "Fees", "Return protection",
                    "Signature and shipping", "Regions", "Condition rules", "Bonus credit"):
        assert section in html
    assert 'data-rule-id="us-returns"' in html and "Returns are eligible for Refund up to 21 days" in html
    assert answer.json["ok"] and answer.json["check"]["ok"]


def test_an_edit_answers_the_new_text_and_the_form_drawn_from_it(client, auth):
    text = policies.file_source("aallyn")
    edit = {"op": "set", "ref": {"table": "rules", "id": "us-returns"}, "path": ["windows", "refund", "days"],
            "value": "30"}
    answer = client.post("/app/api/policy/builder/edit", json={"text": text, "edits": [edit]}, headers=auth)
    assert answer.status_code == 200, answer.text
    assert answer.json["text"] == text.replace(
        'windows = { refund = { days = 21, from = "delivery" }, store_credit = { days = 21',
        'windows = { refund = { days = 30, from = "delivery" }, store_credit = { days = 21', 1)
    assert 'value="30"' in answer.json["html"]


def test_a_value_the_field_cannot_take_is_a_422_naming_the_field(client, auth):
    edit = {"op": "set", "ref": {"table": "fees", "id": "us-restocking-fee"}, "path": ["amount"], "value": "lots"}
    answer = client.post("/app/api/policy/builder/edit", json={"text": policies.file_source("aallyn"), "edits": [edit]},
                         headers=auth)
    assert answer.status_code == 422
    assert answer.json["error"]["message"] == "'lots' is not an amount"
    assert answer.json["error"]["details"] == [{"field": "edits[0].amount", "message": "'lots' is not an amount"}]


def test_an_unknown_edit_or_a_broken_file_is_refused_plainly(client, auth):
    text = policies.file_source("aallyn")
    unknown = client.post("/app/api/policy/builder/edit", json={"text": text, "edits": [{"op": "explode"}]},
                          headers=auth)
    assert unknown.status_code == 422 and unknown.json["error"]["details"][0]["field"] == "edits[0].op"
    broken = client.post("/app/api/policy/builder/edit", json={"text": "[policy\n", "edits": [{"op": "set"}]},
                         headers=auth)
    assert broken.status_code == 422 and "advanced view" in broken.json["error"]["message"]
    drawn = client.post("/app/api/policy/builder", json={"text": "[policy\n"}, headers=auth)
    assert drawn.status_code == 200 and not drawn.json["ok"] and "advanced view" in drawn.json["html"]


def test_the_written_policy_comes_back_sentence_by_sentence(client, auth):
    written = ("Returns are eligible for Refund up to 21 days after delivery date. "
               "We gift-wrap every order.")
    answer = client.post("/app/api/policy/builder/sentences",
                         json={"text": policies.file_source("aallyn"), "written": written}, headers=auth)
    assert answer.status_code == 200
    found = answer.json["sentences"]
    assert [s["text"] for s in found] == ["Returns are eligible for Refund up to 21 days after delivery date.",
                                          "We gift-wrap every order."]
    assert [r["id"] for r in found[0]["rules"]] == ["us-returns"] and found[1]["rules"] == []
    assert (answer.json["implemented"], answer.json["total"]) == (1, 2)


def test_the_builder_calls_need_a_session_token(client, auth):
    for path in ("/app/api/policy/builder", "/app/api/policy/builder/edit", "/app/api/policy/builder/sentences"):
        assert client.post(path, json={"text": ""}).status_code == 401


def test_the_admin_page_offers_the_builder_and_the_advanced_editor(client, auth, app):
    policies.set_policy(app, SHOP, "aallyn", "setup")
    page = client.get("/app", headers=auth)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'id="view-builder"' in html and 'id="view-advanced"' in html and 'id="policy-text"' in html
    assert "admin/builder.js" in html and "Paste your policy text" in html


@pytest.mark.parametrize("body", [
    {"text": "a = " + "[" * 5000 + "]" * 5000, "edits": [{"op": "remove", "ref": {"table": "fees"}}]},
    {"text": "x", "edits": "all of them"},
    {"text": "x", "edits": [{"op": "set", "ref": "us-returns", "path": ["title"], "value": "x"}]},
    {"text": "x", "edits": [{"op": "set", "ref": {"table": "rules", "id": "us-returns"}, "path": "title"}]},
    {"text": "x", "edits": [{"op": "set", "ref": {"table": "rules", "id": "a"}, "path": ["title"], "value": {"a": 1}}]},
    {"text": "x", "edits": [{"op": "add", "section": ["fees"], "title": "a", "text": "b"}]},
    {"text": "x", "edits": [{"op": "add", "section": "fees", "title": "a", "text": "b", "values": [1]}]},
    {"text": 5, "edits": []},
])
def test_hostile_edits_are_refused_with_the_error_envelope(client, auth, body):
    answer = client.post("/app/api/policy/builder/edit", json=body, headers=auth)
    assert answer.status_code == 422 and set(answer.json["error"]) == {"code", "message", "details"}


def test_a_policy_nested_deeper_than_any_reader_goes_is_shown_as_unreadable(client, auth):
    answer = client.post("/app/api/policy/builder", json={"text": "a = " + "[" * 5000 + "]" * 5000}, headers=auth)
    assert answer.status_code == 200 and not answer.json["ok"] and "not valid TOML" in answer.json["html"]


def _rule_html(html: str, rule_id: str) -> str:
    start = html.index(f'data-rule-id="{rule_id}"')
    end = html.find('<div class="b-rule', start)
    return html[start:end if end != -1 else len(html)]


def test_an_edited_fee_whose_sentence_still_quotes_the_old_amount_is_flagged(client, auth):
    loaded = policies.file_source("aallyn")
    fee = {"op": "set", "ref": {"table": "fees", "id": "us-restocking-fee"}, "path": ["amount"], "value": "20"}
    answer = client.post("/app/api/policy/builder/edit", json={"text": loaded, "edits": [fee]}, headers=auth)
    assert answer.status_code == 200, answer.text
    flagged = _rule_html(answer.json["html"], "us-restocking-fee")
    assert 'class="b-note warning b-stale" data-quote="$15.00"' in flagged
    assert "still quotes “$15.00”" in flagged
    assert "b-stale" not in _rule_html(answer.json["html"], "international-restocking-fee")

    price = {"op": "set", "ref": {"table": "protection"}, "path": ["price"], "value": "2.98"}
    later = client.post("/app/api/policy/builder/edit", headers=auth,
                        json={"text": answer.json["text"], "edits": [price], "since": loaded})
    assert 'data-quote="$15.00"' in _rule_html(later.json["html"], "us-restocking-fee")  # kept over other edits
    reopened = client.post("/app/api/policy/builder", json={"text": answer.json["text"], "since": loaded}, headers=auth)
    assert 'data-quote="$15.00"' in _rule_html(reopened.json["html"], "us-restocking-fee")
    plain = client.post("/app/api/policy/builder", json={"text": loaded}, headers=auth)
    assert "b-stale" not in plain.json["html"]
