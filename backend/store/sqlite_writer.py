"""One writer at a time on a SQLite file, across the web server's processes and their threads, woken at once.

SQLite lets one connection write a file at a time. A connection that finds the file locked sleeps in SQLite's
busy handler in coarse steps (1, 2, 5, 10, 15, 20, 25, 25, 25, 50, 50, 100 ms), however soon the writer is done:
under webhook ingest (2 granian workers x 2 threads writing the events table and huey's queue) that sleeping
made the acknowledgement p99 tens to hundreds of ms while the writes themselves take a fraction of a ms.

`WriterLock(path)` queues writers instead: threads of one process on a mutex, processes on an flock(2) of a
small file beside the database (`<file>-writer.lock`), which the kernel hands to the next waiter the moment
it is released. Written by hand because the maintained file-lock libraries (filelock, fasteners) poll a
non-blocking lock with sleeps, the very thing this replaces; a blocking flock is two system calls. Writers
that do not take the lock (the worker's ORM sessions) still meet the busy handler, as before, and nothing
depends on the lock for correctness: SQLite's own locking still decides. flock is per open file
description, hence the mutex in front (threads of one process share the descriptor).

Checkpoints, too, leave the writer's path. SQLite copies the WAL back into the database (and, at
synchronous=NORMAL, fsyncs both) in the commit that finds the WAL past 1000 pages, about every 250 webhooks
of 12 KB: 10-30 ms on this disk, which under the lock above every other writer would wait out. Connections
that write under the lock turn that off (`no_autocheckpoint`) and call `wrote(checkpoint)` after each write,
outside the lock: every `every`-th write hands `checkpoint` (a PASSIVE one, which never blocks writers) to
one background thread per process (a stdlib ThreadPoolExecutor; the fsync releases the GIL). Connections
that do not take the lock (the worker's) keep SQLite's own autocheckpoint, so the WAL stays bounded even
when no web process writes.
"""
from __future__ import annotations

import fcntl
import logging
import os
import sqlite3
import threading
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Callable

log = logging.getLogger(__name__)


class WriterLock:
    """Context manager: `with lock:` around one write transaction on the SQLite file at `path`.
    `path` None (an in-memory database) takes only the mutex."""

    def __init__(self, path: str | None):
        self._mutex = threading.Lock()
        self._lock_path = f"{path}-writer.lock" if path else None
        self._fd: int | None = None
        self._pid = 0
        self._writes = 0
        self._checkpointing: Future | None = None
        self._executor: ThreadPoolExecutor | None = None
        self._executor_pid = 0

    def _descriptor(self) -> int | None:
        """This process's descriptor (opened after a fork too: a descriptor inherited from the parent shares
        its lock with the parent)."""
        if self._lock_path is None:
            return None
        if self._fd is None or self._pid != os.getpid():
            self._fd, self._pid = os.open(self._lock_path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600), os.getpid()
        return self._fd

    def __enter__(self) -> None:
        self._mutex.acquire()
        try:
            fd = self._descriptor()
            if fd is not None:
                fcntl.flock(fd, fcntl.LOCK_EX)
        except BaseException:
            self._mutex.release()
            raise

    def __exit__(self, *exc) -> None:
        try:
            if self._fd is not None and self._pid == os.getpid():
                fcntl.flock(self._fd, fcntl.LOCK_UN)
        finally:
            self._mutex.release()


    def wrote(self, checkpoint: Callable[[], object], every: int) -> None:
        """One write committed (call it after leaving the lock): every `every`-th one runs `checkpoint` on
        the process's checkpoint thread, unless the last one is still running."""
        with self._mutex:
            self._writes += 1
            if self._writes < every or (self._checkpointing is not None and not self._checkpointing.done()):
                return
            self._writes = 0
            if self._executor is None or self._executor_pid != os.getpid():  # none inherited across a fork
                self._executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="sqlite-checkpoint")
                self._executor_pid = os.getpid()
            self._checkpointing = self._executor.submit(_checkpoint, checkpoint)


def _checkpoint(checkpoint: Callable[[], object]) -> None:
    try:
        checkpoint()
    except Exception as exc:  # a missed checkpoint only leaves the WAL longer until the next one
        log.warning("SQLite WAL checkpoint failed: %s: %s", type(exc).__name__, exc)


def no_autocheckpoint(conn) -> None:
    """Turn SQLite's in-commit checkpoint off on this sqlite3 connection (its writes call `wrote`). Run on each
    write (a few microseconds): the pooled connection carries no mark of its own to do it once."""
    conn.execute("PRAGMA wal_autocheckpoint=0")


def checkpoint(conn) -> None:
    """A PASSIVE WAL checkpoint on this sqlite3 connection: never blocks a writer, copies what it can."""
    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").close()


def checkpoint_file(path: str, timeout: float = 5.0) -> None:
    """`checkpoint` on a connection of its own to the file at `path` (huey's queue: its one connection is
    behind huey's process-wide lock, which a checkpoint's fsyncs would hold)."""
    conn = sqlite3.connect(path, timeout=timeout)
    try:
        checkpoint(conn)
    finally:
        conn.close()


_LOCKS: dict[str, WriterLock] = {}
_LOCKS_GUARD = threading.Lock()


def for_file(path: str | None) -> WriterLock:
    """The process's one WriterLock for the SQLite file at `path` (None or ":memory:": a mutex only)."""
    key = os.path.abspath(path) if path and path != ":memory:" else ""
    with _LOCKS_GUARD:
        lock = _LOCKS.get(key)
        if lock is None:
            lock = _LOCKS[key] = WriterLock(key or None)
        return lock
