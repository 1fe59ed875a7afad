"""Background jobs with huey.

One `huey` instance for the whole app. Its storage follows the config:
SQLite file next to the database by default, Redis when `REDIS_URL` is set,
in-memory and synchronous when `huey_immediate` (tests). Tasks run inside an
app context: the app bound by `create_app`, or one built from the environment
in a worker process.

Start a worker with `fineprint worker` (see backend/cli/worker.py).
"""
from __future__ import annotations

import logging
import os
import socket
import threading
from pathlib import Path

from huey import Huey, crontab
from huey.storage import BlackHoleStorage, RedisStorage, SqliteStorage
from sqlalchemy.engine import make_url

from backend.config import INSTANCE, Config
from backend.store.db import WAL_BACKSTOP_PAGES, wal_checkpoints

# Storage is set by configure() (create_app calls it); until then nothing is kept.
log = logging.getLogger(__name__)
huey = Huey("fineprint", results=False, utc=True, storage_class=BlackHoleStorage)
_bound_app = None


class _SqliteQueue(SqliteStorage):
    """huey's SQLite queue with the app database's durability: WAL + synchronous=NORMAL. huey's default
    (FULL) fsyncs every enqueue, and since SQLite has one writer per file that capped webhook ingest at
    about one enqueue per fsync (~300/s here). A crash of the app loses nothing; a power cut may roll
    back the last commits, as for the events table itself (backend/store/db.py)."""

    def _create_connection(self):
        conn = super()._create_connection()
        conn.execute("pragma synchronous=NORMAL")
        conn.execute(f"pragma wal_autocheckpoint={WAL_BACKSTOP_PAGES}")  # the checkpoints: enqueue below
        return conn

    def enqueue(self, data, priority=None):
        """huey's insert (committed under its storage lock), then this file's WAL checkpoint turn outside that
        lock (store/db.py, WalCheckpoints): SQLite's in-commit checkpoint, every ~1,000 pages, held the lock
        that every web thread of the process enqueues under for its 10-30 ms."""
        super().enqueue(data, priority)
        checkpoints = wal_checkpoints(self.filename, self.lock)
        if checkpoints is not None:
            checkpoints.committed()


def webhook_outbox() -> bool:
    """Does the worker poll recorded webhook events (the outbox) rather than get one message per webhook? On
    the SQLite queue: each message was a second commit per webhook, into a second file, on the ack's path
    (issue 19). Redis's enqueue is cheap and stays per webhook; immediate mode (tests) runs inline."""
    return not huey.immediate and isinstance(huey.storage, SqliteStorage)


OUTBOX_POLL = 0.2  # seconds between the outbox's looks when it found nothing
_outbox_lock = threading.Lock()
_outbox: dict = {"thread": None, "stop": threading.Event()}


@huey.on_startup()
def start_webhook_outbox() -> None:
    """Every consumer (`fineprint worker`, a test's), on the SQLite queue: one thread per process that queues
    recorded webhook events as they arrive (services/webhooks/recovery.py, `pick_up`), until the consumer stops.
    Written here because huey's finest schedule is a periodic task per minute (and its scheduler's one-second
    tick), where an order's webhook should start within a fraction of a second; what this thread misses (a
    crash between taking rows and queueing them), the sweep finds after the lease. huey calls this hook in each
    of its worker threads: the first one starts the poll."""
    if not webhook_outbox():
        return
    with _outbox_lock:
        thread = _outbox["thread"]
        if thread is not None and thread.is_alive() and not _outbox["stop"].is_set():
            return
        stop = _outbox["stop"] = threading.Event()
        thread = _outbox["thread"] = threading.Thread(target=_poll_outbox, args=(stop,), name="webhook-outbox",
                                                      daemon=True)
        thread.start()


@huey.on_shutdown()
def stop_webhook_outbox() -> None:
    _outbox["stop"].set()


def _poll_outbox(stop: threading.Event) -> None:
    from backend.services.webhooks import recovery

    while not stop.is_set():
        try:
            app = task_app()
            with app.app_context():
                taken = recovery.pick_up(app)
        except Exception:
            log.exception("webhook outbox poll failed; trying again")
            taken = []
        if not taken:
            stop.wait(OUTBOX_POLL)


def huey_sqlite_path(config: Config) -> str:
    if config.huey_path:
        return config.huey_path
    url = make_url(config.database_url)
    if url.get_backend_name() == "sqlite" and url.database and url.database != ":memory:":
        return str(Path(url.database).with_name("huey.db"))
    return str(INSTANCE / "huey.db")


def configure(config: Config) -> Huey:
    """Point the shared huey instance at the storage the config names."""
    if config.huey_immediate:
        huey.immediate = True
        return huey
    huey.immediate = False
    if config.redis_url:
        huey.storage = RedisStorage(name=config.huey_name, url=config.redis_url)
    else:
        path = huey_sqlite_path(config)
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        huey.storage = _SqliteQueue(name="fineprint", filename=path)
    return huey


def bind_app(app) -> None:
    global _bound_app
    _bound_app = app


def task_app():
    """The Flask app tasks run in: the one `create_app` bound (every process that runs tasks, the web
    server's and `fineprint worker`'s, builds one first)."""
    if _bound_app is None:
        raise RuntimeError("no app is bound to the job queue: start workers with `fineprint worker`")
    return _bound_app


def worker_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


@huey.task(retries=3, retry_delay=2)
def heartbeat(worker: str | None = None) -> None:
    from backend.store import heartbeats as svc

    app = task_app()
    with app.app_context():
        svc.record(app.extensions["fineprint.db"], worker or worker_name())


@huey.periodic_task(crontab(minute="*"))
def periodic_heartbeat() -> None:
    heartbeat.call_local()


@huey.task(retries=5, retry_delay=10)
def process_webhook(event_row_id: int) -> None:
    """A recorded webhook event, dispatched through services.webhooks.ingest.TOPIC_HANDLERS."""
    from backend.services.webhooks import ingest as svc

    app = task_app()
    with app.app_context():
        svc.process(app.extensions["fineprint.db"], event_row_id)


# The order pipeline's tasks (apply_order_task, pipeline_sweep, backfill_task) register on `huey` here
# (services queue them through services/queue.py; backend/tasks/queue.py is the adapter).
from backend.tasks import orders as _order_tasks  # noqa: E402,F401
from backend.tasks import flow as _flow_tasks  # noqa: E402,F401  (Shopify Flow: flow_sweep)
from backend.tasks import returns as _return_tasks  # noqa: E402,F401  (Shopify returns: decide_return_task)
