"""/api/v1: the Decision API for checkout, customer-account and admin extensions (contract §3).

Auth: a Shopify session token (`Authorization: Bearer`) of a checkout or customer-account extension, or
staff's App Bridge token; the shop comes from its `dest`. An order's decision is read by its own customer
or by staff only (`guards.order_reader`). CORS is open to
any origin without credentials: every /api/v1 answer carries `Access-Control-Allow-Origin: *`, and a
preflight `OPTIONS` gets 204 with the allowed methods and headers. The OpenAPI document is public.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from decimal import Decimal

from flask import Blueprint, Response, g, jsonify, request

from backend.errors import AppError
from backend.routes import openapi
from backend.routes.guards import extension_token_required, order_reader
from backend.shopify.sessions import CHECKOUT, CUSTOMER_ACCOUNT
from backend.services.decisions import shopper as decisions

bp = Blueprint("api", __name__, url_prefix="/api/v1")
PREFIX = "/api/v1/"
MAX_BODY = 1024 * 1024  # a cart of hundreds of lines is a few dozen KiB
MAX_LINES = 500  # above any real order: Shopify accepts at most 499 line items on an order it creates
# (shopify.dev changelog "Increase draft order line item limit from 250 to 499", API 2025-07)
CORS = (("Access-Control-Allow-Origin", "*"),
        ("Access-Control-Expose-Headers", "X-Shopify-Retry-Invalid-Session-Request"))
PREFLIGHT = {"Access-Control-Allow-Methods": "GET, POST, OPTIONS",
             "Access-Control-Allow-Headers": "Authorization, Content-Type", "Access-Control-Max-Age": "86400"}


@bp.before_app_request
def _preflight():
    req = request._get_current_object()  # one context lookup instead of one per attribute
    if req.method == "OPTIONS" and req.path.startswith(PREFIX):
        return Response(status=204, headers=PREFLIGHT)  # + CORS, as every /api/v1 answer (_cors)
    return None


@bp.after_app_request
def _cors(response):
    if request.path.startswith(PREFIX):
        response.headers.extend(CORS)  # neither header is set by a route: added, not replaced
    return response


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _number(text: str):
    """A JSON number with a fraction or exponent: exact Decimal; an integral one (1.0, as JSON Schema's
    "integer" allows) becomes an int."""
    value = Decimal(text)
    if abs(value.adjusted()) > 20:  # 1e1000000: to_integral_value would trap on it; kept as a Decimal, it is
        return value                # refused where a field needs an amount or a count (an unknown field: ignored)
    if value.is_finite() and value == value.to_integral_value() and abs(value) < 10 ** 20:
        return int(value)
    return value


def _json_body():
    """The body as JSON (numbers kept exact); not JSON at all is a 422 like any other invalid request.
    Its size is bounded before it is read (backend/routes/limits.py: 413 for a long or chunked body)."""
    if (request.content_length or 0) > MAX_BODY:
        raise AppError(f"a decision request is at most {MAX_BODY // 1024} KiB", status=413, code="payload_too_large")
    try:
        body = json.loads(request.get_data() or b"null", parse_float=_number)
    except (ValueError, RecursionError):
        raise decisions.invalid([{"field": "", "message": "the body is not valid JSON"}]) from None
    _bound_lines(body)
    return body


def _bound_lines(body) -> None:
    """At most MAX_LINES line items (and return lines) per request: the decision's size grows with them."""
    order = body.get("order") if isinstance(body, dict) else None
    ret = body.get("return_request") if isinstance(body, dict) else None
    counts = [len(x) for x in ((order or {}).get("line_items") if isinstance(order, dict) else None,
                               (ret or {}).get("lines") if isinstance(ret, dict) else None) if isinstance(x, list)]
    if any(n > MAX_LINES for n in counts):
        raise AppError(f"a decision request has at most {MAX_LINES} lines", status=413, code="too_many_lines",
                       details={"max_lines": MAX_LINES})


@bp.post("/decisions")
@extension_token_required(CHECKOUT)
def create_decision():
    return jsonify(decisions.decide_for_cart(g.shop, _json_body(), _now()))


@bp.get("/orders/<path:order_id>/decision", merge_slashes=False)
@extension_token_required(CUSTOMER_ACCOUNT)
def order_decision(order_id: str):
    customer = order_reader(g.session)  # staff: None (any order of the shop); a guest: 403 here
    return jsonify(decisions.decide_for_order(g.shop, order_id, _now(), customer))


@bp.get("/openapi.json")
def openapi_document():
    return jsonify(openapi.DOCUMENT)
