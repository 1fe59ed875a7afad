"""The engine's fast paths give exactly what the detailed paths give, on seeded random requests.

Fast request reading (fastorder.py) against the per-field reader (request.detailed_request), and the
memoised line outcomes against computing every line afresh, over all presets.
"""
from __future__ import annotations

import copy
import random
from datetime import datetime, timedelta, timezone

import pytest

from backend.policy import RequestError, decide, load_policy, preset_names
from backend.policy import outcomes
from backend.policy import request as request_module
from backend.policy.fastorder import fast_request
from backend.policy.fastread import Unusual
from tests.unit.policy.test_fast_path_requests import odd, well_formed

SEED, COUNT = 20241201, 600
PRESETS = preset_names()


def _outcome(read, data, policy):
    try:
        return read(data, policy.tz, policy.currency)
    except RequestError as exc:
        return ("error", exc.errors)


def _now(rnd: random.Random) -> datetime:
    return datetime(2024, 1, 1, tzinfo=timezone.utc) + timedelta(hours=rnd.randint(0, 3 * 365 * 24))


def _decision(policy, data, now):
    try:
        return decide(policy, data, now)
    except RequestError as exc:
        return ("error", exc.errors)


@pytest.mark.parametrize("name", PRESETS)
def test_well_formed_requests_take_the_fast_path_and_read_the_same(name):
    policy, rnd = load_policy(name), random.Random(SEED)
    for _ in range(COUNT):
        data = well_formed(rnd)
        try:
            fast = fast_request(data, policy.tz, policy.currency)
        except Unusual as exc:
            pytest.fail(f"fast path refused a well-formed request ({exc}): {data}")
        assert fast == request_module.detailed_request(data, policy.tz, policy.currency), data


@pytest.mark.parametrize("name", PRESETS)
def test_odd_requests_read_or_fail_the_same(name):
    policy, rnd = load_policy(name), random.Random(SEED + 1)
    for _ in range(COUNT):
        data = odd(rnd)
        expected = _outcome(request_module.detailed_request, data, policy)
        assert _outcome(request_module.parse_request, data, policy) == expected, data


@pytest.mark.parametrize("name", PRESETS)
def test_decisions_match_the_detailed_reader(name, monkeypatch):
    policy, rnd = load_policy(name), random.Random(SEED + 2)
    cases = [((well_formed if i % 4 else odd)(rnd), _now(rnd)) for i in range(COUNT)]
    fast = [_decision(policy, data, now) for data, now in cases]

    def refuse(*_args):
        raise Unusual("forced")
    monkeypatch.setattr(request_module, "fast_request", refuse)
    assert [_decision(policy, data, now) for data, now in cases] == fast


@pytest.mark.parametrize("name", PRESETS)
def test_memoised_line_outcomes_match_fresh_ones(name, monkeypatch):
    policy, rnd = load_policy(name), random.Random(SEED + 3)
    cases = [(well_formed(rnd), datetime(2024, 12, 1, tzinfo=timezone.utc) + timedelta(days=i % 3))
             for i in range(COUNT)]
    cases += [(data, now) for data, now in cases]  # the second time round, most lines are memo hits
    memoised = [_decision(policy, data, now) for data, now in cases]
    monkeypatch.setattr(outcomes, "enabled", False)
    assert [_decision(policy, data, now) for data, now in cases] == memoised


def test_a_memo_hit_hands_out_fresh_dicts():
    policy, rnd = load_policy("aallyn"), random.Random(SEED + 4)
    data, now = well_formed(rnd), datetime(2024, 12, 1, tzinfo=timezone.utc)
    first = decide(policy, data, now)
    expected = copy.deepcopy(first)
    for line in first["lines"]:
        line["reasons"].clear()
        line["resolutions"]["refund"]["window"] = {"days": -1}
        for verdict in line["resolutions"].values():
            if verdict["window"]:
                verdict["window"]["days"] = -1
        if line["price_adjustment"]:
            line["price_adjustment"]["allowed"] = "changed"
    first["return_protection"]["offered"] = "changed"
    first["shipping"]["rate"] = "changed"
    first["blocked"].append({"rule": "changed"})
    assert decide(policy, data, now) == expected
