"""Backfill: decide and tag a shop's existing orders, read with one bulk operation.

    run(app, shop, since=None, progress=callback) -> {"orders", "written", "unchanged", ...}

Resumable: the job row (`pipeline_jobs`, kind `backfill`, key = shop) keeps the
bulk operation id, the downloaded JSONL file and how many orders are done; an
interrupted run picks up after the last order it recorded. Writes go through
the same per-order lock and the same `apply_order` as webhooks, paced by the
Admin client's leaky-bucket accounting, so a backfill never fights live traffic
for an order and never exceeds the shop's rate limit.
"""
from __future__ import annotations

import logging
import time
from concurrent.futures import ThreadPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Callable

import httpx

from backend.config import INSTANCE
from backend.services import queue
from backend.services.orders import apply_decision
from backend.services.orders import state as orders
from backend.services.orders.locks import order_lock
from backend.shopify import bulk, payloads
from backend.store import jobs

log = logging.getLogger(__name__)

KIND = queue.KIND_BACKFILL
SAVE_EVERY = 25


class BackfillError(RuntimeError):
    pass


def _save(db, job_id: int, state: dict) -> None:
    jobs.set_progress(db, job_id, dict(state))


def _download_dir(app) -> Path:
    config = app.config["FINEPRINT"]
    path = Path(config.backfill_dir or INSTANCE / "backfill")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _bulk_file(app, admin, db, job_id: int, shop: str, state: dict) -> Path:
    """Start (or resume polling) the bulk operation and download its JSONL once."""
    if state.get("file") and Path(state["file"]).exists():
        return Path(state["file"])
    if not state.get("bulk_id"):
        op_id, errors = bulk.started(admin.graphql(bulk.RUN_QUERY, {"query": payloads.bulk_orders_query(
            state.get("since"))}))
        if errors or not op_id:
            raise BackfillError(f"bulkOperationRunQuery refused: {errors}")
        state["bulk_id"] = op_id
        _save(db, job_id, state)
    interval = app.config["FINEPRINT"].backfill_poll_interval
    while True:
        op = bulk.polled(admin.graphql(bulk.POLL_QUERY, {"id": state["bulk_id"]}))
        if op.get("status") in bulk.FINISHED:
            break
        time.sleep(interval)
    if op.get("status") != "COMPLETED":
        state.pop("bulk_id", None)
        _save(db, job_id, state)
        raise BackfillError(f"bulk operation ended {op.get('status')}: {op.get('errorCode')}")
    target = _download_dir(app) / f"{shop}-{payloads.numeric_id(state['bulk_id'])}.jsonl"
    if op.get("url"):
        with httpx.stream("GET", op["url"], timeout=60.0) as response:
            response.raise_for_status()
            with open(target, "wb") as out:
                for chunk in response.iter_bytes():
                    out.write(chunk)
    else:
        target.write_text("")  # no orders
    state["file"] = str(target)
    state["total"] = sum(1 for rec in bulk.jsonl_records(open(target)) if "__parentId" not in rec)
    _save(db, job_id, state)
    return target


def run(app, shop: str, since: str | None = None, progress: Callable[[int, int], None] | None = None,
        restart: bool = False, admin=None) -> dict:
    db = app.extensions["fineprint.db"]
    job_id = jobs.upsert_pending(db, KIND, shop, shop, "backfill", reset=False)
    job = jobs.start(db, KIND, shop)
    state = dict(job.progress or {})
    if restart or state.get("finished") or state.get("since") != since:
        state = {"since": since, "done": 0}
    admin = admin or apply_decision.admin_for(app, shop)
    counts = {"orders": 0, "written": 0, "unchanged": 0, "skipped": 0, "deferred": 0, "other": 0}
    try:
        path = _bulk_file(app, admin, db, job_id, shop, state)
        done = int(state.get("done") or 0)
        total = int(state.get("total") or 0)
        if progress:
            progress(done, total)
        workers = app.config["FINEPRINT"].backfill_concurrency
        with open(path) as fh, ThreadPoolExecutor(max_workers=workers) as pool:
            nodes = (n for i, n in enumerate(payloads.assemble_bulk_orders(bulk.jsonl_records(fh))) if i >= done)
            # a chunk runs concurrently (its writes overlap within the shop's bucket); the saved position is
            # always a chunk boundary, so a resumed run redoes at most one chunk (and skips what it finds done)
            while chunk := list(islice(nodes, max(1, min(SAVE_EVERY, workers * 4)))):
                for outcome in pool.map(lambda node: _in_context(app, _one, app, db, admin, shop, node), chunk):
                    counts["orders"] += 1
                    counts[outcome if outcome in counts else "other"] += 1
                done += len(chunk)
                state["done"] = done
                _save(db, job_id, state)
                if progress:
                    progress(done, total)
    except Exception as exc:
        state_copy = dict(state)
        jobs.finish(db, job_id, "pending", error=f"{type(exc).__name__}: {exc}", progress=state_copy)
        raise
    state.update(done=done, finished=True)
    jobs.finish(db, job_id, "done", progress=state)
    counts["total"] = total
    return counts


def _in_context(app, fn, *args):
    with app.app_context():
        return fn(*args)


def _one(app, db, admin, shop: str, node: dict) -> str:
    order = payloads.order_from_graphql(node)
    orders.ingest_order(db, shop, order)
    with db.session() as s:
        state = orders.load(s, shop, order["id"])
        if state is not None and state.applied_revision == state.revision and state.decision_hash:
            return "skipped"  # already decided on these facts (webhooks got there first, or a resumed run)
    with order_lock(app, shop, order["id"]) as held:
        if not held:  # a live webhook is on it right now; let the queue finish the job
            queue.enqueue_apply(app, shop, order["id"], "backfill")
            return "deferred"
        return apply_decision.apply_order(app, shop, order["id"], "backfill")
