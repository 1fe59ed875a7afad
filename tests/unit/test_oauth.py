"""Shop domains, the authorize URL and granted scopes."""
from urllib.parse import parse_qs, urlsplit

import pytest

from backend.shopify import oauth


@pytest.mark.parametrize("raw, shop", [
    ("fineprint-demo.myshopify.com", "fineprint-demo.myshopify.com"),
    ("Fineprint-Demo.MyShopify.com", "fineprint-demo.myshopify.com"),
])
def test_a_myshopify_domain_is_accepted_and_lowercased(raw, shop):
    assert oauth.normalize_shop(raw) == shop


@pytest.mark.parametrize("raw", [
    "", None, 42, "evil.com", "x.myshopify.com.evil.com", "myshopify.com", ".myshopify.com",
    "-x.myshopify.com", "x_y.myshopify.com", "x.myshopify.com/admin", "https://x.myshopify.com",
    "x.myshopify.com:443", "x.y.myshopify.com", "x.myshopify.com\n", " a1.myshopify.com", "x\u0131.myshopify.com",
    "ⅹ.myshopify.com", "x.MYSHOPIFY.COM.evil.com", "x.myshopify.comevil", "a" * 300 + ".myshopify.com",
    "x.myshopify.com%2Eevil.com", "x@evil.com", "evil.com#.myshopify.com",
])
def test_anything_else_is_not_a_shop(raw):
    assert oauth.normalize_shop(raw) is None


def test_the_authorize_url_asks_for_our_scopes_and_comes_back_to_the_callback():
    url = oauth.authorize_url("http://127.0.0.1:9999", client_id="key", scopes=["read_orders", "write_orders"],
                              app_url="https://app.example/", state="NONCE")
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == "http://127.0.0.1:9999/admin/oauth/authorize"
    assert parse_qs(parts.query) == {"client_id": ["key"], "scope": ["read_orders,write_orders"],
                                     "redirect_uri": ["https://app.example/auth/callback"], "state": ["NONCE"]}


def test_nonces_are_long_and_unique():
    nonces = {oauth.new_nonce() for _ in range(100)}
    assert len(nonces) == 100 and all(len(n) >= 32 for n in nonces)


@pytest.mark.parametrize("granted, missing", [
    ("read_orders,write_orders,read_products", []),
    ("write_orders,read_products", []),          # Shopify drops the implied read scope
    ("read_orders,read_products", ["write_orders"]),
    ("write_orders", ["read_products"]),
    ("", ["read_orders", "write_orders", "read_products"]),
])
def test_granted_scopes_must_cover_what_we_asked(granted, missing):
    assert oauth.missing_scopes(["read_orders", "write_orders", "read_products"], granted) == missing
