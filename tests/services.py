"""Real PostgreSQL and Redis for the tests.

An unreachable service skips its tests with a reason that says how to start
it — except under CI=true, where it fails the run.
"""
from __future__ import annotations

import os
import uuid

import pytest

TEST_DATABASE_URL = os.environ.get("TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")

START_HINTS = {
    "postgres": "start it with: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start "
                "(or set TEST_DATABASE_URL)",
    "redis": 'start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save "" --appendonly no '
             "(or set TEST_REDIS_URL)",
}


def unavailable(service: str, error: Exception):
    message = f"{service} unreachable ({type(error).__name__}: {error}); {START_HINTS[service]}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(message, pytrace=False)
    pytest.skip(message)


def run_id() -> str:
    return uuid.uuid4().hex[:10]


def postgres_schema_url(schema: str) -> str:
    sep = "&" if "?" in TEST_DATABASE_URL else "?"
    return f"{TEST_DATABASE_URL}{sep}options=-csearch_path%3D{schema}"


def create_postgres_schema() -> tuple[str, str]:
    """A fresh schema for this run; returns (schema, url that uses it)."""
    import sqlalchemy as sa

    schema = f"t_{run_id()}"
    try:
        engine = sa.create_engine(TEST_DATABASE_URL)
        with engine.begin() as conn:
            conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
        engine.dispose()
    except Exception as exc:  # driver errors vary; all mean "not reachable"
        unavailable("postgres", exc)
    return schema, postgres_schema_url(schema)


def drop_postgres_schema(schema: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(TEST_DATABASE_URL)
    with engine.begin() as conn:
        conn.execute(sa.text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    engine.dispose()


def redis_client():
    import redis

    try:
        client = redis.Redis.from_url(TEST_REDIS_URL)
        client.ping()
    except Exception as exc:
        unavailable("redis", exc)
    return client
