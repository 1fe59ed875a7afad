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

Known cost: SQLite's automatic WAL checkpoint runs inside the commit that finds the WAL past 1000 pages (about
every 250 webhooks of 12 KB; 10-30 ms with its fsyncs at synchronous=NORMAL on this disk), so under this lock
the other writers wait it out. Moving it to a background thread with PASSIVE checkpoints was tried (5 Dec
2026) and reverted: with writers always active the WAL then never restarted (115 MB after 3,000 webhooks
against 25 MB) and CPU per webhook rose.
"""
from __future__ import annotations

import fcntl
import os
import threading


class WriterLock:
    """Context manager: `with lock:` around one write transaction on the SQLite file at `path`.
    `path` None (an in-memory database) takes only the mutex."""

    def __init__(self, path: str | None):
        self._mutex = threading.Lock()
        self._lock_path = f"{path}-writer.lock" if path else None
        self._fd: int | None = None
        self._pid = 0

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
