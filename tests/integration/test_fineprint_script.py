"""The `fineprint` console script, as installed in the venv: it runs, `policy decide` loads no web app, and
commands that need the app build it only when they are the one invoked."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[2]
FINEPRINT = Path(sys.executable).with_name("fineprint")  # pip put it beside the venv's python
CASE = ROOT / "policy_rules" / "cases" / "aallyn" / "after_christmas_back_to_one_day.json"
WEB_APP = ("flask", "werkzeug", "sqlalchemy", "sqlmodel", "alembic", "huey", "httpx", "jwt", "cryptography")


@pytest.fixture
def env(tmp_path):
    return {**os.environ, "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}", "APP_ENV": "development"}


def run(args, env, stdin="", importtime=False):
    prefix = [sys.executable, "-X", "importtime", str(FINEPRINT)] if importtime else [str(FINEPRINT)]
    return subprocess.run([*prefix, *args], input=stdin, capture_output=True, text=True, env=env, cwd=ROOT,
                          timeout=120)


def imported(stderr: str) -> set[str]:
    """Top-level packages named by `python -X importtime` ("import time: self | cumulative | name")."""
    names = set()
    for line in stderr.splitlines():
        if line.startswith("import time:") and "|" in line:
            names.add(line.rsplit("|", 1)[1].strip().split(".")[0])
    return names


def test_the_console_script_is_installed_in_the_venv():
    assert FINEPRINT.is_file() and os.access(FINEPRINT, os.X_OK)


def test_policy_decide_answers_a_request_through_the_console_script(env):
    request = json.loads(CASE.read_text())["request"]
    result = run(["policy", "decide", "--policy", "aallyn"], env, stdin=json.dumps(request))
    assert result.returncode == 0, result.stderr
    decision = json.loads(result.stdout)
    assert decision["order_id"] == request["order"]["id"]
    assert decision["shipping"]["ships_by"] == "2024-12-27"  # the golden case's expectation


def test_policy_decide_loads_neither_flask_nor_the_database(env):
    request = json.loads(CASE.read_text())["request"]
    result = run(["policy", "decide", "--policy", "aallyn"], env, stdin=json.dumps(request), importtime=True)
    assert result.returncode == 0, result.stderr
    names = imported(result.stderr)
    assert "backend" in names and "click" in names  # the detector sees what was imported
    assert names.isdisjoint(WEB_APP), sorted(names & set(WEB_APP))


def test_a_command_that_needs_the_app_builds_it_when_invoked(env, tmp_path):
    result = run(["db", "upgrade"], env, importtime=True)
    assert result.returncode == 0, result.stderr
    assert "database at head" in result.stdout
    assert {"flask", "sqlalchemy"} <= imported(result.stderr)
    engine = sa.create_engine(env["DATABASE_URL"])
    try:
        assert "shops" in sa.inspect(engine).get_table_names()
    finally:
        engine.dispose()


def test_a_configuration_the_app_refuses_is_one_line_not_a_traceback(env):
    result = run(["shops", "list"], {**env, "APP_ENV": "production"})
    assert result.returncode == 1
    assert result.stderr.startswith("Error: refusing to start in production") and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["no-such-command"], ["policy", "decide", "--no-such-option"], ["--nope"]])
def test_bad_arguments_to_the_console_script_are_one_line_and_status_1(env, args):
    result = run(args, env)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and result.stderr.startswith("Error: ")


def test_the_bare_script_prints_its_commands(env):
    result = run([], env)
    assert result.returncode == 0
    for command in ("policy", "shops", "orders", "jobs", "db", "serve", "worker", "demo"):
        assert f"  {command} " in result.stdout


def test_the_flask_alias_offers_the_same_commands(tmp_path):
    from backend import create_app
    from backend.cli.main import COMMANDS, cli

    app = create_app({"database_url": f"sqlite:///{tmp_path / 'alias.db'}", "testing": True})
    try:
        for name in COMMANDS:
            assert app.cli.get_command(None, name) is cli.get_command(None, name), name
    finally:
        app.extensions["fineprint.db"].dispose()
