"""A local storefront: pages rendering the theme blocks, the Ajax Cart API and Fineprint's app proxy."""
from __future__ import annotations

import html
import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from .theme import Theme

PROTECTION_VARIANT = 4242
PRODUCTS = {  # variant id -> product
    101: {"product_id": 11, "handle": "tote", "title": "Leather Tote", "price": 29500,
          "proxy": {"class": "standard", "window": {"days": 30, "from": "delivery"}}},
    202: {"product_id": 22, "handle": "sneaker", "title": "Final Sale Sneaker", "price": 8900,
          "proxy": {"class": "final_sale", "window": None}},
    PROTECTION_VARIANT: {"product_id": 99, "handle": "return-protection", "title": "Return protection", "price": 298,
                         "proxy": {"class": "protection", "window": None}},
}
POLICY_HTML = "<h2>Returns</h2><p>Return unworn items within 30 days of delivery for a refund.</p>"


class Cart:
    def __init__(self):
        self.lock = threading.Lock()
        self.items: list[dict] = []
        self.requests: list[tuple[str, str]] = []

    def add(self, variant_id: int, quantity: int) -> dict:
        with self.lock:
            for item in self.items:
                if item["variant_id"] == variant_id:
                    item["quantity"] += quantity
                    return dict(item)
            p = PRODUCTS[variant_id]
            item = {"key": f"{variant_id}:fake", "id": variant_id, "variant_id": variant_id,
                    "product_id": p["product_id"], "title": p["title"], "quantity": quantity, "price": p["price"]}
            self.items.append(item)
            return dict(item)

    def change(self, key: str, quantity: int) -> None:
        with self.lock:
            for item in list(self.items):
                if item["key"] == key or str(item["variant_id"]) == str(key):
                    item["quantity"] = quantity
                    if quantity <= 0:
                        self.items.remove(item)

    def variants(self) -> dict[int, int]:
        with self.lock:
            return {i["variant_id"]: i["quantity"] for i in self.items}

    def as_json(self) -> dict:
        with self.lock:
            items = [dict(i, line_price=i["price"] * i["quantity"]) for i in self.items]
        return {"token": "fake-cart", "currency": "USD", "items": items,
                "item_count": sum(i["quantity"] for i in items),
                "total_price": sum(i["line_price"] for i in items)}


class Storefront:
    def __init__(self, extension_dir: Path):
        self.dir = Path(extension_dir)
        self.theme = Theme(self.dir)
        self.cart = Cart()
        self.settings_variant: int | None = PROTECTION_VARIANT  # the variant set in the app's admin Settings
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self):
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.server.shutdown()
        self.server.server_close()

    # pages -----------------------------------------------------------------
    def embed(self, template: str):
        return self.theme.block("cart-protection", {}, template={"name": template})  # no variant setting

    def page(self, template: str, main: str, blocks) -> str:
        assets = "\n".join(dict.fromkeys(b.assets() for b in blocks))
        embed = self.embed(template)
        return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{template}</title>{assets}'
                f"{embed.assets()}</head><body><main>{main}</main>{embed.html}</body></html>")

    def product_page(self, handle: str) -> str | None:
        product = next((p for p in PRODUCTS.values() if p["handle"] == handle), None)
        if product is None:
            return None
        badge = self.theme.block("product-badge", product={"id": product["product_id"], "title": product["title"]})
        return self.page("product", f"<h1>{html.escape(product['title'])}</h1>{badge.html}", [badge])

    def cart_page(self) -> str:
        rows = "".join(f'<li data-variant="{i["variant_id"]}">{html.escape(i["title"])} × {i["quantity"]}</li>'
                       for i in self.cart.as_json()["items"])
        main = (f'<h1>Your cart</h1><form action="/cart" method="post" id="cart">'
                f'<ul id="cart-lines">{rows}</ul><button name="checkout">Check out</button></form>')
        return self.page("cart", main, [])

    def policy_page(self) -> str:
        policy = self.theme.block("policy")
        return self.page("page", f"<h1>Refund policy</h1>{policy.html}", [policy])

    # proxy -----------------------------------------------------------------
    def proxy(self, path: str, query: dict):
        if path == "/apps/fineprint/protection":  # as backend/routes/proxy.py answers: the Settings' variant id
            variant = str(self.settings_variant) if self.settings_variant else None
            return 200, {"offered": True, "price": "2.98", "currency": "USD", "variant_id": variant}
        if path == "/apps/fineprint/policy":
            return 200, {"markdown": "## Returns", "html": POLICY_HTML}
        if path == "/apps/fineprint/product":
            pid = (query.get("product_id") or [""])[0]
            product = next((p for p in PRODUCTS.values() if str(p["product_id"]) == pid), None)
            if product is None:
                return 404, {"error": {"code": "not_found", "message": "unknown product"}}
            return 200, {"product_id": pid, **product["proxy"],
                         "return_protection": {"offered": True, "price": "2.98", "currency": "USD"}}
        return 404, {"error": {"code": "not_found", "message": path}}

    def _handler(self):
        store = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def send(self, status, body, ctype="application/json"):
                data = body if isinstance(body, bytes) else (
                    json.dumps(body) if ctype == "application/json" else body).encode()
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Cache-Control", "no-store")
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                url = urlparse(self.path)
                store.cart.requests.append(("GET", url.path))
                if url.path == "/cart.js":
                    return self.send(200, store.cart.as_json())
                if url.path.startswith("/apps/fineprint/"):
                    return self.send(*store.proxy(url.path, parse_qs(url.query)))
                if url.path.startswith("/assets/"):
                    asset = store.dir / "assets" / Path(url.path).name
                    if asset.is_file():
                        ctype = "text/css" if asset.suffix == ".css" else "application/javascript"
                        return self.send(200, asset.read_bytes(), ctype)
                    return self.send(404, b"", "text/plain")
                page = None
                if url.path == "/cart":
                    page = store.cart_page()
                elif url.path.startswith("/products/"):
                    page = store.product_page(url.path.rsplit("/", 1)[-1])
                elif url.path == "/pages/returns":
                    page = store.policy_page()
                if page is None:
                    return self.send(404, "<h1>Not found</h1>", "text/html; charset=utf-8")
                return self.send(200, page, "text/html; charset=utf-8")

            def do_POST(self):
                url = urlparse(self.path)
                store.cart.requests.append(("POST", url.path))
                body = json.loads(self.rfile.read(int(self.headers.get("Content-Length") or 0)) or b"{}")
                if url.path == "/cart/add.js":
                    try:
                        added = [store.cart.add(int(i["id"]), int(i.get("quantity", 1))) for i in body["items"]]
                    except (KeyError, ValueError):
                        return self.send(422, {"status": 422, "message": "Cart Error", "description": "bad variant"})
                    return self.send(200, {"items": added})
                if url.path == "/cart/change.js":
                    store.cart.change(str(body.get("id")), int(body.get("quantity", 0)))
                    return self.send(200, store.cart.as_json())
                return self.send(404, {"status": 404})

        return Handler
