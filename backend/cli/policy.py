"""`fineprint policy decide|check|render` (contract §1). The only place the policy engine meets the clock.

Imports nothing of the web app (no Flask, no database): these commands start as fast as the engine loads."""
from __future__ import annotations

import json
import sys
from datetime import datetime, timezone
from decimal import Decimal

import click

from backend import policy as engine
from backend.cli.edge import Group
from backend.cli.inputs import require_utf8, utf8_problem

group = Group("policy", help="Decide, check and render return policies.")


class _BadJson:
    def __init__(self, message: str):
        self.message = message


def _documents(text: str) -> list:
    """One JSON document, or JSON Lines (blank lines skipped); a line that is not JSON stays a _BadJson."""
    if not text.strip():
        return []
    try:
        return [json.loads(text, parse_float=Decimal)]
    except ValueError:
        pass
    docs = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            docs.append(json.loads(line, parse_float=Decimal))
        except ValueError as exc:
            docs.append(_BadJson(f"line {number} is not valid JSON: {exc}"))
    return docs


def _error_line(message: str, details: list) -> str:
    return _dumps({"error": {"code": "invalid_request", "message": message, "details": details}})


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _load(name: str, cache: dict):
    if name not in cache:
        problem = utf8_problem(name)
        if problem:
            raise engine.PolicyError([problem])
        cache[name] = engine.load_policy(name)
    return cache[name]


def _decide_one(doc, policy_name: str | None, cache: dict, now: datetime) -> tuple[str, bool]:
    if isinstance(doc, _BadJson):
        return _error_line(doc.message, [{"field": "", "message": doc.message}]), False
    name = policy_name or (doc.get("policy") if isinstance(doc, dict) else None)
    if not isinstance(name, str) or not name:
        message = "no policy: pass --policy or give \"policy\" in the request"
        return _error_line(message, [{"field": "policy", "message": "is required"}]), False
    try:
        return _dumps(engine.decide(_load(name, cache), doc, now)), True
    except engine.RequestError as exc:
        return _error_line("invalid decision request", exc.errors), False


@group.command("decide")
@click.option("--policy", "policy_name", default=None, help="Preset name (ally, aallyn, novus) or policy file path.")
def decide_command(policy_name: str | None) -> None:
    """Read decision requests (JSON or JSON Lines) on stdin; write one decision per line."""
    cache: dict = {}
    if policy_name:
        try:
            _load(policy_name, cache)
        except engine.PolicyError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            sys.exit(1)
    now = datetime.now(timezone.utc)
    ok = True
    for doc in _documents(sys.stdin.read()):
        try:
            line, good = _decide_one(doc, policy_name, cache, now)
        except engine.PolicyError as exc:
            line, good = _error_line(str(exc), [{"field": "policy", "message": str(exc)}]), False
        click.echo(line)
        ok = ok and good
    sys.exit(0 if ok else 1)


@group.command("check")
@click.argument("paths", nargs=-1, required=True)
def check_command(paths: tuple[str, ...]) -> None:
    """Validate policy files; print file:line:col: message per problem (warnings do not fail)."""
    problems = []
    for path in paths:  # one at a time, so a file that is not UTF-8 is reported and the others still checked
        problem = utf8_problem(path)
        problems.extend([problem] if problem else engine.check_files([path]))
    for problem in problems:
        click.echo(str(problem))
    errors = sum(1 for p in problems if p.severity == "error")
    if not problems:
        click.echo(f"{len(paths)} policy file(s) OK")
    sys.exit(1 if errors else 0)


@group.command("render")
@click.argument("name")
def render_command(name: str) -> None:
    """Print the shopper-facing policy page (Markdown) generated from the rules."""
    require_utf8(name)
    try:
        policy = engine.load_policy(name)
    except engine.PolicyError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        sys.exit(1)
    click.echo(engine.render_policy(policy, datetime.now(timezone.utc)), nl=False)
