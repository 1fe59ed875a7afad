"""`flask --app app jobs list|retry|sweep`: the pipeline's failed (parked) work, visible and retryable."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup

from backend.tasks import jobs_table

group = AppGroup("jobs", help="List and retry pipeline jobs (parked = failed after every retry).")


def _db():
    return current_app.extensions["fineprint.db"]


@group.command("list")
@click.option("--status", type=click.Choice(["pending", "running", "done", "parked"]), default=None,
              help="Only jobs in this status.")
@click.option("--limit", default=50, show_default=True)
def list_jobs(status, limit):
    """Jobs, newest first: id, kind, key, status, attempts, last error."""
    rows = jobs_table.listing(_db(), status, limit)
    if not rows:
        click.echo("no jobs")
        return
    for row in rows:
        error = (row.last_error or "").replace("\n", " ")[:120]
        click.echo(f"{row.id}\t{row.kind}\t{row.key}\t{row.status}\tattempts={row.attempts}\t{error}")


@group.command("retry")
@click.argument("job_id", type=int, required=False)
@click.option("--all", "all_parked", is_flag=True, help="Requeue every parked job.")
def retry(job_id, all_parked):
    """Requeue a job (by ID) or every parked job; attempts start again from zero."""
    from backend.tasks.orders import requeue

    if job_id is None and not all_parked:
        raise click.UsageError("give a job ID or --all")
    rows = jobs_table.listing(_db(), "parked", 100000) if all_parked else [jobs_table.get(_db(), job_id)]
    if rows == [None]:
        raise click.ClickException(f"no job {job_id}")
    for row in rows:
        requeue(current_app._get_current_object(), row)
        click.echo(f"requeued {row.id}\t{row.kind}\t{row.key}")
    if not rows:
        click.echo("no parked jobs")


@group.command("sweep")
def sweep_cmd():
    """Requeue jobs whose worker died or whose message was lost; re-decide orders whose fallback is due."""
    from backend.tasks.orders import sweep

    click.echo(sweep(current_app._get_current_object()))


def register(app: Flask) -> None:
    app.cli.add_command(group)
