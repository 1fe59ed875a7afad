"""The shopper-facing policy page of a shop's active policy, as Markdown and as HTML to paste
into Shopify's policy settings. The Markdown comes from `policy.render`; the HTML converter
covers what it produces (headings, paragraphs, bullet lists, **bold**, *italic*)."""
from __future__ import annotations

import re
from html import escape

_BULLET = re.compile(r"^\s*[-*]\s+")
_BOLD = re.compile(r"\*\*(.+?)\*\*")
_ITALIC = re.compile(r"(?<![*\w])\*(?!\s)(.+?)(?<!\s)\*(?![*\w])")


def _inline(text: str) -> str:
    return _ITALIC.sub(r"<em>\1</em>", _BOLD.sub(r"<strong>\1</strong>", escape(text, quote=False)))


def to_html(markdown: str) -> str:
    out: list[str] = []
    in_list = False
    paragraph: list[str] = []

    def flush():
        nonlocal in_list
        if paragraph:
            out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
            paragraph.clear()
        if in_list:
            out.append("</ul>")
            in_list = False

    for raw in markdown.splitlines():
        line = raw.rstrip()
        heading = re.match(r"^(#{1,6})\s+(.*)$", line)
        if heading:
            flush()
            level = len(heading.group(1))
            out.append(f"<h{level}>{_inline(heading.group(2))}</h{level}>")
        elif _BULLET.match(line):
            if paragraph:
                out.append(f"<p>{_inline(' '.join(paragraph))}</p>")
                paragraph.clear()
            if not in_list:
                out.append("<ul>")
                in_list = True
            out.append(f"<li>{_inline(_BULLET.sub('', line))}</li>")
        elif not line.strip():
            flush()
        else:
            if in_list:
                out.append("</ul>")
                in_list = False
            paragraph.append(line.strip())
    flush()
    return "\n".join(out)


def page(policy) -> dict:
    from backend.policy import render_policy

    markdown = render_policy(policy)
    return {"markdown": markdown, "html": to_html(markdown)}
