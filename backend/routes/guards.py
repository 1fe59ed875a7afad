"""Who is calling? Decorators for the routes Shopify's surfaces call.

* `@session_token_required` — App Bridge fetches of the admin page: a staff session token
  (App Home verification) in `Authorization: Bearer`; sets `g.shop` (``"x.myshopify.com"``) and
  `g.session` (`backend.shopify.sessions.SessionToken`: `.user_id`, `.claims`). Missing or
  invalid: 401 JSON envelope with `X-Shopify-Retry-Invalid-Session-Request: 1` (App Bridge then
  retries with a new token).
* `@extension_token_required(surface)` — `/api/v1/*`: a checkout or customer-account extension's
  session token (Shopify's verifier for that surface), or staff's App Bridge token; `g.session.kind`
  says which, `.customer_gid` names a signed-in buyer. Same 401 as above.
* `order_reader(session)` — who may read an order's decision: staff, or a signed-in customer
  (only their own orders, checked by the service); a guest token gets 403 `customer_login_required`.
* `@embedded_admin_page` — `/app` document loads inside the Shopify admin: the
  session token comes as `id_token` in the query (or a Bearer header); without one,
  302 to the patch-id-token page that fetches one. Makes sure the shop has an
  offline token (token exchange) and sends the frame-ancestors CSP. Sets `g.shop`, `g.session`.
* `@app_proxy_required` — `/proxy/*`: the app-proxy `signature` (90 s); sets `g.shop`
  and `g.logged_in_customer_id` (None for guests). Invalid: 401 JSON envelope.
"""
from __future__ import annotations

from functools import wraps
from urllib.parse import quote, urlencode

from flask import current_app, g, make_response, redirect, request

from backend.errors import Forbidden, Unauthorized
from backend.shopify import verify
from backend.shopify.sessions import (InvalidSessionToken, SessionToken, bearer_token,
                                      verify_extension_or_admin_token, verify_session_token)

RETRY_HEADER = {"X-Shopify-Retry-Invalid-Session-Request": "1"}
PATCH_ID_TOKEN_PATH = "/auth/patch-id-token"


def frame_ancestors(shop: str) -> str:
    return f"frame-ancestors https://{shop} https://admin.shopify.com"


def _config():
    return current_app.config["FINEPRINT"]


def _raw_url() -> str:
    """The URL as Shopify signed it: the raw query string, not a re-encoded one."""
    query = request.query_string.decode("latin-1")
    return f"{request.base_url}?{query}" if query else request.base_url


def session_token_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        try:
            g.session = verify_session_token(bearer_token(request.headers.get("Authorization")), _config(),
                                             request.url)
        except InvalidSessionToken as err:
            raise Unauthorized(err.message, details={"reason": err.code}, headers=RETRY_HEADER) from None
        g.shop = g.session.shop
        return view(*args, **kwargs)
    return wrapper


def extension_token_required(surface: str):
    def decorate(view):
        @wraps(view)
        def wrapper(*args, **kwargs):
            token = bearer_token(request.headers.get("Authorization"))
            config = _config()
            try:  # the URL as our app's own address plus the path: the verifiers only log it (redacted) and
                # compare it with an OPTIONS request's Origin (preflights never get here); Werkzeug's
                # `request.url` would rebuild and re-quote it on every decision
                g.session = verify_extension_or_admin_token(token, config, surface, config.app_url + request.path)
            except InvalidSessionToken as err:
                raise Unauthorized(err.message, details={"reason": err.code}, headers=RETRY_HEADER) from None
            g.shop = g.session.shop
            return view(*args, **kwargs)
        return wrapper
    return decorate


def order_reader(session: SessionToken) -> str | None:
    """The customer whose orders this token may read, or None for staff (every order of the shop).
    A guest's token (no `sub`) may read none: the order-status extension turns this 403's code into
    Shopify's sign-in prompt (`requireLogin`), so the code is part of the contract."""
    if session.staff:
        return None
    if session.customer_gid:
        return session.customer_gid
    raise Forbidden("sign in to see this order's return options", code="customer_login_required")


def _patch_id_token_redirect():
    query = [(k, v) for k, v in request.args.items(multi=True) if k != "id_token"]
    reload_path = request.path + (f"?{urlencode(query)}" if query else "")
    target = f"{PATCH_ID_TOKEN_PATH}?{urlencode(query + [('shopify-reload', reload_path)], quote_via=quote)}"
    return redirect(target, 302)


def embedded_admin_page(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        from backend.services.install import lifecycle as install

        token = bearer_token(request.headers.get("Authorization")) or request.args.get("id_token")
        if not token:
            return _patch_id_token_redirect()
        try:
            g.session = verify_session_token(token, _config(), request.url)
        except InvalidSessionToken as err:
            if err.code == "expired_id_token":
                return _patch_id_token_redirect()
            raise Unauthorized(err.message, details={"reason": err.code}, headers=RETRY_HEADER) from None
        g.shop = g.session.shop
        app = current_app
        install.ensure_offline_token(app.extensions["fineprint.db"], app.extensions["fineprint.cipher"],
                                     _config(), g.session)
        response = make_response(view(*args, **kwargs))
        response.headers["Content-Security-Policy"] = frame_ancestors(g.shop)
        return response
    return wrapper


def app_proxy_required(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        check = verify.app_proxy_check(_raw_url(), _config())
        if not check.ok:
            raise Unauthorized("this request did not come through the Shopify app proxy",
                               details={"reason": check.reason})
        g.shop, g.logged_in_customer_id = check.shop, check.logged_in_customer_id
        return view(*args, **kwargs)
    return wrapper
