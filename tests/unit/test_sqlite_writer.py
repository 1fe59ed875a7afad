"""store/sqlite_writer.py: one writer at a time on a SQLite file across processes and threads, nothing lost."""
from __future__ import annotations

import fcntl
import os
import sqlite3
import subprocess
import sys

import pytest

from backend.store import sqlite_writer

WRITER = """
import sqlite3, sys, threading
from backend.store import sqlite_writer
path, tag = sys.argv[1], sys.argv[2]
lock = sqlite_writer.for_file(path)
def work(t):
    conn = sqlite3.connect(path, timeout=30, check_same_thread=False)
    for i in range(100):
        with lock:
            conn.execute("INSERT INTO t (tag) VALUES (?)", (f"{tag}-{t}-{i}",))
            conn.commit()
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
