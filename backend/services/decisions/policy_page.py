"""The shopper-facing policy page of a policy, as Markdown and as HTML.

One converter for every surface (the admin's copyable page and the storefront's
app-proxy page): markdown-it-py in CommonMark mode with raw HTML off, so text
from a policy file is escaped and `javascript:` links are dropped.
"""
from __future__ import annotations

from datetime import datetime

from markdown_it import MarkdownIt

from backend import policy as engine

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_pages: dict[tuple, dict] = {}


def to_html(markdown: str) -> str:
    return _markdown.render(markdown)


def page(policy, now: datetime) -> dict:
    """`{"markdown", "html"}` for `policy` as of `now`; cached per policy version and shop-local day
    (policies are immutable; the page changes only when a dated rule starts or ends)."""
    key = (policy.name, policy.version, now.astimezone(policy.tz).date())
    if key not in _pages:
        if len(_pages) > 64:
            _pages.clear()
        text = engine.render_policy(policy, now)
        _pages[key] = {"markdown": text, "html": to_html(text)}
    return dict(_pages[key])
