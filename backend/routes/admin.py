"""The embedded admin: `GET /app` (the document App Bridge loads) and the JSON/HTML calls its page makes.

Every call below the document carries a session token (`Authorization: Bearer`,
from `shopify.idToken()`; in demo mode from the simulated admin, see services/admin/demo.py). Routes
parse, call one service, serialize; the page's sections are the partials in
templates/admin/, rendered by `services.admin.page`.
"""
from __future__ import annotations

from flask import Blueprint, current_app, g, jsonify, make_response, request

from backend.errors import ValidationError
from backend.routes import inputs
from backend.routes.guards import embedded_admin_page, extension_token_required, session_token_required
from backend.services.admin import page as admin_page
from backend.services.admin import views as admin_views
from backend.services.decisions import backtest
from backend.services.decisions import policies
from backend.services.admin import settings
from backend.shopify.sessions import CHECKOUT

bp = Blueprint("admin", __name__)
BACKTEST_MAX = 1000  # orders replayed per backtest request


def _app():
    return current_app._get_current_object()


def _config():
    return current_app.config["FINEPRINT"]


def _user() -> str | None:
    return g.session.user_id


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("expected a JSON object body")
    return body


@bp.get("/app")
@embedded_admin_page
def page():
    return admin_page.document(_app(), g.shop, g.session, request.args)


@bp.get("/app/api/sections/<name>")
@session_token_required
def section(name):
    return admin_page.section(_app(), g.shop, name, request.args)


@bp.get("/app/api/policy/source")
@session_token_required
def policy_source():
    inputs.integer(request.args, "version")  # a version id, or a 422 (never int("abc") in the service)
    return jsonify(admin_page.source(_app(), g.shop, request.args))


@bp.post("/app/api/policy/check")
@session_token_required
def policy_check():
    return jsonify(policies.check_text(inputs.text(_body(), "text", "")))


@bp.post("/app/api/policy/backtest")
@session_token_required
def policy_backtest():
    body = _body()
    return jsonify(backtest.backtest(_app(), g.shop, inputs.text(body, "text", ""),
                                     inputs.integer(body, "limit", 50, high=BACKTEST_MAX)))


@bp.post("/app/api/policy/activate")
@session_token_required
def policy_activate():
    body = _body()
    row = admin_page.activate_draft(_app(), g.shop, inputs.text(body, "text", ""), inputs.text(body, "backtested"),
                                    inputs.identifier(body, "based_on"), _user())
    return jsonify(admin_page.version_json(row))


@bp.post("/app/api/policy/versions/<int:vid>/activate")
@session_token_required
def version_activate(vid):
    return jsonify(admin_page.version_json(policies.activate(_app(), g.shop, vid, _user())))


@bp.post("/app/api/policy/rollback")
@session_token_required
def policy_rollback():
    return jsonify(admin_page.version_json(policies.rollback(_app(), g.shop, _user())))


@bp.post("/app/api/preview")
@session_token_required
def preview():
    body = _body()
    sample = body.get("sample")
    if sample is not None and not isinstance(sample, (str, dict)):
        raise ValidationError("`sample` must be an order (JSON object or text)",
                              details=[{"field": "sample", "message": "must be an object or a string"}])
    return jsonify(backtest.preview(_app(), g.shop, order_id=inputs.identifier(body, "order_id"), sample=sample,
                                    text=inputs.text(body, "text") or None,
                                    return_as=inputs.text(body, "return_as") or None))


@bp.get("/app/api/compliance/reports/<int:record_id>")
@session_token_required
def data_request_report(record_id):
    """A customer data request's report, as a JSON file the merchant downloads and hands to the customer."""
    from backend.services.compliance import reports as compliance_reports

    response = jsonify(compliance_reports.document(current_app.extensions["fineprint.db"], g.shop, record_id))
    response.headers["Content-Disposition"] = f'attachment; filename="data-request-{record_id}.json"'
    response.headers["Cache-Control"] = "no-store"  # personal data: never kept by a cache
    return response


@bp.post("/app/api/jobs/<int:job_id>/retry")
@session_token_required
def retry_job(job_id):
    job = admin_views.retry_job(_app(), g.shop, job_id)
    return jsonify(id=job.id, status=job.status, attempts=job.attempts)


@bp.post("/app/api/settings")
@session_token_required
def save_settings():
    body = _body()
    inputs.mapping_of_text(body, "tag_names"), inputs.flag(body, "block_po_boxes")
    inputs.identifier(body, "protection_variant_id")
    settings.save(current_app.extensions["fineprint.db"], g.shop, body, _user())
    return jsonify(settings.view(current_app.extensions["fineprint.db"], g.shop))


@bp.get("/api/v1/shop-settings")
def shop_settings():
    """What extensions need of the settings (the checkout's protection toggle: the variant; may it block P.O.
    boxes). A checkout extension's token (no `iss`) or staff's App Bridge token. CORS open: the API
    blueprint answers every preflight under /api/v1/ and adds the CORS headers (routes/api.py)."""
    return _shop_settings()


@extension_token_required(CHECKOUT)
def _shop_settings():
    config = settings.get(current_app.extensions["fineprint.db"], g.shop).as_json()
    return make_response(jsonify(checkout={"block_po_boxes": config["block_po_boxes"]},
                                 protection_variant_id=config["protection_variant_id"],
                                 tag_names=config["tag_names"]))
