"""`worker_heartbeats`: proof of life for the worker path: a task writes a row, /health can read it."""
from __future__ import annotations

from sqlmodel import select

from backend.store.db import Database
from backend.store.models import WorkerHeartbeat, utcnow


def record(db: Database, worker: str) -> WorkerHeartbeat:
    with db.session() as s:
        beat = WorkerHeartbeat(worker=worker, beat_at=utcnow())
        s.add(beat)
        return beat


def latest(db: Database) -> WorkerHeartbeat | None:
    with db.session() as s:
        return s.exec(select(WorkerHeartbeat).order_by(WorkerHeartbeat.beat_at.desc()).limit(1)).first()
