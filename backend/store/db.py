"""The database: one engine per app, sessions as context managers.

SQLite gets WAL and a busy timeout so the web app and the huey worker can
write to the same file at once; `WalCheckpoints` moves the WAL checkpoint of a hot SQLite file (the events
table's, huey's queue file) out of the committing writer's turn.
"""
from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import threading
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, create_engine

T = TypeVar("T")
log = logging.getLogger(__name__)

# SQLite's automatic checkpoint (default: once the WAL holds 1,000 pages) runs inside the COMMIT of whichever
# writer crossed the mark: 10-30 ms with its fsyncs, while that writer still holds its process's writer mutex
# (store/webhook_events.py; huey's storage lock for the queue file), so every thread of that process waited
# behind it, about every 250 webhooks: the ingest p99. The app's connections keep the automatic checkpoint only
# as a backstop for a file no `WalCheckpoints` ticks (the worker's, the CLI's), at this many pages (~80 MB).
WAL_BACKSTOP_PAGES = 20_000


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
            cur.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")  # WalCheckpoints does the rest
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
        """Raises when the database does not answer. One statement in autocommit (`read`): one round trip, where
        a plain connection added a BEGIN and a ROLLBACK on PostgreSQL (5 Dec 2026: 230 -> 158 us of CPU per
        check); the driver's own SQL text, nothing for SQLAlchemy to compile; a dropped connection retried once."""
        self.read(lambda conn: conn.exec_driver_sql("SELECT 1").close())

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


class WalCheckpoints:
    """The WAL checkpoints of one SQLite file in this process, taken off the writers' path: `committed()` after
    each write commit; every `every`-th one runs, in the calling thread, after its commit and outside the
    writer mutex,

    1. a PASSIVE checkpoint on a connection of its own: it copies the WAL into the database and fsyncs while
       writers (here and in the server's other processes) go on committing: only this one request waits;
    2. then, only once the WAL holds `restart_pages` pages or more, holding `writer` (this process's writer
       mutex, so local writers queue on it and are woken at once), a RESTART checkpoint with no busy wait: if
       no other process is writing at that instant it copies the few pages written during step 1 and the next
       writer starts the WAL file from its beginning (without it, under a steady stream of writes a PASSIVE
       checkpoint never catches up and the WAL only grows: 115 MB after 3,000 webhooks in the README's
       background-thread trial); if a writer or a reader is busy, it gives up at once, as a PASSIVE one, and
       the next turn tries again. Rare on purpose: its fsyncs (0.2-8 ms each on this disk) stall every
       writer of the process and every request waiting on one, which a RESTART on each turn (every 200
       commits) put into the p99 again.

    Nothing here changes what a commit survives: the checkpoint is the same SQLite operation, run elsewhere.
    SQLite offers no checkpoint scheduling beyond the in-commit automatic one (Python's sqlite3 has no WAL
    hook), hence this class."""

    def __init__(self, path: str, writer: threading.Lock, every: int = 200, restart_pages: int = 8_000):
        self.path, self.writer, self.every, self.restart_pages = path, writer, every, restart_pages
        self._ticks = itertools.count(1)  # next() on it is atomic in CPython: no lock per commit
        self._running = threading.Lock()
        self._conn: sqlite3.Connection | None = None
        self._pid = 0  # the process that opened _conn (a server that forks its workers gets a fresh one each)

    def committed(self) -> None:
        if next(self._ticks) % self.every == 0:
            self.run()

    def run(self) -> tuple[int, int, int] | None:
        """One checkpoint now (unless one is under way in this process): SQLite's (busy, WAL pages, pages
        copied) of its last step, or None when skipped or failed (logged; the backstop remains)."""
        if not self._running.acquire(blocking=False):
            return None
        try:
            conn = self._connection()
            busy, pages, copied = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
            if pages >= self.restart_pages:
                with self.writer:
                    busy, pages, copied = conn.execute("PRAGMA wal_checkpoint(RESTART)").fetchone()
            return busy, pages, copied
        except sqlite3.Error as exc:
            log.warning("WAL checkpoint of %s failed: %s", self.path, exc)
            self.close()
            return None
        finally:
            self._running.release()

    def _connection(self) -> sqlite3.Connection:
        if self._conn is None or self._pid != os.getpid():
            self._pid = os.getpid()
            # timeout=0: the RESTART step never sleeps in SQLite's busy handler (it falls back to PASSIVE)
            self._conn = sqlite3.connect(self.path, timeout=0, isolation_level=None, check_same_thread=False)
        return self._conn

    def close(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            conn.close()


_CHECKPOINTS: dict[str, WalCheckpoints] = {}
_CHECKPOINTS_LOCK = threading.Lock()


def wal_checkpoints(path: str | None, writer: threading.Lock, every: int = 200) -> WalCheckpoints | None:
    """The process's `WalCheckpoints` for the SQLite file at `path` (None for an in-memory database)."""
    if not path or path == ":memory:" or path.startswith("file::memory:"):
        return None
    found = _CHECKPOINTS.get(path)
    if found is None:
        with _CHECKPOINTS_LOCK:
            found = _CHECKPOINTS.setdefault(path, WalCheckpoints(path, writer, every))
    return found
