"""A customer data request reaches the merchant: listed in the admin page, downloaded from it with the
merchant's session token (never another shop's), and exported with `flask --app app compliance export`.
The request is Shopify's documented `customers/data_request` example."""
from __future__ import annotations

import json

import pytest

from tests.integration.api_helpers import bearer, token
from tests.integration.edge_helpers import SHOP, example, install_shop, post_webhook
from tests.integration.test_compliance import order_for

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

OTHER = "other-shop.myshopify.com"


@pytest.fixture
def app_config(app_config, simulator):
    simulator.add_shop(SHOP)
    return {**app_config, **simulator.app_overrides}


@pytest.fixture
def requested(app, client):
    install_shop(app, active_policy="ally")
    install_shop(app, domain=OTHER)
    post_webhook(client, app, "orders/create", order_for(299938, 191167, "john@example.com"), event_id="john-1")
    assert post_webhook(client, app, "customers/data_request", example("customers/data_request"),
                        event_id="dr-1").status_code == 200
    section = client.get("/app/api/sections/compliance", headers=bearer(token(app, SHOP, sub="42")))
    assert section.status_code == 200
    report_id = section.get_data(as_text=True).split('data-report-id="')[1].split('"')[0]
    return int(report_id)


def test_the_admin_page_lists_the_data_request_and_what_we_hold(app, client, requested):
    html = client.get("/app/api/sections/compliance", headers=bearer(token(app, SHOP, sub="42"))).get_data(True)
    assert "191167" in html and "9999" in html and "Download report" in html
    page = client.get("/app", headers=bearer(token(app, SHOP, sub="42")))
    assert 'data-tab="compliance"' in page.get_data(as_text=True)


def test_the_merchant_downloads_the_report_as_a_file(app, client, requested):
    response = client.get(f"/app/api/compliance/reports/{requested}", headers=bearer(token(app, SHOP, sub="42")))
    assert response.status_code == 200
    assert response.headers["Content-Disposition"] == f'attachment; filename="data-request-{requested}.json"'
    report = response.get_json()
    assert (report["shop"], report["customer_id"], report["data_request_id"]) == (SHOP, "191167", 9999)
    assert [e["event_id"] for e in report["found"]["webhook_events"]] == ["john-1"]
    assert "john@example.com" in json.dumps(report)


def test_another_shop_never_reads_the_report(app, client, requested):
    response = client.get(f"/app/api/compliance/reports/{requested}", headers=bearer(token(app, OTHER, sub="42")))
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "unknown_data_request"
    assert client.get(f"/app/api/compliance/reports/{requested}").status_code == 401


def test_the_cli_lists_and_exports_the_reports(app, runner, requested, tmp_path):
    listed = runner.invoke(args=["compliance", "list", SHOP])
    assert listed.exit_code == 0 and "customer 191167" in listed.output and "request 9999" in listed.output
    exported = runner.invoke(args=["compliance", "export", SHOP])
    assert exported.exit_code == 0
    (report,) = json.loads(exported.output)
    assert report["customer_id"] == "191167" and report["found"]["webhook_events"]
    out = tmp_path / "report.json"
    one = runner.invoke(args=["compliance", "export", SHOP, "--request", str(requested), "--out", str(out)])
    assert one.exit_code == 0 and json.loads(out.read_text())["id"] == requested
    missing = runner.invoke(args=["compliance", "export", OTHER, "--request", str(requested)])
    assert missing.exit_code == 1 and "no data request" in missing.output
