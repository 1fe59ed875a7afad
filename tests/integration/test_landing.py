"""`/` opened by hand (no Shopify query) is a small page that says where to go. Shopify's signed links to `/`
keep installing and opening the app: tests/integration/test_install.py follows them."""
import re


def test_the_app_url_opened_by_hand_says_what_this_is_and_where_to_go(client):
    res = client.get("/")
    assert res.status_code == 200 and res.mimetype == "text/html"
    page = res.get_data(as_text=True)
    links = set(re.findall(r'href="([^"]+)"', page))
    assert {"/app", "/health", "/api/v1/openapi.json"} <= links
    assert "make demo" in page and "README.md" in page
    assert "frame-ancestors 'none'" in res.headers["Content-Security-Policy"]


def test_a_query_that_is_not_shopifys_still_gets_the_page(client):
    assert client.get("/?utm_source=newsletter").status_code == 200



def test_the_admin_page_opened_by_hand_says_to_open_it_from_the_shopify_admin(client):
    bounce = client.get("/app")
    assert bounce.status_code == 302
    res = client.get(bounce.headers["Location"])
    assert res.status_code == 400 and res.mimetype == "text/html"
    page = res.get_data(as_text=True)
    assert "Open Fineprint from your Shopify admin" in page and "make demo" in page
