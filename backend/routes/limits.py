"""Bounded request bodies on every route, enforced before anything reads or parses them.

Flask's `MAX_CONTENT_LENGTH` carries the general bound, and `request.max_content_length` (Flask 3.1) the
webhook route's, set per request: Werkzeug answers 413 at once when
`Content-Length` says more, and a chunked body (no `Content-Length`) is read through a limited stream
that raises 413 as soon as it passes the bound, so a worker never holds more than the bound in memory
however the client frames the body.

* `/webhooks`: Shopify delivers payloads up to 1,000,000 bytes; a resource larger than that is sent as a
  minimal `{"id": ...}` body instead (shopify.dev changelog, "Amazon EventBridge webhook payload size
  limit increased to 1 MB", 2026-11-17, which states the bound and the fallback for classic webhooks).
  1 MiB leaves room for the JSON escaping of that text.
* everything else (decision API, admin endpoints, app proxy, OAuth): 1 MiB; a cart of hundreds of lines
  is a few dozen KiB. Both bounds can be changed per deployment (`webhook_max_body`, `max_body`).
"""
from __future__ import annotations

from flask import Blueprint, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

bp = Blueprint("limits", __name__)


WEBHOOKS = "/webhooks"  # the one route with a bound of its own (config.webhook_max_body)


@bp.record_once
def _configure(state) -> None:
    # Every route but the webhook's has one bound: Flask's own MAX_CONTENT_LENGTH setting carries it (read only
    # when a body is), so a request pays for a bound of its own only on the webhook route (issue 19's floor).
    state.app.config["MAX_CONTENT_LENGTH"] = state.app.config["FINEPRINT"].max_body + 1


@bp.before_app_request
def _bound_the_body():
    req = request._get_current_object()  # one context lookup instead of one per attribute
    if req.path.rstrip("/") == WEBHOOKS:
        req.max_content_length = current_app.config["FINEPRINT"].webhook_max_body + 1
    # Werkzeug refuses a Content-Length over the maximum at once, but a chunked body it merely stops
    # reading at the maximum (silently truncated). One byte of headroom (the maximum is the bound + 1) shows a
    # longer body for what it is; it is read here, so every route sees it bounded (get_data returns this copy).
    if req.environ.get("wsgi.input_terminated") and req.content_length is None:
        bound = req.max_content_length - 1
        if len(req.get_data(cache=True)) > bound:
            raise RequestEntityTooLarge(f"the request body is larger than {bound} bytes")
