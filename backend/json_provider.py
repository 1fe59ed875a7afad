"""Flask's JSON responses encoded with orjson (issue 19: the decision API's answer is encoded on every cart
change; orjson, a maintained C library, encodes it several times faster than the standard library).

Output stays what Flask's default provider gives for the types our routes return: compact separators,
keys in insertion order, UTF-8 text, and Flask's own conversions for what orjson would render differently
(dates and datetimes as HTTP dates, Decimal and UUID as strings: `DefaultJSONProvider.default`). A call
with options orjson lacks (indent, sort_keys, ...) and parsing are left to the standard library: requests
are parsed where they are read (the decision API keeps numbers exact with `parse_float`).
"""
from __future__ import annotations

import typing as t

import orjson
from flask.json.provider import DefaultJSONProvider

# Datetimes and dataclasses go through Flask's default(): the same text as before (HTTP dates, asdict);
# non-string keys (ints) are written as strings, as json.dumps does.
_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS | orjson.OPT_NON_STR_KEYS


class OrjsonProvider(DefaultJSONProvider):
    sort_keys = False

    def dumps(self, obj: t.Any, **kwargs: t.Any) -> str:
        if kwargs or self.sort_keys:
            return super().dumps(obj, **kwargs)
        try:
            return orjson.dumps(obj, default=self.default, option=_OPTIONS).decode()
        except orjson.JSONEncodeError:  # e.g. an int beyond 64 bits, echoed in a 422's details
            return super().dumps(obj, **kwargs)

    def response(self, *args: t.Any, **kwargs: t.Any):
        if self.compact is False or (self.compact is None and self._app.debug) or self.sort_keys:
            return super().response(*args, **kwargs)  # pretty-printed: the standard library's indent
        obj = self._prepare_response_obj(args, kwargs)
        try:
            body = orjson.dumps(obj, default=self.default, option=_OPTIONS | orjson.OPT_APPEND_NEWLINE)
        except orjson.JSONEncodeError:  # what orjson refuses (an int beyond 64 bits) the standard library writes
            return super().response(*args, **kwargs)
        return self._app.response_class(body, mimetype=self.mimetype)
