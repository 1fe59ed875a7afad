"""One error tree, one JSON envelope: {"error": {"code", "message", "details"}}.

Services raise `AppError` subclasses; routes never build error bodies by hand.
"""
from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class AppError(Exception):
    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, details=None, code: str | None = None,
                 status: int | None = None, headers: dict | None = None):
        super().__init__(message)
        self.message = message
        self.details = details
        self.code = code or self.code
        self.status = status or self.status
        self.headers = headers or {}


class ValidationError(AppError):
    status = 422
    code = "invalid_request"


class Unauthorized(AppError):
    status = 401
    code = "unauthorized"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    status = 409
    code = "conflict"


class ServiceUnavailable(AppError):
    status = 503
    code = "unavailable"


def envelope(code: str, message: str, details=None, status: int = 400, headers=None):
    body = {"error": {"code": code, "message": message, "details": details}}
    return jsonify(body), status, headers or {}


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(AppError)
    def _app_error(err: AppError):
        return envelope(err.code, err.message, err.details, err.status, err.headers)

    @app.errorhandler(HTTPException)
    def _http_error(err: HTTPException):
        code = (err.name or "error").lower().replace(" ", "_")
        headers = dict(err.get_headers()) if err.code == 405 else {}
        headers.pop("Content-Type", None)
        return envelope(code, err.description or err.name, None, err.code or 500, headers)

    @app.errorhandler(Exception)
    def _unhandled(err: Exception):
        log.exception("unhandled error")
        return envelope("internal_error", "Something went wrong on our side; it has been logged.", None, 500)
