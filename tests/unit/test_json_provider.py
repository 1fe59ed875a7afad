"""The app's JSON answers (orjson) read as Flask's default provider wrote them."""
from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import date, datetime, timezone
from decimal import Decimal

import pytest
from flask import Flask
from flask.json.provider import DefaultJSONProvider

from backend.json_provider import OrjsonProvider


@dataclass
class _Point:
    x: int
    label: str


SAMPLES = [
    {"b": 1, "a": [1, 2.5, None, True], "ü": "snow ☃", "nested": {"z": {}, "y": []}},
    {"when": datetime(2024, 11, 20, 9, 30, tzinfo=timezone.utc), "day": date(2024, 12, 16)},
    {"amount": Decimal("280.00"), "id": uuid.UUID("12345678-1234-5678-1234-567812345678")},
    {"point": _Point(1, "a"), 7: "int key"},
    {"huge": 10**19 + 7, "negative": -(2**70)},  # beyond 64 bits: the standard library writes it
]


def _apps():
    new, old = Flask("new"), Flask("old")
    new.json = OrjsonProvider(new)
    old.json = DefaultJSONProvider(old)
    old.json.sort_keys = False
    return new, old


@pytest.mark.parametrize("obj", SAMPLES)
def test_dumps_matches_flasks_default(obj):
    new, old = _apps()
    assert json.loads(new.json.dumps(obj)) == json.loads(old.json.dumps(obj))
    assert list(json.loads(new.json.dumps(obj))) == [str(k) for k in obj]  # insertion order kept


@pytest.mark.parametrize("obj", SAMPLES)
def test_response_matches_flasks_default(obj):
    new, old = _apps()
    with new.app_context():
        got = new.json.response(obj)
    with old.app_context():
        want = old.json.response(obj)
    assert got.mimetype == want.mimetype == "application/json"
    assert got.get_data().endswith(b"\n")
    assert json.loads(got.get_data()) == json.loads(want.get_data())


def test_options_orjson_lacks_fall_back_to_the_standard_library():
    new, _ = _apps()
    assert new.json.dumps({"b": 1, "a": 2}, indent=2, sort_keys=True) == '{\n  "a": 2,\n  "b": 1\n}'


def test_an_unencodable_value_is_still_a_type_error():
    new, _ = _apps()
    with pytest.raises(TypeError):
        new.json.dumps({"x": object()})
