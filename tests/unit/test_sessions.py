"""Session tokens: the fixed vectors with a frozen clock, and tokens signed now."""
import time
from types import SimpleNamespace

import jwt
import pytest

from backend.shopify.sessions import InvalidSessionToken, bearer_token, verify_session_token
from tests.unit.shopify_vectors import freeze_clocks, vectors

# Shopify's vectors sign with a short secret; PyJWT warns about it, rightly, but they are Shopify's.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

FIXED = vectors("session_token_jwt")["derived_fixed_tokens"]
CONFIG = SimpleNamespace(api_key=FIXED["api_key"], api_secret=FIXED["secret"], old_api_secret=None)


@pytest.mark.parametrize("case", FIXED["cases"], ids=lambda c: c["id"])
def test_fixed_session_token_vectors(case, monkeypatch):
    freeze_clocks(monkeypatch, FIXED["verify_at_unix"])
    if not case["expected_valid"]:
        with pytest.raises(InvalidSessionToken):
            verify_session_token(case["token"], CONFIG)
        return
    session = verify_session_token(case["token"], CONFIG)
    assert session.shop == case.get("expected_shop", "test-shop.myshopify.com")
    if "expected_user_id" in case:
        assert session.user_id == case["expected_user_id"]


def _token(secret="s3cret-s3cret-s3cret-s3cret-s3cret", **claims):
    now = int(time.time())
    payload = {"iss": "https://a-shop.myshopify.com/admin", "dest": "https://a-shop.myshopify.com", "aud": "key",
               "sub": "42", "exp": now + 60, "nbf": now - 1, "iat": now - 1, "jti": "j", "sid": "s", **claims}
    payload = {k: v for k, v in payload.items() if v is not None}
    return jwt.encode(payload, secret, algorithm="HS256")


ROTATING = SimpleNamespace(api_key="key", api_secret="s3cret-s3cret-s3cret-s3cret-s3cret", old_api_secret="old-old-old-old-old-old-old-old-old")


def test_a_token_signed_with_the_old_secret_is_accepted_during_rotation():
    assert verify_session_token(_token("old-old-old-old-old-old-old-old-old"), ROTATING).shop == "a-shop.myshopify.com"
    with pytest.raises(InvalidSessionToken):
        verify_session_token(_token("older-older-older-older-older-older"), ROTATING)


@pytest.mark.parametrize("claims, code", [
    ({"dest": "https://evil.com", "iss": "https://evil.com/admin"}, "invalid_dest"),
    ({"dest": "https://a-shop.myshopify.com.evil.com"}, "invalid_dest"),
    ({"iss": None}, "invalid_issuer"),
    ({"iss": "https://b-shop.myshopify.com/admin"}, "mismatched_hosts"),
    ({"aud": "someone-else"}, "invalid_aud"),
    ({"exp": int(time.time()) - 11}, "expired_id_token"),
])
def test_tokens_for_another_shop_app_or_time_are_refused(claims, code):
    with pytest.raises(InvalidSessionToken) as err:
        verify_session_token(_token(**claims), ROTATING)
    assert err.value.code == code


def test_a_buyer_token_names_the_customer_not_a_staff_user():
    session = verify_session_token(_token(sub="gid://shopify/Customer/7", iss="https://a-shop.myshopify.com/checkouts",
                                          dest="a-shop.myshopify.com"), ROTATING)
    assert session.customer_gid == "gid://shopify/Customer/7" and session.user_id is None


@pytest.mark.parametrize("header, token", [
    ("Bearer abc", "abc"), ("bearer abc", None), ("Basic abc", None), ("Bearer ", None), (None, None), ("", None),
])
def test_only_a_bearer_header_carries_a_token(header, token):
    assert bearer_token(header) == token


def test_no_token_at_all_is_refused():
    with pytest.raises(InvalidSessionToken) as err:
        verify_session_token(None, ROTATING)
    assert err.value.code == "missing_session_token"
