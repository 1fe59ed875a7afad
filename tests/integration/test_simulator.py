"""Stories about the Shopify simulator, driven through its real HTTP port and our token functions."""
from __future__ import annotations

import json
import time
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx
import pytest

from backend.config import Config
from devshop import oauth_query_hmac
from backend.shopify.errors import TokenRequestError
from backend.shopify.tokens import exchange_code, exchange_session_token, refresh_token
from tests.fakes.simulator import OTHER_SHOP, SHOP

EXAMPLES = Path(__file__).parents[1] / "data/shopify/webhooks/2026-01/orders_create.json"


@pytest.fixture
def config(simulator):
    return Config().with_overrides(simulator.app_overrides)


def authorize(simulator, shop=SHOP, **extra):
    params = {"client_id": simulator.api_key, "scope": "read_orders,write_orders",
              "redirect_uri": "http://127.0.0.1:8000/auth/callback", "state": "nonce-1", **extra}
    response = httpx.get(f"{simulator.origin(shop)}/admin/oauth/authorize", params=params)
    assert response.status_code == 302
    return {k: v[0] for k, v in parse_qs(urlparse(response.headers["location"]).query).items()}


def test_authorize_redirects_back_with_a_signed_callback_query(simulator):
    query = authorize(simulator)
    assert query["shop"] == SHOP and query["state"] == "nonce-1" and query["code"]
    assert abs(int(query["timestamp"]) - time.time()) < 5
    assert query["hmac"] == oauth_query_hmac(query, simulator.api_secret)


def test_a_code_buys_one_offline_token_and_only_once(simulator, config):
    code = authorize(simulator)["code"]
    token = exchange_code(SHOP, code, config)
    assert token.access_token.startswith("shpat_") and token.scope == "read_orders,write_orders"
    assert token.expiring and token.refresh_token and "shpat_" not in repr(token)  # expiring=1 by default
    with pytest.raises(TokenRequestError) as replay:
        exchange_code(SHOP, code, config)
    assert replay.value.code == "invalid_request" and replay.value.status == 400
    assert [c.status for c in simulator.calls("token")] == [200, 400]


def test_a_code_is_bound_to_its_shop_and_the_client_secret(simulator, config):
    simulator.add_shop(OTHER_SHOP)
    with pytest.raises(TokenRequestError) as other_shop:
        exchange_code(OTHER_SHOP, authorize(simulator)["code"], config)
    assert other_shop.value.code == "invalid_request"
    wrong_secret = config.with_overrides({"api_secret": "not-the-secret"})
    with pytest.raises(TokenRequestError) as bad_client:
        exchange_code(SHOP, authorize(simulator)["code"], wrong_secret)
    assert bad_client.value.code == "invalid_client" and bad_client.value.status == 401


def test_the_shop_may_grant_fewer_scopes_than_asked(simulator, config):
    simulator.shop(SHOP).granted_scopes = "read_orders"
    assert exchange_code(SHOP, authorize(simulator)["code"], config).scope == "read_orders"


def test_form_encoded_token_requests_work_too(simulator):
    code = authorize(simulator)["code"]
    response = httpx.post(f"{simulator.origin(SHOP)}/admin/oauth/access_token",
                          data={"client_id": simulator.api_key, "client_secret": simulator.api_secret, "code": code})
    assert response.status_code == 200 and response.json()["access_token"]


def test_session_token_exchange_gives_an_expiring_offline_token(simulator, config):
    token = exchange_session_token(SHOP, simulator.session_token(SHOP), config)
    assert token.expiring and token.refresh_token.startswith("shprt_")
    assert token.scope == simulator.scopes
    assert token.expires_within(3700) and not token.expires_within(3500)
    assert simulator.calls("token")[-1].grant_type == "token_exchange"


def test_session_token_exchange_without_expiry_and_online(simulator, config):
    offline = exchange_session_token(SHOP, simulator.session_token(SHOP), config, expiring=False)
    assert not offline.expiring and offline.refresh_token is None
    online = exchange_session_token(SHOP, simulator.session_token(SHOP, sub="42"), config, online=True)
    assert online.online and online.expiring and online.refresh_token is None


@pytest.mark.parametrize("claims", [
    {"exp": int(time.time()) - 60},
    {"aud": "another-app"},
    {"dest": f"https://{OTHER_SHOP}"},
])
def test_a_bad_session_token_is_refused(simulator, config, claims):
    simulator.add_shop(OTHER_SHOP)
    token = simulator.session_token(SHOP, **claims)
    with pytest.raises(TokenRequestError) as refused:
        exchange_session_token(SHOP, token, config)
    assert refused.value.code in ("invalid_subject_token",) and refused.value.needs_reauthorization


def test_a_session_token_signed_with_another_secret_is_refused(simulator, config):
    from devshop import mint_session_token

    forged = mint_session_token(SHOP, simulator.api_key, "other-secret")
    with pytest.raises(TokenRequestError) as refused:
        exchange_session_token(SHOP, forged, config)
    assert refused.value.code == "invalid_subject_token"


def test_refresh_rotates_the_refresh_token(simulator, config):
    first = exchange_session_token(SHOP, simulator.session_token(SHOP), config)
    second = refresh_token(SHOP, first.refresh_token, config)
    assert second.access_token != first.access_token and second.refresh_token != first.refresh_token
    assert second.expiring
    with pytest.raises(TokenRequestError) as reused:
        refresh_token(SHOP, first.refresh_token, config)
    assert reused.value.code == "invalid_grant" and reused.value.needs_reauthorization
    assert refresh_token(SHOP, second.refresh_token, config).access_token
    assert [c.grant_type for c in simulator.calls("token")] == ["token_exchange"] + ["refresh_token"] * 3


def test_an_expired_refresh_token_is_refused(simulator, config):
    simulator.oauth.refresh_ttl = -1
    first = exchange_session_token(SHOP, simulator.session_token(SHOP), config)
    with pytest.raises(TokenRequestError) as expired:
        refresh_token(SHOP, first.refresh_token, config)
    assert expired.value.code == "invalid_grant"


def test_unknown_grant_types_and_shops_are_refused(simulator):
    url = f"{simulator.origin(SHOP)}/admin/oauth/access_token"
    body = {"client_id": simulator.api_key, "client_secret": simulator.api_secret, "grant_type": "password"}
    response = httpx.post(url, json=body)
    assert response.status_code == 400 and response.json()["error"] == "unsupported_grant_type"
    assert httpx.post(f"{simulator.base_url}/nowhere.myshopify.com/admin/oauth/access_token",
                      json=body).status_code == 404


def test_the_token_endpoint_can_fail_on_demand(simulator, config):
    simulator.inject(SHOP, "503", endpoint="token")
    with pytest.raises(TokenRequestError):
        exchange_code(SHOP, authorize(simulator)["code"], config)
    assert simulator.calls("token")[-1].fault == "503"


def test_graphql_needs_a_valid_access_token(simulator):
    url = f"{simulator.origin(SHOP)}/admin/api/2026-10/graphql.json"
    response = httpx.post(url, json={"query": "{ shop { name } }"}, headers={"X-Shopify-Access-Token": "nope"})
    assert response.status_code == 401
    assert response.json() == {"errors": "[API] Invalid API key or access token (unrecognized login or wrong password)"}


# ---------------------------------------------------------------- Admin GraphQL

class Admin:
    """Raw GraphQL over HTTP, as Shopify would be called."""

    def __init__(self, simulator, shop=SHOP, scope=None):
        self.url = f"{simulator.origin(shop)}/admin/api/2026-10/graphql.json"
        self.token = simulator.install(shop, scope=scope)["access_token"]

    def __call__(self, query, variables=None):
        response = httpx.post(self.url, json={"query": query, "variables": variables or {}},
                              headers={"X-Shopify-Access-Token": self.token}, timeout=30)
        assert response.status_code == 200, response.text
        return response.json()


APPLY = """mutation Apply($id: ID!, $add: [String!]!, $remove: [String!]!, $metafields: [MetafieldsSetInput!]!) {
  tagsAdd(id: $id, tags: $add) { userErrors { field message } }
  tagsRemove(id: $id, tags: $remove) { userErrors { field message } }
  metafieldsSet(metafields: $metafields) { metafields { namespace key type value } userErrors { field code message } }
}"""


def returns_metafields(order_gid, deadline="2025-01-16", decision='{"tags": ["final-sale"]}'):
    return [{"ownerId": order_gid, "namespace": "$app:returns", "key": "deadline", "type": "date", "value": deadline},
            {"ownerId": order_gid, "namespace": "$app:returns", "key": "decision", "type": "json", "value": decision}]


@pytest.fixture
def order(simulator):
    product = simulator.add_product(SHOP, "Tote", product_type="Handbags", tags=["final-sale"],
                                    price="295.00", compare_at_price="350.00", sku="BAG-1")
    return simulator.add_order(SHOP, line_items=[{"variant": product.variants[0], "quantity": 1}],
                               tags=["vip"], shipping_address={"country_code": "US", "province_code": "CA"})


def test_a_document_that_breaks_the_real_schema_is_refused(simulator):
    admin = Admin(simulator)
    answer = admin("{ shop { name timezone } }")
    assert "data" not in answer and "Cannot query field 'timezone' on type 'Shop'" in answer["errors"][0]["message"]
    assert "Unknown argument 'tag'" in admin('mutation { tagsAdd(id: "x", tag: "a") { node { id } } }')[
        "errors"][0]["message"]
    assert simulator.calls("graphql")[-1].error == "invalid_document"


def test_shop_facts_come_from_the_simulated_shop(simulator):
    simulator.add_shop("paris.myshopify.com", timezone="Europe/Paris", currency="EUR")
    answer = Admin(simulator, "paris.myshopify.com")("{ shop { name ianaTimezone currencyCode myshopifyDomain } }")
    assert answer["data"]["shop"] == {"name": "Paris", "ianaTimezone": "Europe/Paris", "currencyCode": "EUR",
                                      "myshopifyDomain": "paris.myshopify.com"}


def test_one_request_tags_the_order_and_writes_app_metafields(simulator, order):
    admin, order_gid = Admin(simulator), f"gid://shopify/Order/{order.id}"
    answer = admin(APPLY, {"id": order_gid, "add": ["final-sale", "signature-required"], "remove": ["vip-not-ours"],
                           "metafields": returns_metafields(order_gid)})
    assert answer["extensions"]["cost"]["requestedQueryCost"] == 30
    written = answer["data"]["metafieldsSet"]["metafields"]
    app_ns = f"app--{simulator.app_id}--returns"
    assert {(m["namespace"], m["key"]) for m in written} == {(app_ns, "deadline"), (app_ns, "decision")}
    stored = simulator.order(SHOP, order.id)
    assert stored.tags == ["vip", "final-sale", "signature-required"]     # the merchant's tag stays
    assert stored.metafields[(app_ns, "deadline")].value == "2025-01-16"
    read = admin('query($id: ID!) { order(id: $id) { tags '
                 'deadline: metafield(namespace: "$app:returns", key: "deadline") { value type } '
                 'same: metafield(namespace: "%s", key: "decision") { jsonValue } } }' % app_ns, {"id": order_gid})
    assert read["data"]["order"]["deadline"] == {"value": "2025-01-16", "type": "date"}
    assert read["data"]["order"]["same"] == {"jsonValue": {"tags": ["final-sale"]}}
    admin(APPLY, {"id": order_gid, "add": [], "remove": ["final-sale"], "metafields": returns_metafields(order_gid)})
    assert simulator.order(SHOP, order.id).tags == ["vip", "signature-required"]


def test_metafields_set_is_atomic_and_checks_values(simulator, order):
    admin, order_gid = Admin(simulator), f"gid://shopify/Order/{order.id}"
    bad = returns_metafields(order_gid, deadline="16/01/2025")
    answer = admin(APPLY, {"id": order_gid, "add": [], "remove": [], "metafields": bad})
    errors = answer["data"]["metafieldsSet"]["userErrors"]
    assert errors == [{"field": ["metafields", "0", "value"], "code": "INVALID_VALUE",
                       "message": "Value must be in YYYY-MM-DD format."}]
    assert simulator.order(SHOP, order.id).metafields == {}             # the valid json one was not written
    broken_json = returns_metafields(order_gid, decision="{not json")
    assert admin(APPLY, {"id": order_gid, "add": [], "remove": [], "metafields": broken_json})[
        "data"]["metafieldsSet"]["userErrors"][0]["field"] == ["metafields", "1", "value"]


DELETE = """mutation Gone($gone: [MetafieldIdentifierInput!]!) {
  metafieldsDelete(metafields: $gone) { deletedMetafields { ownerId namespace key } userErrors { field message } }
}"""


def test_metafields_delete_removes_what_it_names_and_answers_null_for_what_is_not_there(simulator, order):
    admin, order_gid = Admin(simulator), f"gid://shopify/Order/{order.id}"
    admin(APPLY, {"id": order_gid, "add": [], "remove": [], "metafields": returns_metafields(order_gid)})
    app_ns = f"app--{simulator.app_id}--returns"
    gone = [{"ownerId": order_gid, "namespace": "$app:returns", "key": "deadline"},
            {"ownerId": order_gid, "namespace": "$app:returns", "key": "never-written"}]
    answer = admin(DELETE, {"gone": gone})["data"]["metafieldsDelete"]
    assert answer == {"deletedMetafields": [{"ownerId": order_gid, "namespace": app_ns, "key": "deadline"}, None],
                      "userErrors": []}
    assert set(simulator.order(SHOP, order.id).metafields) == {(app_ns, "decision")}
    again = admin(DELETE, {"gone": gone[:1]})["data"]["metafieldsDelete"]
    assert again == {"deletedMetafields": [None], "userErrors": []}     # deleting twice still succeeds


def test_metafields_delete_refuses_an_empty_list_and_owners_devshop_does_not_store(simulator, order):
    admin, order_gid = Admin(simulator), f"gid://shopify/Order/{order.id}"
    admin(APPLY, {"id": order_gid, "add": [], "remove": [], "metafields": returns_metafields(order_gid)})
    empty = admin(DELETE, {"gone": []})["data"]["metafieldsDelete"]
    assert empty["deletedMetafields"] is None and empty["userErrors"][0]["field"] == ["metafields"]
    mixed = [{"ownerId": order_gid, "namespace": "$app:returns", "key": "deadline"},
             {"ownerId": "gid://shopify/Customer/1", "namespace": "$app:returns", "key": "deadline"}]
    refused = admin(DELETE, {"gone": mixed})["data"]["metafieldsDelete"]
    assert refused["deletedMetafields"] is None
    assert [e["field"] for e in refused["userErrors"]] == [["metafields", "1", "ownerId"]]
    assert len(simulator.order(SHOP, order.id).metafields) == 2         # nothing deleted: all or nothing


def test_metafields_delete_needs_the_write_scope(simulator, order):
    Admin(simulator)(APPLY, {"id": f"gid://shopify/Order/{order.id}", "add": [], "remove": [],
                             "metafields": returns_metafields(f"gid://shopify/Order/{order.id}")})
    reader = Admin(simulator, scope="read_orders,read_products")
    answer = reader(DELETE, {"gone": [{"ownerId": f"gid://shopify/Order/{order.id}", "namespace": "$app:returns",
                                       "key": "deadline"}]})
    assert {e["extensions"]["code"] for e in answer["errors"]} == {"ACCESS_DENIED"}
    assert len(simulator.order(SHOP, order.id).metafields) == 2


def test_writes_need_the_write_scope(simulator, order):
    admin = Admin(simulator, scope="read_orders,read_products")
    answer = admin(APPLY, {"id": f"gid://shopify/Order/{order.id}", "add": ["x"], "remove": [], "metafields": []})
    assert {e["extensions"]["code"] for e in answer["errors"]} == {"ACCESS_DENIED"}
    assert simulator.order(SHOP, order.id).tags == ["vip"]


def test_orders_page_and_filter_like_shopify(simulator):
    for day in range(1, 6):
        simulator.add_order(SHOP, created_at=f"2025-03-0{day}T12:00:00Z")
    admin, seen, after = Admin(simulator), [], None
    while True:
        page = admin('query($after: String) { orders(first: 2, after: $after, query: "created_at:>=2025-03-02") '
                     '{ nodes { createdAt } pageInfo { hasNextPage endCursor } } }', {"after": after})
        seen += [n["createdAt"][:10] for n in page["data"]["orders"]["nodes"]]
        if not page["data"]["orders"]["pageInfo"]["hasNextPage"]:
            break
        after = page["data"]["orders"]["pageInfo"]["endCursor"]
    assert seen == ["2025-03-02", "2025-03-03", "2025-03-04", "2025-03-05"]
    assert "first or last" in admin("{ orders { nodes { id } } }")["errors"][0]["message"]


class ManualClock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self):
        return self.now


def test_the_bucket_leaks_and_throttles_like_shopify(simulator, order):
    clock = ManualClock()  # the bucket refills with this clock only: no race between a drain and the next call
    simulator.buckets[SHOP].__init__(size=100, restore_rate=50, clock=clock)
    admin, query = Admin(simulator), "{ orders(first: 10) { nodes { id lineItems(first: 3) { nodes { id } } } } }"
    first = admin(query)
    assert first["extensions"]["cost"]["requestedQueryCost"] == 2 + 10 * (1 + 2 + 3)
    assert first["extensions"]["cost"]["actualQueryCost"] == 2 + 1 * (1 + 2 + 1)    # one order, one line
    simulator.buckets[SHOP].drain(to=5)
    throttled = admin(query)
    assert throttled["errors"] == [{"message": "Throttled", "extensions": {
        "code": "THROTTLED", "documentation": "https://shopify.dev/api/usage/rate-limits"}}]
    status = throttled["extensions"]["cost"]["throttleStatus"]
    assert status["maximumAvailable"] == 100 and status["restoreRate"] == 50 and status["currentlyAvailable"] < 62
    assert status["currentlyAvailable"] == 5
    clock.now += (62 - 5) / 50 + 0.01
    assert "data" in admin(query)
    too_big = admin("{ orders(first: 250) { nodes { id lineItems(first: 3) { nodes { id } } } } }")
    error = too_big["errors"][0]  # over the 1,000-point single-query limit, whatever the bucket's size
    assert error["extensions"] == {"code": "MAX_COST_EXCEEDED", "cost": 2 + 250 * 6, "maxCost": 1000,
                                   "documentation": "https://shopify.dev/api/usage/rate-limits"}
    assert error["message"].startswith("Query cost is 1502, which exceeds the single query max cost limit (1000).")
    assert "data" not in too_big


def test_a_bulk_query_serves_shopify_jsonl(simulator, order):
    admin = Admin(simulator)
    started = admin('mutation($q: String!) { bulkOperationRunQuery(query: $q) { bulkOperation { id status } '
                    'userErrors { message } } }',
                    {"q": "{ orders { edges { node { id tags lineItems { edges { node { id sku } } } } } } }"})
    op = started["data"]["bulkOperationRunQuery"]["bulkOperation"]
    assert op["status"] == "CREATED"
    polled = admin("query($id: ID!) { node(id: $id) { ... on BulkOperation { status url objectCount } } }",
                   {"id": op["id"]})["data"]["node"]
    assert polled["status"] == "COMPLETED" and polled["objectCount"] == "2"
    lines = [line for line in httpx.get(polled["url"]).text.splitlines()]
    order_gid = f"gid://shopify/Order/{order.id}"
    assert lines[0] == '{"id": "%s", "tags": ["vip"]}' % order_gid
    assert '"__parentId": "%s"' % order_gid in lines[1] and '"sku": "BAG-1"' in lines[1]
    refused = admin('mutation { bulkOperationRunQuery(query: "{ shop { name } }") { userErrors { message } } }')
    assert "at least one connection" in refused["data"]["bulkOperationRunQuery"]["userErrors"][0]["message"]


def test_faults_answer_the_next_calls_then_stop(simulator):
    admin = Admin(simulator)
    simulator.inject(SHOP, "429", retry_after=2)
    simulator.inject(SHOP, "502")
    first = httpx.post(admin.url, json={"query": "{ shop { name } }"}, headers={"X-Shopify-Access-Token": admin.token})
    assert first.status_code == 429 and first.headers["Retry-After"] == "2"
    second = httpx.post(admin.url, json={"query": "{ shop { name } }"}, headers={"X-Shopify-Access-Token": admin.token})
    assert second.status_code == 502
    assert admin("{ shop { name } }")["data"]
    assert [c.status for c in simulator.calls("graphql")] == [429, 502, 200]


def test_webhook_payloads_match_shopify_rest_shape(simulator, order):
    payload = simulator.order_payload(SHOP, order.id)
    example = json.loads(EXAMPLES.read_text()) if EXAMPLES.exists() else None
    assert payload["admin_graphql_api_id"] == f"gid://shopify/Order/{order.id}" and payload["tags"] == "vip"
    line = payload["line_items"][0]
    assert line["sku"] == "BAG-1" and line["price_set"]["shop_money"]["amount"] == "295.00"
    if example:
        assert set(line) <= set(example["line_items"][0]) | {"current_quantity"}
    product = simulator.product_payload(SHOP, line["product_id"])
    assert product["variants"][0]["compare_at_price"] == "350.00" and product["tags"] == "final-sale"
