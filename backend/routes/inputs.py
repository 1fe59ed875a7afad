"""Typed reads of a JSON body or a query string for the admin routes: a wrong type is a 422 naming the
field, before any service sees it (a service trusts the types it is given; `str(5)` as policy text or
`int("abc")` as a version id must never reach it).
"""
from __future__ import annotations

from backend.errors import ValidationError

MAX_INT = 2 ** 31 - 1  # ids and limits are 32-bit in the database


def _refuse(field: str, message: str):
    return ValidationError(f"`{field}` {message}", details=[{"field": field, "message": message}])


def text(body: dict, field: str, default: str | None = None) -> str | None:
    value = body.get(field)
    if value is None:
        return default
    if not isinstance(value, str):
        raise _refuse(field, "must be a string")
    return value


def integer(source, field: str, default: int | None = None, low: int = 1, high: int = MAX_INT) -> int | None:
    """An integer from a JSON body (a number, not a boolean) or a query string (digits)."""
    value = source.get(field)
    if value is None or value == "":
        return default
    if isinstance(value, str) and value.strip().lstrip("-").isdigit() and len(value.strip()) <= 12:
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise _refuse(field, f"must be a whole number from {low} to {high}")
    return value


def identifier(body: dict, field: str) -> str | None:
    """An id given as a string or a number (a GID or digits)."""
    value = body.get(field)
    if value is None or value == "":
        return None
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise _refuse(field, "must be a string or a number")
    return str(value)


def flag(body: dict, field: str) -> bool | None:
    value = body.get(field)
    if value is None or isinstance(value, bool):
        return value
    raise _refuse(field, "must be true or false")


def mapping_of_text(body: dict, field: str) -> dict | None:
    value = body.get(field)
    if value is None:
        return None
    if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
        raise _refuse(field, "must be an object of strings")
    return value
