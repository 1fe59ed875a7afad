"""A page that hosts a built UI extension bundle (Shopify CLI's `dist/<handle>.js`) with a fake `shopify`
global, as Shopify's customer-account host would give it: the target's API (order id, session token,
settings, i18n over the extension's own locale file, `close`, `requireLogin`) and `shopify.extend`, which
runs the one target the page asks for. Polaris web components are not loaded: `s-*` elements stay plain
custom elements, so a test reads their attributes and text and drives them by setting `value`/`checked` and
dispatching `change`, as the real components report a change to the extension.

The fake API is ours (Shopify publishes the API's types, @shopify/ui-extensions, not a host); every call the
extension makes to it is recorded in `window.__calls`.
"""
from __future__ import annotations

import json
import os
import subprocess
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

HOST = """<!doctype html>
<html lang="__LANG__"><head><meta charset="utf-8"><title>extension host</title></head>
<body>
<script>
(function () {
  var config = __CONFIG__;
  var calls = window.__calls = [];
  function lookup(key) {
    return key.split('.').reduce(function (node, part) { return node == null ? node : node[part]; }, config.locale);
  }
  function translate(key, vars) {
    vars = vars || {};
    var entry = lookup(key);
    if (entry && typeof entry === 'object') entry = entry[vars.count === 1 ? 'one' : 'other'];
    if (typeof entry !== 'string') return key;
    return entry.replace(/\\{\\{(\\w+)\\}\\}/g, function (_, name) { return String(vars[name]); });
  }
  function signal(value) { return {value: value, subscribe: function () { return function () {}; }}; }
  window.shopify = {
    orderId: config.orderId,
    order: signal({id: config.orderId}),
    lines: signal(config.lines || []),
    localization: {timezone: signal('America/New_York')},
    settings: signal({app_url: config.backend}),
    sessionToken: {get: function () { calls.push({type: 'sessionToken'}); return Promise.resolve(config.token); }},
    i18n: {
      translate: translate,
      formatCurrency: function (n) {
        return new Intl.NumberFormat(config.lang, {style: 'currency', currency: 'USD'}).format(n);
      },
      formatDate: function (d, options) { return new Intl.DateTimeFormat(config.lang, options).format(d); }
    },
    close: function () { calls.push({type: 'close'}); },
    requireLogin: function () { calls.push({type: 'requireLogin'}); return Promise.resolve(); },
    extend: function (target, render) {
      if (target === config.target) { calls.push({type: 'extend', target: target}); render(); }
    }
  };
})();
</script>
<script src="/bundle.js"></script>
</body></html>
"""


def bundle(handle: str) -> Path:
    """The extension as `npm run build` (Shopify CLI, offline) makes it; built here when missing or stale."""
    ext = ROOT / "extensions" / handle
    built = ext / "dist" / f"{handle}.js"
    sources = [p for p in (ext / "src").rglob("*") if p.is_file()] + list((ROOT / "extensions" / "shared").glob("*.js"))
    if not built.exists() or any(p.stat().st_mtime > built.stat().st_mtime for p in sources):
        env = {k: v for k, v in os.environ.items() if k != "APP_URL"}
        subprocess.run(["npm", "run", "build", "--silent"], cwd=ROOT, env=env, check=True, capture_output=True,
                       timeout=900)
    return built


def host_page(handle: str, target: str, *, backend: str, token: str, order_id: str, lang: str = "en",
              lines: list | None = None) -> str:
    locales = ROOT / "extensions" / handle / "locales"
    locale = json.loads((locales / ("en.default.json" if lang == "en" else f"{lang}.json")).read_text())
    config = {"target": target, "backend": backend, "token": token, "orderId": order_id, "lang": lang,
              "locale": locale, "lines": lines or []}
    return HOST.replace("__CONFIG__", json.dumps(config)).replace("__LANG__", lang)


class ExtensionHost:
    """A local HTTP server for host pages and the bundle: a loopback origin of its own, like the backend's, so
    Chromium's private-network rules see what production sees (a page calling a server of its own kind) and
    CORS is exercised for real (the backend is another origin)."""

    def __init__(self, handle: str):
        self.script = bundle(handle).read_bytes()
        self.pages: dict[str, str] = {}
        host = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's name
                if self.path == "/bundle.js":
                    body, kind = host.script, "application/javascript"
                elif self.path in host.pages:
                    body, kind = host.pages[self.path].encode(), "text/html; charset=utf-8"
                else:
                    self.send_error(404)
                    return
                self.send_response(200)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.server.server_address[1]}"

    def __enter__(self) -> "ExtensionHost":
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()

    def add(self, html: str) -> str:
        """Serves a host page; returns its URL."""
        path = f"/page-{len(self.pages) + 1}"
        self.pages[path] = html
        return self.origin + path
