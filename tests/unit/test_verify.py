"""Every Shopify test vector: valid ones pass, every negative one is refused."""
from __future__ import annotations

import base64
import hashlib
import hmac
from types import SimpleNamespace
from urllib.parse import parse_qsl

import pytest

from backend.shopify import verify
from tests.unit.shopify_vectors import freeze_clocks, vectors


def cfg(secret, old=None, key="test_key"):
    return SimpleNamespace(api_key=key, api_secret=secret, old_api_secret=old)


OAUTH = vectors("oauth_callback_hmac")
WEBHOOK = vectors("webhook_hmac")
PROXY = vectors("app_proxy_signature")


def _oauth_params(vector):
    if "query" in vector:
        return verify.oauth_params(parse_qsl(vector["query"], keep_blank_values=True))
    params = dict(vector["params"])
    params["hmac"] = vector["expected_hmac"]
    return params


# --- OAuth query HMAC ---------------------------------------------------------------------------

@pytest.mark.parametrize("vector", OAUTH["vectors"], ids=lambda v: v["id"])
def test_oauth_query_vectors(vector):
    params = _oauth_params(vector)
    assert verify.oauth_query_valid(params, cfg(vector["secret"])) is vector["expected_valid"]
    if "signed_message" in vector:
        assert verify.oauth_message(params) == vector["signed_message"]


def test_the_ruby_library_query_is_accepted_with_the_current_and_the_old_secret():
    ruby = OAUTH["library_rules"]["shopify-api-ruby"]
    query = dict(ruby["test_query"])
    rotating = cfg("API_SECRET_KEY", old="OLD_API_SECRET_KEY")
    for digest in (ruby["derived_expected_hmac_for_test_query"], ruby["derived_expected_hmac_for_test_query_old_secret"]):
        assert verify.oauth_query_valid({**query, "hmac": digest}, rotating)
    assert not verify.oauth_query_valid({**query, "hmac": ruby["derived_expected_hmac_for_test_query_old_secret"]},
                                        cfg("API_SECRET_KEY"))


def test_a_query_without_hmac_or_with_a_repeated_shop_is_refused():
    good = _oauth_params(OAUTH["vectors"][3])
    assert not verify.oauth_query_valid({k: v for k, v in good.items() if k != "hmac"}, cfg("hush"))
    repeated = parse_qsl(OAUTH["vectors"][3]["query"] + "&shop=evil.myshopify.com")
    assert verify.oauth_params(repeated) is None
    assert not verify.oauth_query_valid(None, cfg("hush"))


@pytest.mark.parametrize("stamp, now, fresh", [
    ("1000", 1000, True), ("1000", 1090, True), ("1000", 1091, False), ("1000", 909, False),
    ("", 1000, False), ("NaN", 1000, False), ("12.5", 1000, False), (None, 1000, False), ("-5", 1000, False),
])
def test_oauth_timestamps_are_fresh_for_90_seconds_either_way(stamp, now, fresh):
    assert verify.timestamp_fresh(stamp, now=now) is fresh


# --- Webhook body HMAC --------------------------------------------------------------------------

def _webhook_header(vector):
    return vector.get("header_value") or vector.get("expected_hmac_base64") or vector["headers"]["X-Shopify-Hmac-Sha256"]


@pytest.mark.parametrize("vector", WEBHOOK["vectors"], ids=lambda v: v["id"])
def test_webhook_vectors(vector):
    config = cfg("secret", old="old_secret") if vector["secret"] in ("secret", "old_secret") else cfg(vector["secret"])
    headers = {"X-Shopify-Hmac-Sha256": _webhook_header(vector)}
    check = verify.webhook_check("POST", headers, vector["raw_body"].encode(), config)
    assert check.ok is vector["expected_valid"]
    if not vector["expected_valid"]:
        assert check.status == vector.get("expected_http_status", 401)


def test_the_old_secret_stops_working_once_the_rotation_is_over():
    old = next(v for v in WEBHOOK["vectors"] if v["id"] == "shopify_app-old-secret-rotation")
    headers = {"X-Shopify-Hmac-Sha256": old["expected_hmac_base64"]}
    assert not verify.webhook_check("POST", headers, old["raw_body"].encode(), cfg("secret")).ok


@pytest.mark.parametrize("header, status, reason", [
    (None, 401, "missing_hmac_header"), ("", 401, "missing_hmac_header"), ("fake", 401, "invalid_hmac"),
    ("yCGX/RrK4fcuNtr3ztk5tQGsOBjcAzHpGLdMUrbV8yI=", 200, "verified"),  # valid: only the wrong method refuses it
])
def test_webhook_negative_cases(header, status, reason):
    headers = {} if header is None else {"X-Shopify-Hmac-Sha256": header}
    check = verify.webhook_check("POST", headers, b"foo=anything", cfg("secret"))
    assert (check.ok, check.status, check.reason) == (status == 200, status, reason)
    wrong_method = verify.webhook_check("GET", headers, b"foo=anything", cfg("secret"))
    assert (wrong_method.ok, wrong_method.status) == (False, 405)  # the method is refused whatever the signature


def test_the_new_header_spelling_is_accepted_and_a_non_utf8_body_is_checked_byte_for_byte():
    body = b"\xff\xfe not utf-8"
    digest = base64.b64encode(hmac.new(b"secret", body, hashlib.sha256).digest()).decode()
    assert verify.webhook_check("POST", {"shopify-hmac-sha256": digest}, body, cfg("secret")).ok
    assert verify.webhook_check("POST", {"X-Shopify-Hmac-Sha256": "x" + digest[1:]}, body, cfg("secret")).status == 401
    vector = WEBHOOK["vectors"][0]
    new_header = {"shopify-hmac-sha256": vector["expected_hmac_base64"]}
    assert verify.webhook_check("POST", new_header, vector["raw_body"].encode(), cfg(vector["secret"])).ok


# --- App proxy signature ------------------------------------------------------------------------

def _proxy_url(query):
    return f"https://app.example/proxy/deadline?{query}"


@pytest.mark.parametrize("vector", PROXY["vectors"], ids=lambda v: v["id"])
def test_app_proxy_vectors(vector, monkeypatch):
    stamp = int(dict(parse_qsl(vector["query"]))["timestamp"])
    freeze_clocks(monkeypatch, stamp + 30)
    for query in filter(None, (vector["query"], vector.get("query_alt_order"))):
        check = verify.app_proxy_check(_proxy_url(query), cfg(vector["secret"]))
        assert check.ok is vector["expected_valid"], check.reason
        if check.ok:
            assert check.shop == dict(parse_qsl(query))["shop"]


def _signed_proxy_query(secret, params):
    message = "".join(f"{k}={v}" for k, v in sorted(params.items()))
    return hmac.new(secret.encode(), message.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("offset, ok", [(0, True), (90, True), (-90, True), (91, False), (-91, False)])
def test_an_app_proxy_signature_is_good_for_90_seconds(offset, ok, monkeypatch):
    vector = PROXY["vectors"][1]
    freeze_clocks(monkeypatch, 1466106083 + offset)
    assert verify.app_proxy_check(_proxy_url(vector["query"]), cfg("secret")).ok is ok


def test_app_proxy_requests_with_repeated_or_forged_shops_are_refused(monkeypatch):
    freeze_clocks(monkeypatch, 1000)
    base = {"path_prefix": "/apps/fineprint", "timestamp": "1000", "logged_in_customer_id": "7"}
    for shop in ("evil.com", "x.myshopify.com.evil.com"):
        params = {**base, "shop": shop}
        query = "&".join(f"{k}={v}" for k, v in params.items()) + f"&signature={_signed_proxy_query('s', params)}"
        assert verify.app_proxy_check(_proxy_url(query), cfg("s")).reason == "invalid_shop"
    params = {**base, "shop": "a.myshopify.com"}
    signed = "&".join(f"{k}={v}" for k, v in params.items()) + f"&signature={_signed_proxy_query('s', params)}"
    good = verify.app_proxy_check(_proxy_url(signed), cfg("s"))
    assert good.ok and good.shop == "a.myshopify.com" and good.logged_in_customer_id == "7"
    assert verify.app_proxy_check(_proxy_url(signed), cfg("other", old="s")).ok  # rotation
    for extra in ("&timestamp=1000", "&shop=a.myshopify.com", "&signature=00"):
        assert not verify.app_proxy_check(_proxy_url(signed + extra), cfg("s")).ok


@pytest.mark.parametrize("stamp", ["", "NaN", "Infinity", "-Infinity", "123.45"])
def test_app_proxy_refuses_timestamps_that_are_not_integers(stamp, monkeypatch):
    freeze_clocks(monkeypatch, 1000)
    params = {"shop": "a.myshopify.com", "timestamp": stamp}
    query = f"shop=a.myshopify.com&timestamp={stamp}&signature={_signed_proxy_query('s', params)}"
    assert not verify.app_proxy_check(_proxy_url(query), cfg("s")).ok


def test_app_proxy_repeated_params_are_signed_joined_by_commas_as_in_shopifys_js_library(monkeypatch):
    template = PROXY["library_rules"]["shopify-app-js"]["templates"][1]
    freeze_clocks(monkeypatch, 1700000000)
    message = template["signed_message_template"].replace("<ts>", "1700000000")
    digest = hmac.new(template["secret"].encode(), message.encode(), hashlib.sha256).hexdigest()
    query = ("consentGiven=true&consentGiven=false&logged_in_customer_id=1&path_prefix=%2Fapps%2Fmy_app"
             f"&shop=a.myshopify.com&timestamp=1700000000&signature={digest}")
    assert not verify.app_proxy_check(_proxy_url(query), cfg(template["secret"])).ok  # signed for "the shop URL"
    message = message.replace("shop=the shop URL", "shop=a.myshopify.com")
    digest = hmac.new(template["secret"].encode(), message.encode(), hashlib.sha256).hexdigest()
    query = query.rsplit("&signature=", 1)[0] + f"&signature={digest}"
    check = verify.app_proxy_check(_proxy_url(query), cfg(template["secret"]))
    assert check.ok and check.shop == "a.myshopify.com" and check.logged_in_customer_id == "1"
