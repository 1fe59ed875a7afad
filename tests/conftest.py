"""Fixtures shared by every layer: `db_url` (SQLite and PostgreSQL), `app`, `client`, `runner`, `redis_url`.

Any test that uses `app` runs twice, once per database. Each run migrates a
private database (a temp SQLite file, a fresh PostgreSQL schema) once and
empties its tables after every test.
"""
from __future__ import annotations

import pytest
import sqlalchemy as sa

from backend import create_app
from backend.store import migrate
from tests import services

BACKENDS = ["sqlite", "postgres"]

# fixtures: `simulator` (the Shopify simulator), `pipeline` (app + worker + simulator, per database)
pytest_plugins = ["tests.fakes.simulator", "tests.integration.pipeline_helpers"]


@pytest.fixture(scope="session")
def _sqlite_url(tmp_path_factory):
    url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    migrate.upgrade(url)
    return url


@pytest.fixture(scope="session")
def _postgres_url():
    schema, url = services.create_postgres_schema()
    migrate.upgrade(url)
    yield url
    services.drop_postgres_schema(schema)


@pytest.fixture(params=BACKENDS)
def db_url(request):
    url = request.getfixturevalue(f"_{request.param}_url")
    yield url
    _empty_tables(url)


def _empty_tables(url: str) -> None:
    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        for table in reversed(meta.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())
    engine.dispose()


@pytest.fixture
def app_config(db_url, tmp_path):
    return {"database_url": db_url, "huey_immediate": True, "testing": True, "port": 8000}


@pytest.fixture
def app(app_config):
    app = create_app(app_config)
    yield app
    app.extensions["fineprint.db"].dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def redis_url():
    client = services.redis_client()
    prefix = f"fineprint-test-{services.run_id()}"
    yield services.TEST_REDIS_URL, prefix
    for key in client.scan_iter(f"*{prefix}*"):
        client.delete(key)
