"""SQLite's WAL checkpoints taken off the committing writer's path (store/db.py, `WalCheckpoints`): the events
file's after ingest's commits, huey's queue file's after its enqueues. What is checked is behaviour: the WAL is
copied into the database and then starts again from its beginning (it does not only grow), a writer busy in
another connection makes the checkpoint give up at once rather than wait, and every webhook is still recorded."""
from __future__ import annotations

import json
import sqlite3
import struct
import threading

import pytest

from backend import create_app
from backend.jobs import _SqliteQueue
from backend.store import migrate
from backend.store.db import WAL_BACKSTOP_PAGES, WalCheckpoints, wal_checkpoints
from tests.integration.edge_helpers import example, install_shop, webhook_headers


def wal_frames(path) -> int:
    """mxFrame: the frames in the file's WAL since it last started from its beginning, read from the wal-index
    header in the -shm file (sqlite.org/walformat.html, 2.1: a native-endian u32 at byte 16), so that looking
    does not itself checkpoint (PRAGMA wal_checkpoint would)."""
    with open(f"{path}-shm", "rb") as f:
        return struct.unpack("=I", f.read(20)[16:20])[0]


def writes(path, n: int) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None)
    conn.execute("PRAGMA journal_mode=WAL")
    conn.execute(f"PRAGMA wal_autocheckpoint={WAL_BACKSTOP_PAGES}")
    conn.execute("CREATE TABLE IF NOT EXISTS t (x TEXT)")
    for i in range(n):
        conn.execute("INSERT INTO t VALUES (?)", ("x" * 5000,))
    return conn


def test_a_checkpoint_copies_the_wal_and_the_next_writer_starts_it_again(tmp_path):
    path = str(tmp_path / "f.db")
    conn = writes(path, 30)
    before = wal_frames(path)
    busy, pages, copied = WalCheckpoints(path, threading.Lock(), restart_pages=0).run()
    assert (busy, pages, copied) == (0, before, before) and before > 30
    conn.execute("INSERT INTO t VALUES ('one more')")
    assert wal_frames(path) < 5  # restarted: the new commit's frames only, not appended after `before`
    conn.close()


def test_a_writer_busy_elsewhere_makes_the_checkpoint_give_up_at_once_not_wait(tmp_path):
    path = str(tmp_path / "f.db")
    first = writes(path, 10)  # open: the last connection to close would checkpoint and remove the WAL itself
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # another process's writer, mid-transaction
    other.execute("INSERT INTO t VALUES ('pending')")
    try:
        busy, pages, copied = WalCheckpoints(path, threading.Lock(), restart_pages=0).run()
        assert busy == 1 and copied == pages > 10  # everything committed was still copied (the PASSIVE fallback)
    finally:
        other.execute("COMMIT")
        other.close()
        first.close()


def test_below_restart_pages_the_checkpoint_only_copies_and_never_asks_for_the_writer_lock(tmp_path):
    path = str(tmp_path / "f.db")
    first = writes(path, 10)  # open: the last connection to close would checkpoint and remove the WAL itself
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # a writer mid-transaction: a RESTART step would report it busy
    other.execute("INSERT INTO t VALUES ('pending')")
    try:
        busy, pages, copied = WalCheckpoints(path, threading.Lock(), restart_pages=10_000).run()
        assert (busy, copied) == (0, pages) and pages > 10  # PASSIVE alone: copied, no writer lock asked for
    finally:
        other.execute("COMMIT")
        other.close()
        first.close()


def test_in_memory_databases_have_no_checkpoints():
    assert wal_checkpoints(":memory:", threading.Lock()) is None
    assert wal_checkpoints(None, threading.Lock()) is None


def test_ingest_checkpoints_the_events_file_every_so_many_commits_and_records_every_webhook(tmp_path):
    path = tmp_path / "ingest.db"
    url = f"sqlite:///{path}"
    migrate.upgrade(url)
    app = create_app({"database_url": url, "huey_immediate": True, "testing": True, "port": 8000})
    try:
        install_shop(app)
        from backend.store import webhook_events

        checkpoints = wal_checkpoints(str(path), webhook_events._SQLITE_WRITER)
        checkpoints.every, checkpoints.restart_pages = 4, 0
        client, frames = app.test_client(), []
        for i in range(9):
            body = json.dumps(dict(example("orders/create"), id=900 + i)).encode()
            headers = webhook_headers(app, body, "orders/create", **{"X-Shopify-Event-Id": f"ev-{i}",
                                                                     "X-Shopify-Webhook-Id": f"wh-{i}"})
            response = client.post("/webhooks", data=body, headers=headers)
            assert response.status_code == 200, response.get_data()
            frames.append(wal_frames(str(path)))
        # the 4th and 8th inserts checkpointed after their commits; the writes that followed (the handler's, run
        # inline under huey_immediate) started the WAL again, below where it had grown
        assert frames[3] < frames[2] and frames[7] < frames[6]
        assert frames[0] < frames[1] < frames[2] and frames[4] < frames[5] < frames[6]  # and between, it grows
        conn = sqlite3.connect(path)
        assert conn.execute("SELECT count(*) FROM webhook_events").fetchone()[0] == 9
        conn.close()
    finally:
        app.extensions["fineprint.db"].dispose()


def test_hueys_sqlite_queue_checkpoints_its_file_after_enqueues_and_keeps_every_message(tmp_path):
    path = str(tmp_path / "huey.db")
    storage = _SqliteQueue(name="t", filename=path)
    checkpoints = wal_checkpoints(path, storage.lock)
    checkpoints.every, checkpoints.restart_pages = 5, 0
    frames = []
    for i in range(10):
        storage.enqueue(b"message %d" % i)
        frames.append(wal_frames(path))
    assert frames[5] < frames[4]  # the 5th enqueue checkpointed, the 6th started the WAL again
    assert storage.queue_size() == 10
    assert [storage.dequeue() for _ in range(10)] == [b"message %d" % i for i in range(10)]
    storage.close()
