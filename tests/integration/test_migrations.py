"""Migrations run up on an empty database and down again, on SQLite and PostgreSQL."""
import pytest
import sqlalchemy as sa

from backend.store import migrate
from tests import services


PIPELINE_TABLES = {"catalog_products", "catalog_variants", "order_states", "decision_log", "pipeline_jobs"}


def _tables(url):
    engine = sa.create_engine(url)
    names = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    return names


def _roundtrip(url):
    migrate.upgrade(url)
    assert {"shops", "webhook_events", "oauth_states", "alembic_version"} <= _tables(url)
    assert PIPELINE_TABLES <= _tables(url)
    assert "returns" in _tables(url)  # 0008: Shopify returns heard of through returns/* webhooks
    migrate.downgrade(url, "base")
    assert _tables(url) <= {"alembic_version"}
    migrate.upgrade(url)
    assert "shops" in _tables(url)


def test_migrations_go_up_and_down_on_an_empty_sqlite_file(tmp_path):
    _roundtrip(f"sqlite:///{tmp_path / 'fresh.db'}")


@pytest.mark.postgres
def test_migrations_go_up_and_down_on_an_empty_postgres_schema():
    schema, url = services.create_postgres_schema()
    try:
        _roundtrip(url)
    finally:
        services.drop_postgres_schema(schema)
