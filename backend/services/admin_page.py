"""The admin page's sections: what each shows (context builders) and the document that holds them.

    document(app, shop, session, args) -> HTML of /app (every section; JS shows one at a time)
    section(app, shop, name, args)     -> HTML of one section (the page refreshes a section after a change)
"""
from __future__ import annotations

from datetime import datetime, timezone

from flask import render_template
from sqlmodel import select

from backend.errors import Conflict, NotFound
from backend.services import admin_views, dashboard, demo, policies, policy_page, settings
from backend.store.models import OrderState

SECTIONS = ("policy", "preview", "activity", "dashboard", "settings", "page", "compliance")
TITLES = {"policy": "Policy", "preview": "Preview", "activity": "Activity", "dashboard": "Dashboard",
          "settings": "Settings", "page": "Policy page", "compliance": "Data requests"}


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
    return {"active": row, "active_ref": ref, "active_label": label, "presets": policies.presets(),
            "versions": policies.versions(db, shop),
            "editor_text": text or "", "based_on": (row.based_on if row else ref) or ""}


def _preview_ctx(app, shop: str) -> dict:
    with _db(app).session() as s:
        states = list(s.exec(select(OrderState).where(OrderState.shop_domain == shop)
                             .order_by(OrderState.id.desc()).limit(25)))
    recent = [{"order_id": st.order_id, "created_at": (st.facts or {}).get("created_at", "")[:10],
               "label": ", ".join(ln.get("title") or "" for ln in (st.facts or {}).get("line_items") or [])[:80],
               "tags": st.tags_written, "deadline": st.deadline_written}
              for st in states if (st.facts or {}).get("created_at")]
    return {"recent_orders": recent}


def _activity_ctx(app, shop: str) -> dict:
    db = _db(app)
    return {"decisions": admin_views.recent_decisions(db, shop), "failed_jobs": admin_views.failed_jobs(db, shop),
            "health": admin_views.webhook_health(db, shop)}


def _dashboard_ctx(app, shop: str) -> dict:
    data = dashboard.data(_db(app), shop, datetime.now(timezone.utc).date())
    return {"orders_svg": dashboard.orders_chart(data), "deadlines_svg": dashboard.deadlines_chart(data)}


def _settings_ctx(app, shop: str) -> dict:
    return {"settings": settings.get(_db(app), shop).as_json(), "contract_tags": settings.CONTRACT_TAGS}


def _page_ctx(app, shop: str) -> dict:
    _, ref = policies.active(_db(app), shop)
    if not ref:
        return {"policy_page": None}
    from backend.services.apply_decision import policy_for

    return {"policy_page": policy_page.page(policy_for(ref, app))}


def _compliance_ctx(app, shop: str) -> dict:
    from backend.services import compliance_reports

    return {"data_requests": compliance_reports.listing(_db(app), shop)}


_CONTEXTS = {"policy": _policy_ctx, "preview": _preview_ctx, "activity": _activity_ctx,
             "dashboard": _dashboard_ctx, "settings": _settings_ctx, "page": _page_ctx,
             "compliance": _compliance_ctx}


# ------------------------------------------------------------------ rendering

def document(app, shop: str, session, args) -> str:
    config = app.config["FINEPRINT"]
    ctx = {"shop": shop, "sections": SECTIONS, "titles": TITLES, "api_key": config.api_key,
           "demo": demo.enabled(config), "id_token": session.token, "user": session.user_id}
    for name in SECTIONS:
        ctx.update(_CONTEXTS[name](app, shop))
    return render_template("admin/page.html", **ctx)


def section(app, shop: str, name: str, args) -> str:
    if name not in _CONTEXTS:
        raise NotFound(f"no section {name}")
    return render_template(f"admin/_{name}.html", shop=shop, **_CONTEXTS[name](app, shop))


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
