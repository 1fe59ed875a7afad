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


def _webhook_columns(url):
    engine = sa.create_engine(url)
    names = {c["name"] for c in sa.inspect(engine).get_columns("webhook_events")}
    engine.dispose()
    return names


def _event_id_migration_keeps_old_rows(url):
    """0006: a row recorded when the webhook id was the key keeps it as its webhook id, up and down."""
    migrate.upgrade(url, "0005")
    engine = sa.create_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("INSERT INTO webhook_events (event_id, topic, shop_domain, received_at, status, attempts)"
                             " VALUES ('b54557e4-bdd9-4b37-8a5f-bf7d70bcd043', 'orders/create', 'a.myshopify.com',"
                             " CURRENT_TIMESTAMP, 'done', 1)"))
    migrate.upgrade(url)
    with engine.begin() as conn:
        assert conn.execute(sa.text("SELECT webhook_id FROM webhook_events")).scalar_one() == \
            "b54557e4-bdd9-4b37-8a5f-bf7d70bcd043"
    engine.dispose()
    migrate.downgrade(url, "0005")
    assert "webhook_id" not in _webhook_columns(url)
    migrate.upgrade(url)
    assert "webhook_id" in _webhook_columns(url)


def test_the_event_id_migration_goes_up_and_down_on_sqlite(tmp_path):
    _event_id_migration_keeps_old_rows(f"sqlite:///{tmp_path / 'ids.db'}")


@pytest.mark.postgres
def test_the_event_id_migration_goes_up_and_down_on_postgres():
    schema, url = services.create_postgres_schema()
    try:
        _event_id_migration_keeps_old_rows(url)
    finally:
        services.drop_postgres_schema(schema)
