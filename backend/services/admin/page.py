"""The admin page's sections: what each shows (context builders) and the document that holds them.

    document(app, shop, session, args) -> HTML of /app (every section; JS shows one at a time)
    section(app, shop, name, args)     -> HTML of one section (the page refreshes a section after a change)
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import render_template

from backend.errors import AppError, Conflict, NotFound
from backend.policy import PolicyError
from backend.services.admin import views as admin_views
from backend.services.decisions import backtest
from backend.services.admin import dashboard
from backend.services.admin import demo
from backend.services.install import order_access
from backend.services.decisions import policies
from backend.services.decisions import policy_page
from backend.services.admin import returns_view
from backend.services.admin import settings
from backend.services.admin.format import Store, line_titles
from backend.store import order_states

SECTIONS = ("policy", "preview", "returns", "activity", "dashboard", "settings", "page", "compliance")
TITLES = {"policy": "Policy", "preview": "Preview", "activity": "Activity", "dashboard": "Dashboard",
          "settings": "Settings", "page": "Policy page", "compliance": "Data requests", "returns": "Returns"}


def _db(app):
    return app.extensions["fineprint.db"]


def version_json(row) -> dict:
    return {"id": row.id, "name": row.name, "version": row.version, "based_on": row.based_on,
            "created_by": row.created_by, "created_at": _iso(row.created_at),
            "activated_at": _iso(row.activated_at), "activated_by": row.activated_by}


def _iso(value):
    return value.isoformat() if value else None


# ------------------------------------------------------------ section contexts

def _policy_ctx(app, shop: str) -> dict:
    db = _db(app)
    row, ref = policies.active(db, shop)
    text, label = policies.active_source(db, shop)
    previous = policies.previous_version(db, shop)
    return {"active": row, "active_ref": ref, "active_label": label, "presets": policies.presets(),
            "versions": policies.versions(db, shop), "previous": previous,
            "editor_text": text or "", "based_on": (row.based_on if row else ref) or ""}


def _preview_ctx(app, shop: str) -> dict:
    store = _store(app, shop)
    states = order_states.recent(_db(app), shop, 25)
    recent = [{"order_id": st.order_id, "name": store.order_name(st.facts, st.order_id),
               "created_at": store.day(st.facts["created_at"]),
               "label": ", ".join(line_titles(st.facts).values())[:80],
               "tags": st.tags_written, "deadline": st.deadline_written}
              for st in states if (st.facts or {}).get("created_at")]
    return {"recent_orders": recent, "resolutions": backtest.RESOLUTIONS}


def _activity_ctx(app, shop: str) -> dict:
    db = _db(app)
    return {"decisions": admin_views.recent_decisions(db, shop), "failed_jobs": admin_views.failed_jobs(db, shop),
            "health": admin_views.webhook_health(db, shop),
            "return_activity": returns_view.activity(app, shop, limit=20)}


def _store(app, shop: str) -> Store:
    """The shop's zone for every time on the page (its active policy's, when Shopify's is unknown)."""
    _, ref = policies.active(_db(app), shop)
    policy = None
    if ref:
        from backend.services.orders.apply_decision import policy_for

        try:
            policy = policy_for(ref, app)
        except (PolicyError, AppError):  # a policy that no longer loads still leaves the page readable (UTC)
            policy = None
    return Store.for_shop(_db(app), shop, policy)


def _dashboard_ctx(app, shop: str) -> dict:
    return {"charts": dashboard.data(_db(app), shop, datetime.now(timezone.utc).date())}


def _settings_ctx(app, shop: str) -> dict:
    return {"settings": settings.view(_db(app), shop), "contract_tags": settings.CONTRACT_TAGS,
            "order_access": order_access.for_shop(_db(app), shop, datetime.now(timezone.utc).date())}


def _page_ctx(app, shop: str) -> dict:
    _, ref = policies.active(_db(app), shop)
    if not ref:
        return {"policy_page": None}
    from backend.services.orders.apply_decision import policy_for

    return {"policy_page": policy_page.page(policy_for(ref, app), datetime.now(timezone.utc))}


def _compliance_ctx(app, shop: str) -> dict:
    from backend.services.compliance import reports as compliance_reports

    return {"data_requests": compliance_reports.listing(_db(app), shop)}


def _returns_ctx(app, shop: str) -> dict:
    from flask import has_request_context, request

    return returns_view.context(app, shop, request.args if has_request_context() else None)


_CONTEXTS = {"returns": _returns_ctx, "policy": _policy_ctx, "preview": _preview_ctx, "activity": _activity_ctx,
             "dashboard": _dashboard_ctx, "settings": _settings_ctx, "page": _page_ctx,
             "compliance": _compliance_ctx}


# ------------------------------------------------------------------ rendering

def document(app, shop: str, session, args) -> str:
    config = app.config["FINEPRINT"]
    ctx = {"shop": shop, "sections": SECTIONS, "titles": TITLES, "api_key": config.api_key,
           "demo": demo.enabled(config), "id_token_url": demo.id_token_url(config), "id_token": session.token, "user": session.user_id,
           "store": _store(app, shop)}
    for name in SECTIONS:
        ctx.update(_CONTEXTS[name](app, shop))
    return render_template("admin/page.html", **ctx)


def section(app, shop: str, name: str, args) -> str:
    if name not in _CONTEXTS:
        raise NotFound(f"no section {name}")
    return render_template(f"admin/_{name}.html", shop=shop, store=_store(app, shop), **_CONTEXTS[name](app, shop))


def source(app, shop: str, args) -> dict:
    """The text to load into the editor: a preset, a stored version, or the active policy."""
    db = _db(app)
    if args.get("preset"):
        name = args["preset"]
        if name not in policies.presets():
            raise NotFound(f"no preset {name}", code="unknown_policy")
        return {"text": policies.file_source(name), "based_on": name}
    if args.get("version"):
        row = policies.get_version(db, shop, int(args["version"]))
        return {"text": row.source, "based_on": row.based_on or row.name}
    text, label = policies.active_source(db, shop)
    if text is None:
        raise NotFound("this shop has no active policy yet: choose a preset", code="no_policy")
    return {"text": text, "based_on": label}


def activate_draft(app, shop: str, text: str, backtested: str | None, based_on: str | None, user: str | None):
    """Activate the editor's text — only after a backtest of exactly this text."""
    checked = policies.check_text(text)
    if checked["ok"] and backtested != checked["version"]:
        raise Conflict("run a backtest of this text before activating it", code="backtest_required")
    return policies.activate_text(app, shop, text, user, based_on=based_on)
