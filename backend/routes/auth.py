"""Installing and opening the app: `/`, `/auth/install`, `/auth/callback`, `/auth/session`, `/auth/patch-id-token`."""
from __future__ import annotations

from flask import Blueprint, Response, current_app, g, jsonify, redirect, render_template, request
from shopify_app import app_home_patch_id_token

from backend.routes.guards import frame_ancestors, session_token_required
from backend.services.install import lifecycle as install
from backend.shopify.sessions import InvalidSessionToken, verify_session_token
from backend.shopify.verify import app_config

bp = Blueprint("auth", __name__)

# What Shopify puts on the app URL when the admin opens or installs the app: shop, hmac, timestamp, host
# (contract §3), id_token (shopify_app's verify/app_home_req.py), embedded, locale, session. Any of them and `/`
# is Shopify's link, verified as before however mangled; none, and it is a person who typed the URL.
SHOPIFY_LINK_PARAMS = frozenset({"shop", "hmac", "host", "timestamp", "id_token", "embedded", "session", "locale"})


def _deps():
    app = current_app
    return app.extensions["fineprint.db"], app.extensions["fineprint.cipher"], app.config["FINEPRINT"]


@bp.get("/")
def home():
    """The app URL: Shopify's signed link opens or installs the app; without one, a page saying where to go."""
    if SHOPIFY_LINK_PARAMS.isdisjoint(request.args):
        response = Response(render_template("landing.html"), mimetype="text/html")
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; " \
                                                      "frame-ancestors 'none'"
        return response
    return open_or_install()


@bp.get("/auth/install")
def open_or_install():
    """A Shopify-signed admin link: to the app when installed, else exchange or authorize."""
    db, cipher, config = _deps()
    shop = install.verified_shop(request.args, config)
    id_token = request.args.get("id_token")
    if not install.has_token(db, shop) and id_token:  # embedded load of a managed install
        try:
            session = verify_session_token(id_token, config, request.url)
        except InvalidSessionToken:
            session = None
        if session is not None and session.shop == shop:
            install.ensure_offline_token(db, cipher, config, session)
    if install.has_token(db, shop):
        target = install.admin_page_url(request.args, shop)
    else:
        target = install.begin_authorization(db, config, shop)
    response = redirect(target, 302)
    response.headers["Content-Security-Policy"] = frame_ancestors(shop)
    return response


@bp.get("/auth/callback")
def callback():
    db, cipher, config = _deps()
    shop = install.complete_authorization(db, cipher, config, request.args)
    return redirect(install.admin_page_url(request.args, shop), 302)


@bp.post("/auth/session")
@session_token_required
def session():
    """App Bridge posts its session token: make sure the shop has an offline token."""
    db, cipher, config = _deps()
    exchanged = install.ensure_offline_token(db, cipher, config, g.session)
    return jsonify(shop=g.shop, installed=True, exchanged=exchanged)


@bp.get("/auth/patch-id-token")
def patch_id_token():
    """The tiny App Bridge page that fetches a fresh session token and reloads `shopify-reload`."""
    result = app_home_patch_id_token({"method": "GET", "headers": dict(request.headers), "url": request.url,
                                      "body": ""}, app_config(current_app.config["FINEPRINT"]))
    if result.response.status == 400 and not {"shop", "host"} & set(request.args):
        # Opened by hand, outside the Shopify admin: App Bridge has no shop to bounce through, and shopify_app's
        # bare "Bad Request" tells a person nothing. Say where the admin page lives instead.
        response = Response(render_template("open_in_shopify.html"), status=400, mimetype="text/html")
        response.headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; " \
                                                      "frame-ancestors 'none'"
        return response
    return Response(result.response.body, status=result.response.status, headers=result.response.headers)
