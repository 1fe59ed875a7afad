"""Checks the CLI makes on its arguments before any work starts.

    ShopDomain()           a Click type: a shop's *.myshopify.com domain, lowercased ("garbage-é" refused)
    IsoDate()              a Click type: YYYY-MM-DD, a real calendar date ("2025-02-30" and "yesterday" refused)
    utf8_problem(path)     where a policy file stops being UTF-8 (a `file:line:col` problem), else None
    not_utf8(path)         the same as one line: "file X is not UTF-8 text (line L, column C)", else None

The policy loader reads files as UTF-8; a file saved by a Windows editor (Windows-1252) would
otherwise surface as a UnicodeDecodeError from deep inside it. Checking at the edge names the file.
"""
from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import click

from backend.policy import Problem, resolve_path


_ISO_DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


class ShopDomain(click.ParamType):
    name = "SHOP"

    def convert(self, value, param, ctx):
        from backend.shopify.oauth import normalize_shop

        shop = normalize_shop(value)
        if shop is None:
            self.fail(f"{value!r} is not a shop's *.myshopify.com domain", param, ctx)
        return shop


class IsoDate(click.ParamType):
    name = "YYYY-MM-DD"

    def convert(self, value, param, ctx):
        if isinstance(value, date):
            return value
        text = str(value).strip()
        try:
            return date.fromisoformat(text) if _ISO_DAY.fullmatch(text) else self._shape(text, param, ctx)
        except ValueError as exc:
            self.fail(f"{text!r} is not a date: {exc} (expected YYYY-MM-DD, e.g. 2025-02-28)", param, ctx)

    def _shape(self, text, param, ctx):
        self.fail(f"{text!r} is not a date in the form YYYY-MM-DD (e.g. 2025-02-28)", param, ctx)


def utf8_problem(name_or_path: str) -> Problem | None:
    """Where the policy file NAME_OR_PATH stops being UTF-8 text, as a `file:line:col` problem; None when
    it decodes (or cannot be read: the loader says so in its own words)."""
    try:
        data = Path(resolve_path(name_or_path)).read_bytes()
    except OSError:
        return None
    try:
        data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8")) + 1  # in characters
        return Problem(str(name_or_path), line, col,
                       f"not UTF-8 text (byte 0x{data[exc.start]:02x}); save the file as UTF-8")
    return None


def not_utf8(name_or_path: str) -> str | None:
    """"file X is not UTF-8 text ..." for a policy file that cannot be decoded, else None."""
    problem = utf8_problem(name_or_path)
    if problem is None:
        return None
    return (f"file {name_or_path} is not UTF-8 text (line {problem.line}, column {problem.col}); "
            "save it as UTF-8")


def require_utf8(name_or_path: str) -> None:
    problem = not_utf8(name_or_path)
    if problem:
        raise click.ClickException(problem)
