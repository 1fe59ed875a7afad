"""Merchant admin stories at the service and HTTP level: versions, activation, rollback, backtest,
preview, settings, activity and the page's authentication — against the simulator, on SQLite and PostgreSQL.

The queue runs immediately (huey immediate), so an activation re-decides stored orders before it returns.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from devshop import mint_session_token
from backend.services.decisions import backtest
from backend.services.decisions import policies
from backend.store.models import PipelineJob, PolicyVersion, Shop
from tests.integration.edge_helpers import install_shop, post_webhook

SHOP = "fineprint-dev.myshopify.com"
US = {"country_code": "US", "province_code": "CA", "address1": "1 Main St", "city": "Los Angeles", "zip": "90012"}


@pytest.fixture
def app_config(app_config, simulator):
    app_config.update(simulator.app_overrides)
    return app_config


@pytest.fixture
def shop(app, simulator):
    install_shop(app, SHOP, token=simulator.install(SHOP)["access_token"])
    return SHOP


@pytest.fixture
def auth(simulator):
    def headers(user="42"):
        return {"Authorization": "Bearer " + simulator.session_token(SHOP, sub=user)}
    return headers


def iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def order_with(app, client, simulator, title="Mini Crossbody", tags=("final-sale",), price="180.00"):
    product = simulator.add_product(SHOP, title, tags=list(tags), price=price)
    post_webhook(client, app, "products/create", simulator.product_payload(SHOP, product.id), shop=SHOP)
    created = datetime.now(timezone.utc) - timedelta(days=5)
    order = simulator.add_order(SHOP, [{"variant": product.variants[0]}], created_at=iso(created),
                                shipping_address=dict(US))
    simulator.fulfill(SHOP, order.id, created_at=iso(created + timedelta(days=1)),
                      delivered_at=iso(created + timedelta(days=3)))
    assert post_webhook(client, app, "orders/create", simulator.order_payload(SHOP, order.id), shop=SHOP).status_code == 200
    return order.id


def our_tags(simulator, order_id) -> set:
    return set(simulator.order(SHOP, order_id).tags)


def edited_aallyn() -> str:
    """aallyn with final-sale items made store-credit-only."""
    text = policies.file_source("aallyn")
    return text.replace('when = { product_tag = ["final-sale"] }\nclass = "final_sale"',
                        'when = { product_tag = ["final-sale"] }\nclass = "credit_only"')


# ---------------------------------------------------------------------------------------------- versions

def test_set_policy_cli_makes_a_kept_version_the_active_one(app, runner, shop):
    result = runner.invoke(args=["shops", "set-policy", SHOP, "aallyn"])
    assert result.exit_code == 0, result.output
    assert "active policy aallyn" in result.output
    with app.extensions["fineprint.db"].session() as s:
        version = s.exec(select(PolicyVersion)).one()
        active = s.exec(select(Shop.active_policy).where(Shop.domain == SHOP)).one()
    assert (version.name, version.based_on, version.created_by) == ("aallyn", "aallyn", "cli")
    assert version.activated_at is not None and active == policies.ref(version)


def test_set_policy_cli_reports_problems_with_file_line_col(runner, shop, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('[policy]\nname = "x"\ntitle = "X"\ntimezone = "Mars/Olympus"\ncurrency = "USD"\n')
    result = runner.invoke(args=["shops", "set-policy", SHOP, str(bad)])
    assert result.exit_code != 0
    assert f"{bad}:4:" in result.output


def test_activating_an_edit_redecides_stored_orders_and_rollback_restores_them(app, client, simulator, shop):
    policies.set_policy(app, SHOP, "aallyn", "7")
    order_id = order_with(app, client, simulator)
    assert "final-sale" in our_tags(simulator, order_id)

    edited = policies.activate_text(app, SHOP, edited_aallyn(), "8", based_on="aallyn")
    assert "sale-credit-only" in our_tags(simulator, order_id)
    assert "final-sale" not in our_tags(simulator, order_id)

    back = policies.rollback(app, SHOP, "9")
    assert back.name == "aallyn" and back.id != edited.id and back.activated_by == "9"
    assert "final-sale" in our_tags(simulator, order_id)
    assert len(policies.versions(app.extensions["fineprint.db"], SHOP)) == 2  # nothing lost, nothing duplicated


def test_the_same_text_twice_is_one_version(app, shop):
    db = app.extensions["fineprint.db"]
    first = policies.create_version(db, SHOP, policies.file_source("novus"), "1")
    again = policies.create_version(db, SHOP, policies.file_source("novus"), "2")
    assert first.id == again.id


def test_rollback_without_an_earlier_version_says_so(app, shop):
    policies.set_policy(app, SHOP, "ally", "1")
    with pytest.raises(Exception) as err:
        policies.rollback(app, SHOP, "1")
    assert getattr(err.value, "code", "") == "nothing_to_roll_back"


# ---------------------------------------------------------------------------------------------- checking

def test_check_reports_the_same_file_line_col_as_policy_check_and_lint_warnings():
    text = policies.file_source("aallyn")
    lines = text.splitlines()
    at = lines.index("days = 30") + 1
    lines[at - 1] = 'days = "thirty"'
    broken = policies.check_text("\n".join(lines))
    assert not broken["ok"]
    assert broken["problems"][0]["line"] == at
    assert broken["problems"][0]["text"].startswith(f"policy.toml:{at}:")
    valid = policies.check_text(text)
    assert valid["ok"] and any(p["severity"] == "warning" for p in valid["problems"])  # aallyn's 14 vs 21 days


# ---------------------------------------------------------------------------------------------- backtest

def test_backtest_shows_which_orders_would_change_and_writes_nothing(app, client, simulator, shop):
    policies.set_policy(app, SHOP, "aallyn", "7")
    changing = order_with(app, client, simulator)
    steady = order_with(app, client, simulator, title="Classic Tote", tags=(), price="95.00")
    writes = len(simulator.calls("graphql", shop=SHOP))

    result = backtest.backtest(app, SHOP, edited_aallyn(), limit=10)

    assert result["counts"]["orders"] == 2 and result["counts"]["changed"] == 1
    row = next(r for r in result["orders"] if r["order_id"] == str(changing))
    assert row["tags_before"] == ["final-sale"] and row["tags_after"] == ["sale-credit-only"]
    assert result["by_tag"]["final-sale"] == {"added": 0, "removed": 1}
    assert not next(r for r in result["orders"] if r["order_id"] == str(steady))["changed"]
    assert len(simulator.calls("graphql", shop=SHOP)) == writes


def test_activation_through_the_page_needs_a_backtest_of_that_text(app, client, shop, auth):
    text = edited_aallyn()
    refused = client.post("/app/api/policy/activate", json={"text": text}, headers=auth())
    assert refused.status_code == 409 and refused.json["error"]["code"] == "backtest_required"
    run = client.post("/app/api/policy/backtest", json={"text": text, "limit": 5}, headers=auth())
    done = client.post("/app/api/policy/activate", json={"text": text, "backtested": run.json["policy"]["version"],
                                                          "based_on": "aallyn"}, headers=auth("77"))
    assert done.status_code == 200 and done.json["activated_by"] == "77" and done.json["created_by"] == "77"


# ---------------------------------------------------------------------------------------------- preview

def test_preview_of_a_stored_order_and_of_a_pasted_sample(app, client, simulator, shop, auth):
    policies.set_policy(app, SHOP, "aallyn", "7")
    order_id = order_with(app, client, simulator)
    stored = client.post("/app/api/preview", json={"order_id": str(order_id)}, headers=auth())
    assert stored.status_code == 200 and stored.json["tags"] == ["final-sale"]
    assert any(r["rule"] == "final-sale" and r["text"] for r in stored.json["reasons"])

    sample = {"id": "9", "created_at": "2025-03-01T10:00:00-08:00", "currency": "USD",
              "shipping_address": {"country_code": "US"},
              "line_items": [{"id": "1", "quantity": 1, "price": "300.00", "product_tags": ["flash-sale"]}]}
    pasted = client.post("/app/api/preview", json={"sample": sample}, headers=auth())
    assert pasted.status_code == 200 and pasted.json["tags"] == ["sale-credit-only"]
    bad = client.post("/app/api/preview", json={"sample": "{not json"}, headers=auth())
    assert bad.status_code == 422


# ---------------------------------------------------------------------------------------------- settings

def test_renamed_tags_are_what_the_pipeline_writes(app, client, simulator, shop, auth):
    saved = client.post("/app/api/settings", json={"tag_names": {"final-sale": "no-returns"},
                                                   "block_po_boxes": False}, headers=auth())
    assert saved.status_code == 200
    policies.set_policy(app, SHOP, "aallyn", "7")
    order_id = order_with(app, client, simulator)
    assert "no-returns" in our_tags(simulator, order_id) and "final-sale" not in our_tags(simulator, order_id)
    exposed = client.get("/api/v1/shop-settings", headers=auth())
    assert exposed.json["checkout"] == {"block_po_boxes": False}
    assert exposed.headers["Access-Control-Allow-Origin"] == "*"


def test_the_exchange_or_credit_tag_is_written_by_the_pipeline_under_the_merchants_name(app, client, simulator,
                                                                                       shop, auth):
    saved = client.post("/app/api/settings", json={"tag_names": {"exchange-or-credit": "no-refund"}}, headers=auth())
    assert saved.status_code == 200 and saved.json["tag_names"]["exchange-or-credit"] == "no-refund"
    text = policies.file_source("aallyn").replace('when = { product_tag = ["final-sale"] }\nclass = "final_sale"',
                                                  'when = { product_tag = ["final-sale"] }\nclass = "exchange_or_credit"')
    policies.activate_text(app, SHOP, text, "7")
    order_id = order_with(app, client, simulator)
    assert "no-refund" in our_tags(simulator, order_id) and "exchange-or-credit" not in our_tags(simulator, order_id)


def test_shop_settings_preflight_allows_the_extensions_bearer_token(client):
    preflight = client.options("/api/v1/shop-settings", headers={"Access-Control-Request-Method": "GET",
                                                                 "Access-Control-Request-Headers": "authorization"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "GET" in preflight.headers["Access-Control-Allow-Methods"]
    assert "Authorization" in preflight.headers["Access-Control-Allow-Headers"]


def test_settings_refuse_duplicate_or_comma_tag_names(client, shop, auth):
    dup = client.post("/app/api/settings", json={"tag_names": {"final-sale": "x", "sale-credit-only": "x"}},
                      headers=auth())
    comma = client.post("/app/api/settings", json={"tag_names": {"final-sale": "a,b"}}, headers=auth())
    assert dup.status_code == 422 and comma.status_code == 422


# ---------------------------------------------------------------------------------------------- activity

def test_a_parked_job_shows_on_the_page_and_retry_requeues_it(app, client, simulator, shop, auth):
    policies.set_policy(app, SHOP, "aallyn", "7")
    order_id = order_with(app, client, simulator)
    with app.extensions["fineprint.db"].session() as s:
        job = s.exec(select(PipelineJob).where(PipelineJob.key == f"{SHOP}:{order_id}")).one()
        job.status, job.attempts, job.last_error = "parked", 6, "GraphQLError: boom"
        s.add(job)
    page = client.get("/app/api/sections/activity", headers=auth()).get_data(as_text=True)
    assert "GraphQLError: boom" in page and f'data-job-id="{job.id}"' in page
    retried = client.post(f"/app/api/jobs/{job.id}/retry", headers=auth())
    assert retried.status_code == 200 and retried.json["status"] == "done"


def test_every_section_renders(app, client, simulator, shop, auth):
    policies.set_policy(app, SHOP, "aallyn", "7")
    order_with(app, client, simulator)
    for name in ("policy", "preview", "activity", "dashboard", "settings", "page"):
        response = client.get(f"/app/api/sections/{name}", headers=auth())
        assert response.status_code == 200, name
    dashboard = client.get("/app/api/sections/dashboard", headers=auth()).get_data(as_text=True)
    assert 'id="orders-chart"' in dashboard and 'id="deadlines-chart"' in dashboard and "<svg" not in dashboard
    assert "1 order in the last 30 days." in dashboard and "<th>final-sale</th>" in dashboard
    page = client.get("/app/api/sections/page", headers=auth()).get_data(as_text=True)
    assert "<h2>" in page and "Final sale items" in page


# ---------------------------------------------------------------------------------------------- auth

def test_the_page_needs_a_session_token_and_sends_frame_ancestors(app, client, shop, simulator):
    assert client.get(f"/app?shop={SHOP}").status_code == 302  # to the patch-id-token page
    page = client.get(f"/app?shop={SHOP}&id_token={simulator.session_token(SHOP)}")
    assert page.status_code == 200
    assert page.headers["Content-Security-Policy"] == f"frame-ancestors https://{SHOP} https://admin.shopify.com"
    body = page.get_data(as_text=True)
    assert "cdn.shopify.com/shopifycloud/app-bridge.js" in body and 'name="shopify-api-key"' in body
    assert "Demo store" not in body
    assert client.get("/app/api/sections/policy").status_code == 401
    forged = mint_session_token(SHOP, "dev-api-key", "not-the-secret")
    assert client.get("/app/api/sections/policy", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    assert client.get("/app/demo/session-token").status_code == 404  # no demo bypass, in any mode


def test_demo_mode_goes_through_the_same_session_token_verification_with_the_simulated_admins_tokens(
        db_url, simulator):
    """The demo page is opened the way Shopify's admin opens an embedded app (a signed launch URL carrying a
    session token, here from the simulated admin) and gets fresh tokens from it; nothing skips verification."""
    import requests

    from backend import create_app

    app = create_app({"database_url": db_url, "huey_immediate": True, "testing": True, "env": "demo",
                      "demo_shop": SHOP, **simulator.app_overrides})
    try:
        install_shop(app, SHOP, token=simulator.install(SHOP)["access_token"])
        client = app.test_client()
        assert client.get(f"/app?shop={SHOP}").status_code == 302  # no token, no page: as in production
        assert client.get("/app/demo/session-token").status_code == 404
        simulator.app_url = "http://app.invalid"
        launch = requests.get(simulator.admin_app_url(SHOP), allow_redirects=False, timeout=10)
        assert launch.status_code == 302 and launch.headers["Location"].startswith("http://app.invalid/app?")
        page = client.get(launch.headers["Location"].removeprefix("http://app.invalid"))
        body = page.get_data(as_text=True)
        assert page.status_code == 200 and "Demo store — simulated Shopify" in body
        token_url = f"{simulator.origin(SHOP)}/admin/apps/{simulator.api_key}/id-token"
        assert f'data-id-token-url="{token_url}"' in body
        fresh = requests.get(token_url, timeout=10).json()["id_token"]
        assert client.get("/app/api/sections/settings", headers={"Authorization": f"Bearer {fresh}"}).status_code == 200
        forged = mint_session_token(SHOP, "dev-api-key", "not-the-secret")
        assert client.get("/app/api/sections/settings", headers={"Authorization": f"Bearer {forged}"}).status_code == 401
    finally:
        app.extensions["fineprint.db"].dispose()
