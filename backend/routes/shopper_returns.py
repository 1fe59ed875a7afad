"""/api/v1/orders/<id>/return-*: a shopper's self-serve return from the customer-account extension (issue 16).

Same authentication and customer scoping as GET /api/v1/orders/<id>/decision (api.py): a customer-account
session token; the order's own customer only (a guest: 403 `customer_login_required`, which the extension
turns into Shopify's `requireLogin`); staff may read options and previews but a return is the customer's to
start. CORS comes from api.py's /api/v1 hooks.
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import Blueprint, current_app, g, jsonify

from backend.errors import Forbidden
from backend.routes.api import _json_body
from backend.routes.guards import extension_token_required, order_reader
from backend.services.returns import shopper_actions as returns
from backend.shopify.sessions import CUSTOMER_ACCOUNT

bp = Blueprint("shopper_returns", __name__, url_prefix="/api/v1")


def _now() -> datetime:
    return datetime.now(timezone.utc)


@bp.get("/orders/<path:order_id>/return-options", merge_slashes=False)
@extension_token_required(CUSTOMER_ACCOUNT)
def return_options(order_id: str):
    customer = order_reader(g.session)
    return jsonify(returns.options(current_app._get_current_object(), g.shop, order_id, _now(), customer))


@bp.post("/orders/<path:order_id>/return-preview", merge_slashes=False)
@extension_token_required(CUSTOMER_ACCOUNT)
def return_preview(order_id: str):
    customer = order_reader(g.session)
    return jsonify(returns.preview(current_app._get_current_object(), g.shop, order_id, _json_body(), _now(),
                                   customer))


@bp.post("/orders/<path:order_id>/returns", merge_slashes=False)
@extension_token_required(CUSTOMER_ACCOUNT)
def create_return(order_id: str):
    customer = order_reader(g.session)
    if customer is None:
        raise Forbidden("a return is started by the order's customer", code="customer_only")
    answer = returns.submit(current_app._get_current_object(), g.shop, order_id, _json_body(), _now(), customer)
    return jsonify(answer), 201
