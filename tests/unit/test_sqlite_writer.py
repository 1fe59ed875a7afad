"""store/sqlite_writer.py: one writer at a time on a SQLite file across processes and threads, nothing lost, and
WAL checkpoints handed to a background thread (one at a time)."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys
import threading
import time

import pytest

from backend.store import sqlite_writer

WRITER = """
import sqlite3, sys, threading
from backend.store import sqlite_writer
path, tag = sys.argv[1], sys.argv[2]
lock = sqlite_writer.for_file(path)
def work(t):
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
    sqlite_writer.no_autocheckpoint(conn)
    for i in range(100):
        with lock:
            conn.execute("INSERT INTO t (tag) VALUES (?)", (f"{tag}-{t}-{i}",))
            conn.commit()
        lock.wrote(lambda: sqlite_writer.checkpoint_file(path), every=50)
    conn.close()
threads = [threading.Thread(target=work, args=(t,)) for t in range(3)]
for t in threads: t.start()
for t in threads: t.join()
"""


def test_the_lock_holds_the_files_flock_while_held_and_frees_it_after(tmp_path):
    path = str(tmp_path / "app.db")
    lock = sqlite_writer.for_file(path)
    assert sqlite_writer.for_file(path) is lock  # one per file and process
    other = os.open(f"{path}-writer.lock", os.O_RDWR | os.O_CREAT)
    try:
        with lock:
            with pytest.raises(BlockingIOError):  # another process (another open file) waits
                fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_EX | fcntl.LOCK_NB)
        fcntl.flock(other, fcntl.LOCK_UN)
    finally:
        os.close(other)


def test_an_in_memory_database_takes_the_mutex_only():
    with sqlite_writer.for_file(":memory:"):
        pass
    with sqlite_writer.for_file(None):
        pass


def test_writers_in_several_processes_and_threads_all_commit(tmp_path):
    path = str(tmp_path / "app.db")
    conn = sqlite3.connect(path)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, tag TEXT UNIQUE NOT NULL)")
    conn.commit()
    procs = [subprocess.Popen([sys.executable, "-c", WRITER, path, f"p{k}"]) for k in range(3)]
    assert [p.wait(timeout=120) for p in procs] == [0, 0, 0]
    assert conn.execute("SELECT count(*), count(DISTINCT tag) FROM t").fetchone() == (900, 900)
    conn.close()


def test_every_nth_write_hands_one_checkpoint_to_the_background_thread(tmp_path):
    lock = sqlite_writer.WriterLock(str(tmp_path / "x.db"))
    release, ran, threads = threading.Event(), [], []

    def checkpoint():
        threads.append(threading.current_thread().name)
        ran.append(1)
        release.wait(30)

    for _ in range(3):
        lock.wrote(checkpoint, every=3)  # the third write starts one
    for _ in range(6):
        lock.wrote(checkpoint, every=3)  # while it runs, none starts
    deadline = time.monotonic() + 30
    while not ran and time.monotonic() < deadline:
        time.sleep(0.01)
    assert len(ran) == 1 and threads[0] != threading.current_thread().name
    release.set()
    lock._checkpointing.result(timeout=30)
    for _ in range(3):
        lock.wrote(checkpoint, every=3)
    lock._checkpointing.result(timeout=30)
    assert len(ran) == 2


def test_a_failing_checkpoint_is_logged_and_the_writes_go_on(tmp_path, caplog):
    lock = sqlite_writer.WriterLock(str(tmp_path / "x.db"))

    def broken():
        raise sqlite3.OperationalError("database is locked")

    lock.wrote(broken, every=1)
    lock._checkpointing.result(timeout=30)
    assert "checkpoint failed" in caplog.text
    with lock:
        pass
