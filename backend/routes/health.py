"""GET /health: a real database round trip, for load balancers."""
from flask import Blueprint, current_app, jsonify

from backend.errors import ServiceUnavailable

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    try:
        current_app.extensions["fineprint.db"].ping()
    except Exception as exc:  # any driver error means "not healthy"
        current_app.logger.warning("health check failed: %s", type(exc).__name__)
        raise ServiceUnavailable("database unreachable", details={"reason": type(exc).__name__})
    return jsonify(status="ok")
