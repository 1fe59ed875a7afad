"""Relay connections and Shopify's search syntax (`query:` argument) over in-memory lists."""
from __future__ import annotations

import base64
import re
from datetime import datetime
from zoneinfo import ZoneInfo

from graphql import GraphQLError

MAX_PAGE = 250
_TERM = re.compile(r"""(-?)(\w+):(<=|>=|<|>)?('[^']*'|"[^"]*"|\S+)""")


def cursor_for(item_id: int) -> str:
    return base64.urlsafe_b64encode(f"devshop:{item_id}".encode()).decode()


def _cursor_id(cursor: str) -> int:
    try:
        return int(base64.urlsafe_b64decode(cursor.encode()).decode().split(":", 1)[1])
    except Exception as exc:
        raise GraphQLError(f"Invalid cursor for current pagination sort: {cursor!r}") from exc


def connection(info, views: list, *, first=None, after=None, last=None, before=None, reverse=False, **_):
    """`views` each have `.id_num`; returns the dict a *Connection type resolves from."""
    if reverse:
        views = list(reversed(views))
    bulk = info.context.bulk
    if not bulk:
        if first is None and last is None:
            raise GraphQLError("you must provide one of first or last",
                               extensions={"code": "BAD_REQUEST"})
        for name, value in (("first", first), ("last", last)):
            if value is not None and not 0 <= value <= MAX_PAGE:
                raise GraphQLError(f"The {name} argument is limited to {MAX_PAGE}.")
    ids = [v.id_num for v in views]
    start, end = 0, len(views)
    if after:
        aid = _cursor_id(after)
        start = ids.index(aid) + 1 if aid in ids else len(views)
    if before:
        bid = _cursor_id(before)
        end = ids.index(bid) if bid in ids else end
    window = views[start:end]
    if not bulk and first is not None:
        window = window[:first]
    elif not bulk and last is not None:
        window = window[-last:] if last else []
    lo = start + (views[start:end].index(window[0]) if window else 0)
    return {
        "edges": [{"node": v, "cursor": cursor_for(v.id_num)} for v in window],
        "nodes": window,
        "pageInfo": {
            "hasNextPage": bool(window) and lo + len(window) < len(views),
            "hasPreviousPage": lo > 0,
            "startCursor": cursor_for(window[0].id_num) if window else None,
            "endCursor": cursor_for(window[-1].id_num) if window else None,
        },
    }


def search(items: list, query: str | None, fields: dict, tz: str):
    """Keep items matching every `field:value` / `field:>=value` term; `fields` maps a
    search field to a getter. Unknown fields are ignored, as Shopify does (with a warning)."""
    if not query:
        return items
    terms = [(neg, f, op or ":", v.strip("'\"")) for neg, f, op, v in _TERM.findall(query) if f in fields]
    return [it for it in items if all(_match(fields[f](it), op, v, tz) != bool(neg) for neg, f, op, v in terms)]


def _match(actual, op: str, wanted: str, tz: str) -> bool:
    if isinstance(actual, list):
        return any(str(a).lower() == wanted.lower() for a in actual)
    if isinstance(actual, int):
        a, w = actual, int(wanted.rsplit("/", 1)[-1])
    elif _looks_like_time(wanted):
        a, w = _when(actual, tz), _when(wanted, tz)
        if a is None:
            return False
    else:
        a, w = str(actual or "").lower(), wanted.lower()
        if op == ":":
            return a == w or (w.endswith("*") and a.startswith(w[:-1]))
    return {":": a == w, ">": a > w, ">=": a >= w, "<": a < w, "<=": a <= w}[op]


def _looks_like_time(value: str) -> bool:
    return bool(re.match(r"\d{4}-\d{2}-\d{2}", value))


def _when(value, tz: str) -> datetime | None:
    if not value:
        return None
    stamp = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return stamp if stamp.tzinfo else stamp.replace(tzinfo=ZoneInfo(tz))


def sort_items(items: list, sort_key: str | None, getters: dict) -> list:
    getter = getters.get(sort_key or "ID", getters["ID"])
    return sorted(items, key=lambda it: (getter(it) or "", it.id))
