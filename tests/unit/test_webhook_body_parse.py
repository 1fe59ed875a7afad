"""The webhook body parser (orjson first) accepts and refuses exactly what the standard library does."""
from __future__ import annotations

import json

import pytest

from backend.routes.webhooks import _parsed

ACCEPTED = [
    '{"id": 820982911946154508, "email": "jon@example.com", "note": "snow \\u2603"}'.encode(),
    '{"id": 1}'.encode("utf-16"),  # json.loads detects UTF-16/32; orjson reads only UTF-8
    b'{"big": 123456789012345678901234567890}',
    b'[]',
]
REFUSED = [b'{"a": NaN', b"\xff\xfe\x00", b"[" * 100_000 + b"]" * 100_000, b'{"a": 1,}']


@pytest.mark.parametrize("raw", ACCEPTED)
def test_what_the_standard_library_reads_is_read(raw):
    assert json.loads(json.dumps(_parsed(raw))) is not None
    assert type(_parsed(raw)) is type(json.loads(raw))


@pytest.mark.parametrize("raw", REFUSED)
def test_what_the_standard_library_refuses_is_refused(raw):
    with pytest.raises((ValueError, RecursionError)):
        json.loads(raw)
    with pytest.raises((ValueError, RecursionError)):
        _parsed(raw)
