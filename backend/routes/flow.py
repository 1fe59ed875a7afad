"""POST /flow/actions/check-order: Shopify Flow runs the action "Check order against return policy".

Verified with Shopify's `verify_flow_action_req` over the raw body before anything parses it; answered
synchronously with the action's `return_value` (backend/services/flow/action.py).
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

from flask import Blueprint, current_app, jsonify, request

from backend.errors import AppError, Unauthorized
from backend.services.flow import action as flow_action
from backend.shopify.flow import flow_action_check

bp = Blueprint("flow", __name__, url_prefix="/flow")
MAX_BODY = 256 * 1024  # Flow's action payloads are small; a larger body is not Flow's


@bp.route("/actions/check-order", methods=["GET", "POST", "PUT", "DELETE"])
def check_order():
    raw = request.get_data(cache=False)
    if len(raw) > MAX_BODY:
        raise AppError("the request body is too large", code="payload_too_large", status=413)
    check = flow_action_check(request.method, request.headers, raw, current_app.config["FINEPRINT"])
    if check.status == 405:
        raise AppError("Flow actions are POSTed", code="method_not_allowed", status=405)
    if not check.ok:
        raise Unauthorized("Flow action signature missing or invalid", details={"reason": check.reason})
    try:
        body = json.loads(raw)
    except ValueError:
        raise AppError("the Flow action body is not valid JSON", code="malformed_json") from None
    return jsonify(flow_action.check_order(body, datetime.now(timezone.utc))), 200
