"""Every `fineprint ...` command (and its alias `flask --app app ...`) answers bad input with one clear line and
exit status 1, never a traceback."""
from __future__ import annotations

import click
import pytest
import sqlalchemy as sa
from sqlmodel import select

from backend import create_app
from backend.cli import edge
from backend.cli.main import AppHome, cli
from devshop.net import free_port
from backend.policy import RULES_DIR
from backend.store import migrate
from backend.store.models import Shop
from tests.integration.edge_helpers import install_shop

SHOP = "cli-errors.myshopify.com"
COMMENT = "# Politique de retour — révisée\n"
DASH_COLUMN = COMMENT.index("—") + 1  # 23: the first byte that is not UTF-8
NOT_OURS = {"run", "shell", "routes", "serve", "worker"}  # Flask's own, and serve.py (make run)
GARBAGE = [["--no-such-option"], ["garbage-\u00e9"], ["garbage-\u00e9", "--since", "yesterday", "extra"]]


@pytest.fixture
def db(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture
def app(db, tmp_path):
    app = create_app({"database_url": db, "huey_immediate": True, "testing": True,
                      "admin_origin": f"http://127.0.0.1:{free_port()}/{{shop}}",  # nothing listens there
                      "backfill_dir": str(tmp_path / "backfill")})
    yield app
    app.extensions["fineprint.db"].dispose()


class EntryRunner:
    """Invokes one entry point: the `fineprint` script's group (handed the test app) or the app's `flask` CLI."""

    def __init__(self, app, entry: str):
        self.runner = app.test_cli_runner()
        self.root = cli if entry == "fineprint" else app.cli
        self.extra = {"obj": AppHome(lambda: app)} if entry == "fineprint" else {}

    def invoke(self, args, input=None):
        return self.runner.invoke(self.root, args=args, input=input, **self.extra)


@pytest.fixture(params=["fineprint", "flask"])
def runner(request, app):
    return EntryRunner(app, request.param)


@pytest.fixture
def windows_1252_policy(tmp_path):
    """A real preset, with a merchant's comment, saved by an editor as Windows-1252 ("—" is byte 0x97)."""
    text = COMMENT + (RULES_DIR / "aallyn.toml").read_text(encoding="utf-8")
    path = tmp_path / "mine.toml"
    path.write_bytes(text.encode("cp1252", errors="replace"))
    return str(path)


def one_error_line(result) -> str:
    assert result.exit_code == 1, result.output
    assert isinstance(result.exception, SystemExit), result.exception
    assert "Traceback" not in result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    return lines[0]


@pytest.mark.parametrize("args", [
    ["policy", "check", "{path}"],
    ["policy", "render", "{path}"],
    ["policy", "decide", "--policy", "{path}"],
    ["shops", "set-policy", SHOP, "{path}"],
])
def test_a_policy_file_saved_as_windows_1252_is_named_not_a_traceback(runner, app, windows_1252_policy, args):
    install_shop(app, SHOP)
    result = runner.invoke(args=[a.replace("{path}", windows_1252_policy) for a in args], input="{}")
    line = one_error_line(result)
    assert windows_1252_policy in line and "not UTF-8 text" in line
    assert f"line 1, column {DASH_COLUMN}" in line or f"{windows_1252_policy}:1:{DASH_COLUMN}:" in line


def test_check_reports_the_file_that_is_not_utf8_and_still_checks_the_others(runner, windows_1252_policy):
    result = runner.invoke(args=["policy", "check", windows_1252_policy, str(RULES_DIR / "ally.toml")])
    assert result.exit_code == 1 and "Traceback" not in result.output
    assert result.output.splitlines()[0].startswith(f"{windows_1252_policy}:1:{DASH_COLUMN}: not UTF-8 text (byte 0x97)")
    assert "ally.toml" in result.output  # its lint warnings are still reported


@pytest.mark.parametrize("since, says", [
    ("2025-02-30", "'2025-02-30' is not a date: day is out of range for month"),
    ("yesterday", "'yesterday' is not a date in the form YYYY-MM-DD"),
    ("2025/02/28", "'2025/02/28' is not a date in the form YYYY-MM-DD"),
])
def test_backfill_since_must_be_a_calendar_date(runner, app, since, says):
    install_shop(app, SHOP)
    line = one_error_line(runner.invoke(args=["orders", "backfill", SHOP, "--since", since]))
    assert says in line and "--since" in line


def test_backfill_of_a_shop_that_cannot_be_reached_is_one_line(runner, app):
    install_shop(app, SHOP)
    _grant_all_orders(app, SHOP)  # else the 60-day notes (a shop without read_all_orders) come first
    assert runner.invoke(args=["shops", "set-policy", SHOP, "ally"]).exit_code == 0
    line = one_error_line(runner.invoke(args=["orders", "backfill", SHOP]))
    assert line.startswith("Error: ") and SHOP in line and "network error" in line


def _grant_all_orders(app, domain: str) -> None:
    with app.extensions["fineprint.db"].session() as s:
        shop = s.exec(select(Shop).where(Shop.domain == domain)).one()
        shop.scopes += ",read_all_orders"
        s.add(shop)
        s.commit()


def test_backfill_of_an_unknown_shop_is_one_line(runner):
    line = one_error_line(runner.invoke(args=["orders", "backfill", "nobody.myshopify.com"]))
    assert line == "Error: unknown shop nobody.myshopify.com"


def _tables(url: str) -> set[str]:
    engine = sa.create_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_downgrade_to_an_unknown_revision_is_refused_before_anything_changes(runner, db):
    before = _tables(db)
    line = one_error_line(runner.invoke(args=["db", "downgrade", "nosuchrev", "--yes"]))
    assert "unknown revision 'nosuchrev'" in line and "0001" in line
    assert _tables(db) == before


def test_downgrade_without_a_target_asks_and_a_no_keeps_every_table(runner, db):
    before = _tables(db)
    result = runner.invoke(args=["db", "downgrade"], input="n\n")
    assert result.exit_code == 1
    assert "This drops every table and all data" in result.output and "Aborted" in result.output
    assert _tables(db) == before and before


def test_downgrade_with_yes_empties_the_database(runner, db):
    result = runner.invoke(args=["db", "downgrade", "--yes"])
    assert result.exit_code == 0, result.output
    assert _tables(db) == set()


def _commands(group: click.Group, path=()):
    for name in group.list_commands(None):
        if not path and name in NOT_OURS:
            continue
        command = group.get_command(None, name)
        if isinstance(command, click.Group):
            yield from _commands(command, path + (name,))
        else:
            yield path + (name,), command


def test_every_command_answers_garbage_arguments_with_one_line_and_status_1(runner):
    walked = list(_commands(runner.root))
    assert {("db", "downgrade"), ("orders", "backfill"), ("policy", "check"), ("demo",)} <= {p for p, _ in walked}
    for path, command in walked:
        assert isinstance(command, edge.Command), f"{' '.join(path)} is not an edge.Command"
        for garbage in GARBAGE:
            result = runner.invoke(args=[*path, *garbage], input="")
            one_error_line(result)


def test_the_policy_service_refuses_a_windows_1252_file_with_a_clear_error(app, windows_1252_policy):
    from backend.services.decisions import policies

    install_shop(app, SHOP)
    with pytest.raises(policies.InvalidPolicy, match="is not UTF-8 text"):
        policies.set_policy(app, SHOP, windows_1252_policy, "test")
