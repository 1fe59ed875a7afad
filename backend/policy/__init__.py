"""Fineprint's policy engine: rules as data, pure decisions with reasons.

May import: nothing else of the app, nothing from Flask, the database or HTTP; it never reads the clock
(import-linter checks it).
"""
from __future__ import annotations

from backend.policy import native as _native

_native.install()  # first: the modules below load from their compiled build when it is current (native.py)

from datetime import datetime
from pathlib import Path

from backend.policy.compiled import CompiledPolicy, compile_policy
from backend.policy.earlier import earlier_returns
from backend.policy.engine import decide
from backend.policy.errors import PolicyError, Problem, RequestError
from backend.policy.model import Policy
from backend.policy.rules import RULES_DIR, load_policy, load_policy_text, resolve_path

__all__ = ["CompiledPolicy", "Policy", "PolicyError", "Problem", "RequestError", "RULES_DIR", "check_files", "compile_policy", "decide",
           "earlier_returns",
           "load_policy", "load_policy_text", "preset_names", "render_policy", "resolve_path"]


def preset_names() -> list[str]:
    """The policies shipped in policy_rules/ (file stems)."""
    return sorted(p.stem for p in RULES_DIR.glob("*.toml"))


def check_files(paths) -> list[Problem]:
    """Errors and lint warnings for each policy file, in order."""
    from backend.policy.lint import lint

    problems: list[Problem] = []
    for path in paths:
        try:
            problems.extend(lint(load_policy(path)))
        except PolicyError as exc:
            problems.extend(exc.problems)
    return problems


def render_policy(policy: Policy, now: datetime) -> str:
    """The shopper-facing policy page (Markdown), generated from the rules, as of `now` (aware datetime)."""
    from backend.policy.render import render

    return render(policy, now)
