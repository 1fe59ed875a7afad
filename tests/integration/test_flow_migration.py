"""Migration 0007 (Flow triggers) goes up and down on SQLite and PostgreSQL, and its unique key holds."""
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
        migrate.downgrade(url, "0005")
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
