"""The policy builder's calls (the admin page's Policy section, "Builder" view). Session token required.

    POST /app/api/policy/builder            {text}               -> {html, ok, check}
    POST /app/api/policy/builder/edit       {text, edits: [...]} -> {text, html, ok, check}
    POST /app/api/policy/builder/sentences  {text, written}      -> {sentences, rules, implemented, total}

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


def _answer(source: str, **extra):
    form = builder.open_form(source)
    html = render_template("admin/_builder.html", form=form, class_labels=CLASS_LABELS,
                           choice_labels=CHOICE_LABELS)
    return jsonify(html=html, ok=form["ok"], check=form["check"], **extra)


@bp.post("/app/api/policy/builder")
@session_token_required
def open_builder():
    return _answer(inputs.text(_body(), "text", ""))


@bp.post("/app/api/policy/builder/edit")
@session_token_required
def edit():
    body = _body()
    text = builder.apply(inputs.text(body, "text", ""), body.get("edits"))
    return _answer(text, text=text)


@bp.post("/app/api/policy/builder/sentences")
@session_token_required
def sentences():
    body = _body()
    return jsonify(builder.sentences(inputs.text(body, "written", ""), inputs.text(body, "text", "")))
