"""The admin page's Returns calls (session token): the returns mode, a merchant's override of a verdict,
processing a return's refund as decided, and the comparison with Shopify's refund policy. Each parses,
calls one service, serializes."""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, request

from backend.errors import ValidationError
from backend.routes import inputs
from backend.routes.guards import session_token_required

bp = Blueprint("admin_returns", __name__)


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("expected a JSON object body")
    return body


def _return_id(value: str) -> str:
    if not value.isdigit() or len(value) > 20:
        raise ValidationError("a return id is the number of gid://shopify/Return/N",
                              details=[{"field": "return_id", "message": "digits"}])
    return value


@bp.post("/app/api/returns/mode")
@session_token_required
def set_mode():
    from backend.services.returns import mode

    body = _body()
    return jsonify(mode.set_mode(current_app.extensions["fineprint.db"], g.shop, inputs.text(body, "mode", ""),
                                 g.session.user_id, process_on_receipt=inputs.flag(body, "process_on_receipt")))


@bp.post("/app/api/returns/<return_id>/override")
@session_token_required
def override(return_id):
    from backend.services.returns import apply

    body = _body()
    return jsonify(apply.override(current_app._get_current_object(), g.shop, _return_id(return_id),
                                  inputs.text(body, "action", ""), inputs.text(body, "note", ""),
                                  g.session.user_id))


@bp.post("/app/api/returns/<return_id>/process")
@session_token_required
def process(return_id):
    from backend.services.returns import apply

    return jsonify(apply.process(current_app._get_current_object(), g.shop, _return_id(return_id),
                                 g.session.user_id))


@bp.post("/app/api/returns/drift")
@session_token_required
def drift():
    from backend.services.returns import drift as returns_drift

    return jsonify(returns_drift.check_current(current_app._get_current_object(), g.shop))
