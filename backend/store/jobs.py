"""`pipeline_jobs`: one row per unit of work, so that failures are visible and nothing is dropped.

Status moves pending → running → done, or → parked after the last attempt. New work for a job whose run is
under way marks it `rerun` (still running, with its lease): that run then ends `pending`, not `done`.
A running row carries a lease; a row whose lease ran out (its worker died) or
a pending row nobody picked up is requeued by the sweeper.
"""
from __future__ import annotations

import random
from datetime import timedelta

from sqlalchemy import case, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from backend.store.models import PipelineJob, utcnow

LEASE = timedelta(minutes=5)  # backfill: renewed by its progress reports
APPLY_LEASE = timedelta(seconds=30)  # one order: seconds of work, renewed while it runs (services.orders.pipeline)
STALE_PENDING = timedelta(minutes=10)
RERUN = "rerun"  # running, and asked to run again for news that arrived meanwhile


def upsert_pending(db, kind: str, key: str, shop: str, trigger: str = "", reset: bool = True) -> int:
    """The job row for (kind, key), set pending (a parked job gets a fresh set of attempts); one transaction,
    again only when a concurrent first insert of the same job won the race."""
    for _ in range(5):
        try:
            with db.session() as s:
                row = s.exec(select(PipelineJob).where(PipelineJob.kind == kind, PipelineJob.key == key)).first()
                if row is None:
                    row = PipelineJob(kind=kind, key=key, shop_domain=shop, trigger=trigger[:64])
                    s.add(row)
                    s.flush()
                    return row.id
                if row.status in ("running", RERUN):
                    _request_rerun(s, row.id)  # the run under way may have read the order before this news
                    return row.id
                values = {"status": "pending", "trigger": trigger[:64], "updated_at": utcnow()}
                if reset and row.status in ("parked", "done"):
                    values.update(attempts=0)
                s.execute(update(PipelineJob).where(PipelineJob.id == row.id).values(**values))
                return row.id
        except IntegrityError:
            continue
    raise RuntimeError(f"could not record job {kind} {key}")


def start(db, kind: str, key: str, lease: timedelta = LEASE) -> PipelineJob | None:
    with db.session() as s:
        row = s.exec(select(PipelineJob).where(PipelineJob.kind == kind, PipelineJob.key == key)).first()
        if row is None:
            return None
        row.status, row.lease_until, row.updated_at = "running", utcnow() + lease, utcnow()
        s.add(row)
        return row


def request_rerun(db, job_id: int) -> None:
    """New work for a job while a run of it is under way: that run's "done" becomes "pending", so the job
    reads as open until the queued run has decided the newest facts (and `jobs list`, the admin page and
    anyone waiting for the pipeline to settle never see it finished while it is not).
    A job that is no longer running (its run ended meanwhile) is simply pending again."""
    with db.session() as s:
        _request_rerun(s, job_id)


def _request_rerun(s, job_id: int) -> None:
    running = PipelineJob.status.in_(("running", RERUN))
    s.execute(update(PipelineJob).where(PipelineJob.id == job_id, PipelineJob.status != "parked")
              .values(status=case((running, RERUN), else_="pending"), updated_at=utcnow()))


def renew(db, job_id: int, lease: timedelta) -> None:
    """Extend a running job's lease (its worker is alive)."""
    with db.session() as s:
        s.execute(update(PipelineJob).where(PipelineJob.id == job_id, PipelineJob.status.in_(("running", RERUN)))
                  .values(lease_until=utcnow() + lease))


def finish(db, job_id: int, status: str = "done", error: str | None = None, attempts: int | None = None,
           progress: dict | None = None) -> None:
    with db.session() as s:
        finish_in(s, job_id, status, error, attempts, progress)


def finish_in(s, job_id: int, status: str = "done", error: str | None = None, attempts: int | None = None,
              progress: dict | None = None) -> None:
    """`finish` inside the caller's transaction (the order pipeline's: with the outcome it records)."""
    # a run that ends "done" while a rerun was asked for leaves the job pending for the queued run
    final = case((PipelineJob.status == RERUN, "pending"), else_=status) if status == "done" else status
    values = {"status": final, "lease_until": None, "updated_at": utcnow()}
    if error is not None:
        values["last_error"] = error[:4000]
    if attempts is not None:
        values["attempts"] = attempts
    if progress is not None:
        values["progress"] = progress
    s.execute(update(PipelineJob).where(PipelineJob.id == job_id).values(**values))


def set_progress(db, job_id: int, progress: dict) -> None:
    with db.session() as s:
        s.execute(update(PipelineJob).where(PipelineJob.id == job_id).values(
            progress=progress, updated_at=utcnow(), lease_until=utcnow() + LEASE))


def backoff(attempts: int, base: float) -> float:
    """Exponential with full jitter: ~base, 2·base, 4·base ... capped at 5 minutes."""
    ceiling = min(300.0, base * (2 ** max(0, attempts - 1)))
    return ceiling / 2 + random.uniform(0, ceiling / 2)


def due_for_requeue(db) -> list[PipelineJob]:
    now = utcnow()
    with db.session() as s:
        return list(s.exec(select(PipelineJob).where(or_(
            (PipelineJob.status.in_(("running", RERUN))) & (PipelineJob.lease_until < now),
            (PipelineJob.status == "pending") & (PipelineJob.updated_at < now - STALE_PENDING)))))


def listing(db, status: str | None = None, limit: int = 100) -> list[PipelineJob]:
    with db.session() as s:
        q = select(PipelineJob).order_by(PipelineJob.id.desc()).limit(limit)
        if status:
            q = q.where(PipelineJob.status == status)
        return list(s.exec(q))


def attempts(db, kind: str, key: str) -> int:
    """Attempts recorded for the job (1 when there is no row)."""
    with db.session() as s:
        row = s.exec(select(PipelineJob).where(PipelineJob.kind == kind, PipelineJob.key == key)).first()
        return row.attempts if row else 1


def failed(db, shop: str, limit: int = 50) -> list[PipelineJob]:
    """The shop's parked jobs, and pending ones that already failed, most recently updated first."""
    with db.session() as s:
        return list(s.exec(select(PipelineJob).where(
            PipelineJob.shop_domain == shop,
            (PipelineJob.status == "parked") | ((PipelineJob.status == "pending") & PipelineJob.last_error.is_not(None)))
            .order_by(PipelineJob.updated_at.desc()).limit(limit)))


def get(db, job_id: int) -> PipelineJob | None:
    with db.session() as s:
        return s.get(PipelineJob, job_id)
