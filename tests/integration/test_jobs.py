"""The background-job path, end to end: enqueue → storage → consumer → database."""
import time

import pytest

from huey.storage import RedisStorage, SqliteStorage

from backend import create_app, jobs
from backend.config import Config
from backend.store import heartbeats


def _wait_for_beat(db, worker, seconds=180):  # a safety net: the beat ends the wait
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        beat = heartbeats.latest(db)
        if beat and beat.worker == worker:
            return beat
        time.sleep(0.1)
    return None


def _consume_until_beat(app, worker):
    consumer = jobs.huey.create_consumer(workers=1, worker_type="thread", periodic=False)
    consumer.start()
    try:
        return _wait_for_beat(app.extensions["fineprint.db"], worker)
    finally:
        consumer.stop(graceful=True)


def test_a_heartbeat_task_writes_a_row_in_immediate_mode(app):
    jobs.heartbeat("test-worker")
    beat = heartbeats.latest(app.extensions["fineprint.db"])
    assert beat is not None and beat.worker == "test-worker"


def test_the_default_queue_is_a_sqlite_file_next_to_the_database(app_config, tmp_path):
    beside = Config.from_env({"DATABASE_URL": f"sqlite:///{tmp_path / 'db' / 'app.db'}"})
    assert jobs.huey_sqlite_path(beside) == str(tmp_path / "db" / "huey.db")

    app = create_app({**app_config, "huey_immediate": False, "huey_path": str(tmp_path / "queue.db")})
    assert isinstance(jobs.huey.storage, SqliteStorage)
    jobs.heartbeat("sqlite-queue")
    assert jobs.huey.pending_count() == 1
    assert _consume_until_beat(app, "sqlite-queue") is not None
    assert jobs.huey.pending_count() == 0


@pytest.mark.redis
def test_with_redis_url_the_queue_lives_in_redis_and_a_consumer_drains_it(app_config, redis_url):
    url, prefix = redis_url
    app = create_app({**app_config, "huey_immediate": False, "redis_url": url, "huey_name": prefix})
    assert isinstance(jobs.huey.storage, RedisStorage)
    jobs.heartbeat("redis-queue")
    assert jobs.huey.pending_count() == 1
    assert _consume_until_beat(app, "redis-queue") is not None
    assert jobs.huey.pending_count() == 0
