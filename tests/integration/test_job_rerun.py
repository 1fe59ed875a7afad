"""News for an order whose decision is being applied right now: the job stays open until a run has seen it.

Found by the pipeline stories under load: `fulfillments/create` arrived while the `orders/create` run was
writing, its run was queued, and the first run's "done" made the job look finished before the second run
had decided the fulfillment (anyone waiting on the job table, the admin page included, saw a stale order)."""
from backend.store.models import PipelineJob
from backend.store import jobs as jobs_table

KEY = "fineprint-dev.myshopify.com:42"


def _status(app, job_id) -> str:
    with app.extensions["fineprint.db"].session() as s:
        return s.get(PipelineJob, job_id).status


def test_news_during_a_run_leaves_the_job_pending_after_that_run(app):
    db = app.extensions["fineprint.db"]
    job_id = jobs_table.upsert_pending(db, "apply_order", KEY, "fineprint-dev.myshopify.com", "orders/create")
    jobs_table.start(db, "apply_order", KEY)
    assert jobs_table.upsert_pending(db, "apply_order", KEY, "fineprint-dev.myshopify.com", "fulfillments/create") \
        == job_id
    assert _status(app, job_id) == "rerun"
    jobs_table.finish(db, job_id, "done")  # the first run ends, having read the order before the news
    assert _status(app, job_id) == "pending"
    jobs_table.start(db, "apply_order", KEY)  # the queued run
    jobs_table.finish(db, job_id, "done")
    assert _status(app, job_id) == "done"


def test_without_news_a_run_ends_done(app):
    db = app.extensions["fineprint.db"]
    job_id = jobs_table.upsert_pending(db, "apply_order", KEY, "fineprint-dev.myshopify.com", "orders/create")
    jobs_table.start(db, "apply_order", KEY)
    jobs_table.finish(db, job_id, "done")
    assert _status(app, job_id) == "done"


def test_a_run_that_finds_the_order_busy_keeps_the_job_open_whoever_finishes_first(app):
    db = app.extensions["fineprint.db"]
    job_id = jobs_table.upsert_pending(db, "apply_order", KEY, "fineprint-dev.myshopify.com", "orders/create")
    jobs_table.start(db, "apply_order", KEY)
    jobs_table.finish(db, job_id, "done")  # the lock holder finished before the busy run said so
    jobs_table.request_rerun(db, job_id)
    assert _status(app, job_id) == "pending"
