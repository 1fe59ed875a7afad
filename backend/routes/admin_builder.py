"""The policy builder's calls (the admin page's Policy section, "Builder" view). Session token required.

    POST /app/api/policy/builder            {text, since?}               -> {html, ok, check}
    POST /app/api/policy/builder/edit       {text, edits: [...], since?} -> {text, html, ok, check}
    POST /app/api/policy/builder/sentences  {text, written}              -> {sentences, rules, implemented, total}

A rule whose sentence still quotes a figure its fields said in `since` (the text as the policy was loaded;
for an edit, the text before it when absent) and no longer say is drawn with a stale-sentence warning.

The rule file stays the one source: the builder reads the editor's text and answers the new text.
"""
from __future__ import annotations

from flask import Blueprint, jsonify, render_template, request

from backend.errors import ValidationError
from backend.routes import inputs
from backend.routes.guards import session_token_required
from backend.services.admin import builder
from backend.services.admin.builder_fields import CHOICE_LABELS, CLASS_LABELS

bp = Blueprint("admin_builder", __name__)


def _body() -> dict:
    body = request.get_json(silent=True)
    if not isinstance(body, dict):
        raise ValidationError("expected a JSON object body")
    return body


def _answer(source: str, previous: str | None = None, **extra):
    form = builder.open_form(source, previous)
    html = render_template("admin/_builder.html", form=form, class_labels=CLASS_LABELS,
                           choice_labels=CHOICE_LABELS)
    return jsonify(html=html, ok=form["ok"], check=form["check"], **extra)


@bp.post("/app/api/policy/builder")
@session_token_required
def open_builder():
    body = _body()
    return _answer(inputs.text(body, "text", ""), inputs.text(body, "since"))


@bp.post("/app/api/policy/builder/edit")
@session_token_required
def edit():
    body = _body()
    source = inputs.text(body, "text", "")
    text = builder.apply(source, body.get("edits"))
    return _answer(text, inputs.text(body, "since") or source, text=text)


@bp.post("/app/api/policy/builder/sentences")
@session_token_required
def sentences():
    body = _body()
    return jsonify(builder.sentences(inputs.text(body, "written", ""), inputs.text(body, "text", "")))
