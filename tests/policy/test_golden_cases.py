"""Every story in policy_rules/cases/<policy>/<story>.json: the request, and the decision fragment it must give.

A fragment matches when every key it names matches (lists: same length, item by item).
On failure the message names the rules that shaped each line, so the author sees why.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest

from backend.policy import RequestError, decide, load_policy

CASES_DIR = Path(__file__).resolve().parents[2] / "policy_rules" / "cases"
EXAMPLES_DIR = CASES_DIR.parent / "examples"  # one policy per real store (issue 14); cases/<store>/ beside the presets'
CASES = sorted(CASES_DIR.glob("*/*.json"))
DEFAULT_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)


def mismatches(expected, actual, path="$") -> list[str]:
    if isinstance(expected, dict):
        if not isinstance(actual, dict):
            return [f"{path}: expected an object, got {actual!r}"]
        out = []
        for key, value in expected.items():
            if key not in actual:
                out.append(f"{path}.{key}: missing")
            else:
                out.extend(mismatches(value, actual[key], f"{path}.{key}"))
        return out
    if isinstance(expected, list):
        if not isinstance(actual, list) or len(actual) != len(expected):
            return [f"{path}: expected {expected!r}, got {actual!r}"]
        return [m for i, (e, a) in enumerate(zip(expected, actual)) for m in mismatches(e, a, f"{path}[{i}]")]
    return [] if expected == actual else [f"{path}: expected {expected!r}, got {actual!r}"]


def rule_ids(decision: dict) -> str:
    return "; ".join(f"line {ln['line_item_id']} ({ln['class']}): {', '.join(r['rule'] for r in ln['reasons'])}"
                     for ln in decision.get("lines", []))


def policy_for(name: str):
    """A preset by name, or the example policy of that store."""
    example = EXAMPLES_DIR / f"{name}.toml"
    return load_policy(example if example.exists() else name)


@pytest.mark.parametrize("path", CASES, ids=[f"{p.parent.name}/{p.stem}" for p in CASES])
def test_golden_case(path: Path):
    case = json.loads(path.read_text())
    policy = policy_for(path.parent.name)
    now = datetime.fromisoformat(case["now"]) if "now" in case else DEFAULT_NOW
    if "expect_error" in case:
        with pytest.raises(RequestError) as caught:
            decide(policy, case["request"], now)
        assert sorted({e["field"] for e in caught.value.errors}) == sorted(case["expect_error"]), case["description"]
        return
    decision = decide(policy, case["request"], now)
    problems = mismatches(case["expect"], decision)
    assert not problems, (f"{case['description']}\n  rules: {rule_ids(decision)}\n  " + "\n  ".join(problems))


def test_every_preset_has_golden_cases():
    assert {p.parent.name for p in CASES} >= {"ally", "aallyn", "novus"}


def test_every_example_policy_has_golden_cases():
    examples = {p.stem for p in EXAMPLES_DIR.glob("*.toml")}
    assert examples and examples <= {p.parent.name for p in CASES}
