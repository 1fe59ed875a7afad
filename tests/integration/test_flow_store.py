"""Migration 0008 (Flow triggers) goes up and down on SQLite and PostgreSQL, and its unique key holds;
the `flow` CLI group sets a shop's reminder days."""
from datetime import datetime, timezone

import pytest
import sqlalchemy as sa

from backend.store import migrate
from tests import services

ROW = {"shop_domain": "a.myshopify.com", "order_id": "1", "trigger": "return-window-closing",
       "deadline": "2026-12-09", "fire_at": datetime(2026, 12, 6, tzinfo=timezone.utc), "status": "armed",
       "attempts": 0, "created_at": datetime(2026, 12, 1, tzinfo=timezone.utc),
       "updated_at": datetime(2026, 12, 1, tzinfo=timezone.utc)}


def _tables(engine):
    return set(sa.inspect(engine).get_table_names())


def _roundtrip(url):
    migrate.upgrade(url)
    engine = sa.create_engine(url)
    try:
        assert {"flow_triggers", "flow_settings"} <= _tables(engine)
        table = sa.Table("flow_triggers", sa.MetaData(), autoload_with=engine)
        with engine.begin() as conn:
            conn.execute(table.insert().values(ROW))
        with pytest.raises(sa.exc.IntegrityError), engine.begin() as conn:
            conn.execute(table.insert().values(ROW))  # once per shop, order, trigger and deadline
        with engine.begin() as conn:
            conn.execute(table.insert().values({**ROW, "deadline": "2026-12-10"}))  # a new deadline is a new row
        migrate.downgrade(url, "0007")
        assert not {"flow_triggers", "flow_settings"} & _tables(engine)
        assert "order_states" in _tables(engine)
        migrate.upgrade(url)
        assert {"flow_triggers", "flow_settings"} <= _tables(engine)
    finally:
        engine.dispose()


def test_flow_migration_goes_up_and_down_on_sqlite(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'flow.db'}")


@pytest.mark.postgres
def test_flow_migration_goes_up_and_down_on_postgres():
    schema, url = services.create_postgres_schema()
    try:
        _roundtrip(url)
    finally:
        services.drop_postgres_schema(schema)


def test_the_cli_sets_reminder_days_and_lists_triggers(app, runner):
    from tests.integration.edge_helpers import install_shop

    install_shop(app, "cli-flow.myshopify.com")
    result = runner.invoke(args=["flow", "set-reminder-days", "cli-flow.myshopify.com", "5"])
    assert result.exit_code == 0, result.output
    from backend.services.flow.schedule import reminder_days
    db = app.extensions["fineprint.db"]
    assert reminder_days(db, "cli-flow.myshopify.com") == 5 and reminder_days(db, "other.myshopify.com") == 3
    assert runner.invoke(args=["flow", "list", "cli-flow.myshopify.com"]).exit_code == 0
    unknown = runner.invoke(args=["flow", "set-reminder-days", "nobody.myshopify.com", "5"])
    assert unknown.exit_code == 1 and "unknown shop" in unknown.output and "Traceback" not in unknown.output
    too_many = runner.invoke(args=["flow", "set-reminder-days", "cli-flow.myshopify.com", "99"])
    assert too_many.exit_code == 1 and "0<=x<=60" in too_many.output
