"""`fineprint jobs list|retry|sweep`: the pipeline's failed (parked) work, visible and retryable.

Webhook events take part too: `jobs list --webhooks` shows the ones not done (id `wh:N`),
`jobs retry --webhooks` / `jobs retry wh:N` requeue failed ones, `jobs sweep` requeues stuck ones."""
from __future__ import annotations

import click
from flask import current_app

from backend.cli.appgroup import AppGroup
from backend.services import queue
from backend.services.orders import pipeline
from backend.services.webhooks import recovery
from backend.store import jobs

group = AppGroup("jobs", help="List and retry pipeline jobs (parked = failed after every retry).")


def _app():
    return current_app._get_current_object()


def _db():
    return current_app.extensions["fineprint.db"]


@group.command("list")
@click.option("--status", type=click.Choice(["pending", "running", "rerun", "done", "parked"]), default=None,
              help="Only jobs in this status.")
@click.option("--limit", type=click.IntRange(min=1), default=50, show_default=True)
@click.option("--webhooks", is_flag=True, help="Webhook events not done (failed, waiting, processing) instead.")
def list_jobs(status, limit, webhooks):
    """Jobs, newest first: id, kind, key, status, attempts, last error."""
    if webhooks:
        return _list_webhooks(limit)
    rows = jobs.listing(_db(), status, limit)
    if not rows:
        click.echo("no jobs")
        return
    for row in rows:
        error = (row.last_error or "").replace("\n", " ")[:120]
        click.echo(f"{row.id}\t{row.kind}\t{row.key}\t{row.status}\tattempts={row.attempts}\t{error}")


def _list_webhooks(limit):
    rows = recovery.listing(_app(), limit)
    for row in rows:
        error = (row.last_error or "").replace("\n", " ")[:120]
        click.echo(f"{recovery.PREFIX}{row.id}\t{row.topic}\t{row.shop_domain}\t{row.status}\t"
                   f"attempts={row.attempts}\t{error}")
    if not rows:
        click.echo("no webhook events waiting or failed")


@group.command("retry")
@click.argument("job_id", required=False)
@click.option("--all", "all_parked", is_flag=True, help="Requeue every parked job.")
@click.option("--webhooks", is_flag=True, help="Requeue every failed webhook event.")
def retry(job_id, all_parked, webhooks):
    """Requeue a job (by ID, or wh:ID for a webhook event), every parked job or every failed webhook event;
    attempts start again from zero."""
    if job_id is None and not all_parked and not webhooks:
        raise click.UsageError("give a job ID, wh:ID, --all or --webhooks")
    if (job_id or "").startswith(recovery.PREFIX):
        return _retry_webhooks(job_id)
    if webhooks:
        _retry_webhooks(None)
        if job_id is None and not all_parked:
            return
    if job_id is not None and not job_id.isdigit():
        raise click.UsageError(f"not a job ID: {job_id!r} (a number, or wh:N for a webhook event)")
    job_id = int(job_id) if job_id else None
    rows = jobs.listing(_db(), "parked", 100000) if all_parked else [jobs.get(_db(), job_id)]
    if rows == [None]:
        raise click.ClickException(f"no job {job_id}")
    for row in rows:
        queue.requeue(_app(), row)
        click.echo(f"requeued {row.id}\t{row.kind}\t{row.key}")
    if not rows:
        click.echo("no parked jobs")


def _retry_webhooks(wanted):
    ids = None if wanted is None else [_webhook_id(wanted)]
    requeued = recovery.retry_failed(_app(), ids)
    if ids and not requeued:
        raise click.ClickException(f"no failed webhook event {wanted}")
    for row_id in requeued:
        click.echo(f"requeued {recovery.PREFIX}{row_id}")
    if not requeued:
        click.echo("no failed webhook events")


def _webhook_id(text: str) -> int:
    number = text.removeprefix(recovery.PREFIX)
    if not number.isdigit():
        raise click.UsageError(f"not a webhook event ID: {text!r} (wh:N)")
    return int(number)


@group.command("sweep")
def sweep_cmd():
    """Requeue jobs and webhook events whose worker died or whose message was lost; re-decide orders whose
    fallback is due."""
    click.echo(pipeline.sweep(_app()))
