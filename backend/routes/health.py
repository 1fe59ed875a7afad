"""GET /health: a real database round trip, for load balancers."""
from flask import Blueprint, current_app, jsonify

from backend.errors import ServiceUnavailable

bp = Blueprint("health", __name__)


@bp.get("/health")
def health():
    try:
        # One statement in autocommit (Database.read): one round trip, where a plain connection's ping added a
        # BEGIN and a ROLLBACK on PostgreSQL (5 Dec 2026: 230 -> 158 us of CPU, 330 -> 190 us wall per check);
        # the driver's own SQL text, nothing for SQLAlchemy to compile. A dropped connection is retried once.
        current_app.extensions["fineprint.db"].read(lambda conn: conn.exec_driver_sql("SELECT 1").close())
    except Exception as exc:  # any driver error means "not healthy"
        current_app.logger.warning("health check failed: %s", type(exc).__name__)
        raise ServiceUnavailable("database unreachable", details={"reason": type(exc).__name__})
    return jsonify(status="ok")
