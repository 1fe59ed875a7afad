"""The shopper-facing policy page of a policy, as Markdown and as HTML.

One converter for every surface (the admin's copyable page and the storefront's
app-proxy page): markdown-it-py in CommonMark mode with raw HTML off, so text
from a policy file is escaped and `javascript:` links are dropped.
"""
from __future__ import annotations

from markdown_it import MarkdownIt

from backend import policy as engine

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False, "typographer": False})
_pages: dict[tuple, dict] = {}


def to_html(markdown: str) -> str:
    return _markdown.render(markdown)


def page(policy) -> dict:
    """`{"markdown", "html"}` for `policy`; cached per policy version (policies are immutable)."""
    key = (policy.name, policy.version)
    if key not in _pages:
        if len(_pages) > 64:
            _pages.clear()
        text = engine.render_policy(policy)
        _pages[key] = {"markdown": text, "html": to_html(text)}
    return dict(_pages[key])
