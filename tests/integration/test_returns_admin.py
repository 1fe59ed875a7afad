"""The merchant's side of returns (issue 15): the Returns section (verdict, the policy's words, money,
filters), an override with its note kept in the audit log and shown in Activity, the returns mode from
the admin page and the CLI, and the comparison with Shopify's refund policy — on SQLite and PostgreSQL,
with the queue run immediately."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from backend.store import returns as repo
from tests.integration.edge_helpers import install_shop, post_webhook

SHOP = "fineprint-dev.myshopify.com"
US = {"country_code": "US", "province_code": "CA", "address1": "1 Main St", "city": "Los Angeles", "zip": "90012"}
FINAL_SALE_TEXT = "Please note that opting for this service does not exempt your order from final sale"


@pytest.fixture
def app_config(app_config, simulator):
    app_config.update(simulator.app_overrides)
    return app_config


@pytest.fixture
def shop(app, simulator):
    install_shop(app, SHOP, token=simulator.install(SHOP)["access_token"])
    with app.app_context():
        from backend.services.decisions import policies
        policies.set_policy(app, SHOP, "aallyn", "test")
    return SHOP


@pytest.fixture
def auth(simulator):
    def headers(user="42"):
        return {"Authorization": "Bearer " + simulator.session_token(SHOP, sub=user)}
    return headers


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def requested_return(app, client, simulator, tags=("final-sale",)):
    """A delivered order of one bag, and the shopper's return request reaching the app."""
    product = simulator.add_product(SHOP, "Mini bag", tags=list(tags), price="80.00")
    created = datetime.now(timezone.utc) - timedelta(days=5)
    order = simulator.add_order(SHOP, [{"variant": product.variants[0]}], created_at=iso(created),
                                shipping_address=dict(US), email="shopper@example.com")
    simulator.fulfill(SHOP, order.id, created_at=iso(created + timedelta(days=1)),
                      delivered_at=iso(created + timedelta(days=3)))
    assert post_webhook(client, app, "orders/create", simulator.order_payload(SHOP, order.id),
                        shop=SHOP).status_code == 200
    ret = simulator.request_return(SHOP, order.id, [{"line_item_id": order.line_items[0].id, "reason": "style"}])
    for sent in simulator.sent_webhooks(SHOP, "returns/request"):
        assert client.post("/webhooks", data=sent.body, headers=sent.headers).status_code == 200
    return order, ret


def test_the_returns_section_shows_the_verdict_in_the_policys_words_and_filters(app, client, simulator, shop, auth):
    _, ret = requested_return(app, client, simulator)
    html = client.get("/app/api/sections/returns", headers=auth()).get_data(as_text=True)
    assert f'data-return-id="{ret.id}" data-verdict="decline"' in html
    assert FINAL_SALE_TEXT in html and "FINAL_SALE" in html and "recommended" in html
    assert 'option value="recommend" selected' in html  # a new shop's mode
    only_approved = client.get("/app/api/sections/returns?verdict=approve", headers=auth()).get_data(as_text=True)
    assert f'data-return-id="{ret.id}" data-verdict' not in only_approved and "No returns yet." in only_approved


def test_an_override_needs_a_note_is_written_and_is_kept_in_the_audit_log(app, client, simulator, shop, auth):
    _, ret = requested_return(app, client, simulator)
    refused = client.post(f"/app/api/returns/{ret.id}/override", json={"action": "approve"}, headers=auth())
    assert refused.status_code == 422 and refused.get_json()["error"]["details"][0]["field"] == "note"
    assert simulator.get_return(SHOP, ret.id).status == "REQUESTED"
    done = client.post(f"/app/api/returns/{ret.id}/override", json={"action": "approve", "note": "Goodwill"},
                       headers=auth("staff-9"))
    assert done.status_code == 200 and done.get_json()["action"] == "overridden_approve"
    assert simulator.get_return(SHOP, ret.id).status == "OPEN"
    with app.extensions["fineprint.db"].session() as s:
        entry = repo.audit_log(s, SHOP, str(ret.id))[0]
    assert (entry.action, entry.actor, entry.verdict, entry.note) == ("overridden_approve", "staff-9", "decline",
                                                                      "Goodwill")
    activity = client.get("/app/api/sections/activity", headers=auth()).get_data(as_text=True)
    assert "overridden_approve" in activity and "Goodwill" in activity


def test_an_override_of_an_unknown_return_or_a_bad_id_is_a_clear_error(client, shop, auth):
    assert client.post("/app/api/returns/999/override", json={"action": "decline", "note": "x"},
                       headers=auth()).status_code == 404
    bad = client.post("/app/api/returns/abc/override", json={"action": "decline", "note": "x"}, headers=auth())
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "return_id"


def test_the_returns_mode_is_set_from_the_admin_page_and_checked(app, client, shop, auth):
    bad = client.post("/app/api/returns/mode", json={"mode": "strict"}, headers=auth())
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "mode"
    assert client.post("/app/api/returns/mode", json={"mode": "enforce"}, headers=auth()).get_json() == \
        {"mode": "enforce", "process_on_receipt": False}
    assert client.post("/app/api/returns/mode", json={"mode": "enforce"}).status_code == 401
    # processing on receipt sits beside the mode: set alone, it keeps the mode
    assert client.post("/app/api/returns/mode", json={"process_on_receipt": True}, headers=auth()).get_json() == \
        {"mode": "enforce", "process_on_receipt": True}
    bad = client.post("/app/api/returns/mode", json={"process_on_receipt": "yes"}, headers=auth())
    assert bad.status_code == 422 and bad.get_json()["error"]["details"][0]["field"] == "process_on_receipt"
    page = client.get("/app/api/sections/returns", headers=auth()).get_data(as_text=True)
    assert 'id="returns-process-on-receipt" checked' in page


def test_enforce_mode_set_from_the_cli_declines_the_next_request(app, client, simulator, shop, runner):
    result = runner.invoke(args=["shops", "set-returns-mode", SHOP, "enforce"])
    assert result.exit_code == 0 and result.output.strip() == f"{SHOP}: returns mode enforce"
    _, ret = requested_return(app, client, simulator)
    assert simulator.get_return(SHOP, ret.id).status == "DECLINED"
    both = runner.invoke(args=["shops", "set-returns-mode", SHOP, "enforce", "--process-on-receipt"])
    assert both.exit_code == 0 and both.output.strip() == f"{SHOP}: returns mode enforce; processed on receipt"
    with app.extensions["fineprint.db"].session() as s:
        assert repo.settings(s, SHOP).process_on_receipt


def test_the_cli_refuses_an_unknown_shop_or_mode_in_one_line(runner, shop):
    unknown = runner.invoke(args=["shops", "set-returns-mode", "nobody.myshopify.com", "off"])
    assert unknown.exit_code == 1 and unknown.output.strip().splitlines() == \
        ["Error: nobody.myshopify.com: unknown shop nobody.myshopify.com"]
    wrong = runner.invoke(args=["shops", "set-returns-mode", SHOP, "strict"])
    assert wrong.exit_code == 1 and "Traceback" not in wrong.output and "'strict' is not one of" in wrong.output


def test_shopifys_refund_policy_is_compared_with_the_written_policy(app, client, simulator, shop, auth):
    simulator.shop(SHOP).policies = {"REFUND_POLICY": "<p>Returns accepted within 30 days of delivery.</p>"}
    findings = client.post("/app/api/returns/drift", json={}, headers=auth()).get_json()["findings"]
    texts = " ".join(f["text"] for f in findings)
    assert "speaks of 30 days" in texts and "21-day" in texts
    assert "15.00 fee" in texts and "final-sale items" in texts
    simulator.shop(SHOP).policies = {"REFUND_POLICY": "Returns within 21 days of delivery (45 days for holiday orders); a $15 restocking fee. "
                                                      "Final sale items cannot be returned."}
    assert client.post("/app/api/returns/drift", json={}, headers=auth()).get_json()["findings"] == []


def test_earlier_exchanges_on_the_order_are_counted_for_the_request(app):
    """The request fact `exchanges_before`: earlier returns of the order with exchange lines, unless declined
    or cancelled (the returns/request body's total_exchange_line_items, kept on each return)."""
    from backend.store.models import ReturnRecord

    with app.extensions["fineprint.db"].session() as s:
        for rid, status, exchanges in (("1", "closed", 1), ("2", "declined", 2), ("3", "open", 0), ("4", "open", 1)):
            s.add(ReturnRecord(shop_domain=SHOP, return_id=rid, order_id="77", status=status,
                               exchange_line_count=exchanges))
        s.add(ReturnRecord(shop_domain=SHOP, return_id="5", order_id="78", status="open", exchange_line_count=1))
        s.flush()
        assert repo.exchanges_before(s, SHOP, "77", "4") == 1
        assert repo.exchanges_before(s, SHOP, "77", "9") == 2
