"""Session tokens: the fixed vectors with a frozen clock, and tokens signed now from Shopify's documented payloads."""
from types import SimpleNamespace

import pytest

from backend.shopify.sessions import (ADMIN, CHECKOUT, CUSTOMER_ACCOUNT, InvalidSessionToken, bearer_token,
                                      verify_extension_or_admin_token, verify_session_token)
from tests import session_tokens
from tests.unit.shopify_vectors import freeze_clocks, vectors

# Shopify's vectors sign with a short secret; PyJWT warns about it, rightly, but they are Shopify's.
pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

FIXED = vectors("session_token_jwt")["derived_fixed_tokens"]
CONFIG = SimpleNamespace(api_key=FIXED["api_key"], api_secret=FIXED["secret"], old_api_secret=None)
SHOP = "a-shop.myshopify.com"
ROTATING = SimpleNamespace(api_key="key", api_secret="s3cret-s3cret-s3cret-s3cret-s3cret",
                           old_api_secret="old-old-old-old-old-old-old-old-old")


def _token(kind="admin", secret=ROTATING.api_secret, **options):
    return session_tokens.session_token(kind, SHOP, ROTATING.api_key, secret, **options)


@pytest.mark.parametrize("case", FIXED["cases"], ids=lambda c: c["id"])
def test_fixed_session_token_vectors(case, monkeypatch):
    freeze_clocks(monkeypatch, FIXED["verify_at_unix"])
    verify = verify_session_token if case["id"].startswith("admin") else \
        (lambda token, config: verify_extension_or_admin_token(token, config, CHECKOUT))
    if not case["expected_valid"]:
        with pytest.raises(InvalidSessionToken):
            verify(case["token"], CONFIG)
        return
    session = verify(case["token"], CONFIG)
    assert session.shop == case.get("expected_shop", "test-shop.myshopify.com")
    if "expected_user_id" in case:
        assert session.user_id == case["expected_user_id"]
        assert session.staff is (case["expected_user_id"] is not None)


@pytest.mark.parametrize("surface", [CHECKOUT, CUSTOMER_ACCOUNT])
@pytest.mark.parametrize("kind", ["checkout", "customer_account", "checkout_with_iss"])
def test_extension_tokens_as_shopify_documents_them_are_accepted(kind, surface):
    session = verify_extension_or_admin_token(_token(kind, customer_id=7), ROTATING, surface)
    assert (session.shop, session.customer_gid, session.user_id) == (SHOP, "gid://shopify/Customer/7", None)
    assert session.kind == surface and not session.staff
    guest = verify_extension_or_admin_token(_token(kind), ROTATING, surface)
    assert guest.customer_gid is None and guest.user_id is None and not guest.staff


def test_a_staff_token_on_an_extension_endpoint_is_staff():
    session = verify_extension_or_admin_token(_token("admin"), ROTATING, CHECKOUT)
    assert session.kind == ADMIN and session.staff and session.user_id == "1" and session.customer_gid is None


@pytest.mark.parametrize("kind", ["checkout", "customer_account", "checkout_with_iss"])
@pytest.mark.parametrize("customer_id", [7, None])
def test_the_admin_pages_accept_no_extension_token(kind, customer_id):
    """A buyer's token, signed in or not, never passes for staff (the `/checkouts` issuer included)."""
    with pytest.raises(InvalidSessionToken) as err:
        verify_session_token(_token(kind, customer_id=customer_id), ROTATING)
    assert err.value.code in ("invalid_issuer", "invalid_sub")


def test_a_token_signed_with_the_old_secret_is_accepted_during_rotation():
    assert verify_session_token(_token(secret=ROTATING.old_api_secret), ROTATING).shop == SHOP
    assert verify_extension_or_admin_token(_token("checkout", secret=ROTATING.old_api_secret), ROTATING,
                                           CHECKOUT).shop == SHOP
    for kind in ("admin", "checkout"):
        with pytest.raises(InvalidSessionToken):
            verify_extension_or_admin_token(_token(kind, secret="older-older-older-older-older-older"), ROTATING,
                                            CHECKOUT)


@pytest.mark.parametrize("kind, changes, code", [  # one claim Shopify would not send, each
    ("admin", {"dest": "https://evil.com", "iss": "https://evil.com/admin"}, "invalid_dest"),
    ("admin", {"dest": "https://a-shop.myshopify.com.evil.com"}, "invalid_dest"),
    ("admin", {"iss": None}, "invalid_issuer"),
    ("admin", {"iss": "https://b-shop.myshopify.com/admin"}, "mismatched_hosts"),
    ("admin", {"sub": "gid://shopify/Customer/7"}, "invalid_sub"),
    ("admin", {"sub": None}, "invalid_sub"),
    ("admin", {"iss": "https://a-shop.myshopify.com/checkouts"}, "invalid_issuer"),
    ("admin", {"aud": "someone-else"}, "invalid_aud"),
    ("admin", {"exp": 1}, "expired_id_token"),
    ("admin", {"exp": None}, "missing_exp"),
    ("admin", {"nbf": None}, "missing_nbf"),
    ("checkout", {"dest": "evil.com"}, "invalid_dest"),
    ("checkout", {"dest": ["a-shop.myshopify.com"]}, "invalid_dest"),
    ("checkout", {"dest": 5}, "invalid_dest"),
    ("checkout", {"dest": "[a-shop.myshopify.com"}, "invalid_dest"),
    ("checkout", {"dest": None}, "invalid_dest"),
    ("checkout", {"iss": "https://b-shop.myshopify.com/checkouts"}, "mismatched_hosts"),
    ("checkout", {"iss": "bad_shop_hostname"}, "invalid_issuer"),
    ("checkout", {"aud": "someone-else"}, "invalid_aud"),
    ("checkout", {"exp": None}, "missing_exp"),
    ("checkout", {"nbf": None}, "missing_nbf"),
    ("checkout", {"nbf": "soon"}, "invalid_id_token"),
    ("customer_account", {"exp": 1}, "expired_id_token"),
    ("checkout_with_iss", {"iss": "https://b-shop.myshopify.com/checkouts"}, "mismatched_hosts"),
])
def test_tokens_for_another_shop_app_or_time_are_refused(kind, changes, code):
    verify = verify_session_token if kind == "admin" else \
        (lambda token, config: verify_extension_or_admin_token(token, config, CUSTOMER_ACCOUNT))
    with pytest.raises(InvalidSessionToken) as err:
        verify(_token(kind, customer_id=7, changes=changes), ROTATING)
    assert err.value.code == code


@pytest.mark.parametrize("token", ["not-a-jwt", "a.b.c", "", None])
def test_what_is_not_a_token_is_refused(token):
    with pytest.raises(InvalidSessionToken) as err:
        verify_extension_or_admin_token(token, ROTATING, CHECKOUT)
    assert err.value.code in ("invalid_id_token", "missing_session_token")


@pytest.mark.parametrize("header, token", [
    ("Bearer abc", "abc"), ("bearer abc", None), ("Basic abc", None), ("Bearer ", None), (None, None), ("", None),
])
def test_only_a_bearer_header_carries_a_token(header, token):
    assert bearer_token(header) == token


def test_no_token_at_all_is_refused():
    with pytest.raises(InvalidSessionToken) as err:
        verify_session_token(None, ROTATING)
    assert err.value.code == "missing_session_token"


def test_the_simulators_staff_token_has_the_documented_app_bridge_shape():
    import jwt

    from devshop.sessiontokens import mint_session_token

    minted = jwt.decode(mint_session_token(SHOP, "key", ROTATING.api_secret), options={"verify_signature": False})
    documented = session_tokens.claims("admin", SHOP, "key")
    assert set(minted) == set(documented)
    assert {k: minted[k] for k in ("iss", "dest", "aud", "sub")} == {k: documented[k] for k in ("iss", "dest", "aud", "sub")}
    assert minted["exp"] - minted["iat"] == documented["exp"] - documented["iat"]
