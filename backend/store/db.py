"""The database: one engine per app, sessions as context managers.

SQLite gets WAL and a busy timeout so the web app and the huey worker can
write to the same file at once.
"""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import event, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

T = TypeVar("T")


def make_engine(url: str) -> Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            # NORMAL in WAL mode: no fsync per commit, only at checkpoints. An app or worker
            # crash loses nothing (the WAL is in the OS cache); only a power cut or OS crash
            # may roll back the last commits (never corrupts). Webhooks Shopify re-sends.
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.close()

        return engine
    # No pool_pre_ping: it is one more round trip on every checkout (a third of a decision request's database
    # time). A connection the server has dropped fails its first statement instead; SQLAlchemy then invalidates
    # the pool (every connection of that age), and `Database.read` runs a read again once on a fresh one.
    # pool_recycle retires connections before a proxy or server idle timeout cuts them.
    return create_engine(url, pool_size=5, max_overflow=10, pool_recycle=1800)


class Database:
    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)

    @contextmanager
    def session(self) -> Iterator[Session]:
        with Session(self.engine, expire_on_commit=False) as s:
            try:
                yield s
                s.commit()
            except BaseException:
                s.rollback()
                raise

    def read(self, work: Callable[[Connection], T]) -> T:
        """`work(conn)` on a connection in autocommit: each statement reads the rows as they are now, with no
        BEGIN or ROLLBACK round trips around it (the Decision API's reads). Run once more, on a fresh
        connection, when the first one turns out to have been dropped by the server: a read is safe to repeat."""
        for attempt in (1, 2):
            try:
                with self.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
                    return work(conn)
            except DBAPIError as exc:
                if attempt == 2 or not exc.connection_invalidated:
                    raise
        raise AssertionError("unreachable")

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


@contextmanager
def driver_connection(engine: Engine, *, autocommit: bool = False):
    """A pooled connection's own driver connection, for the few hot statements (webhook ingest, the Decision
    API's cart read) where SQLAlchemy's execution layer costs more than the database. `autocommit` (PostgreSQL):
    each statement commits by itself, no BEGIN/COMMIT round trips; switched back before the connection returns
    to the pool. On an error the connection is rolled back, or dropped from the pool when the error left it
    closed or broken (as SQLAlchemy's own execution does), and the error is raised."""
    pooled = engine.raw_connection()
    conn = pooled.driver_connection
    try:
        if autocommit:
            conn.autocommit = True
        yield conn
    except BaseException:
        if getattr(conn, "closed", False) or getattr(conn, "broken", False):
            pooled.invalidate()
        else:
            try:
                conn.rollback()
            except Exception:
                pooled.invalidate()
        raise
    finally:
        if autocommit and not getattr(conn, "closed", True):
            conn.autocommit = False
        pooled.close()
