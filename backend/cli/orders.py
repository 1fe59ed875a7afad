"""`fineprint orders backfill SHOP [--since DATE]`: decide and tag a shop's existing orders."""
from __future__ import annotations

from datetime import date

import click
from flask import current_app

from backend.cli.appgroup import AppGroup
from backend.cli.inputs import IsoDate
from backend.store import shops

group = AppGroup("orders", help="Order pipeline commands.")


@group.command("backfill")
@click.argument("shop")
@click.option("--since", type=IsoDate(), default=None, help="Only orders created on or after this date (YYYY-MM-DD).")
@click.option("--restart", is_flag=True, help="Start over instead of resuming an interrupted run.")
def backfill_cmd(shop, since, restart):
    """Read every order with a bulk operation, decide it with the shop's active policy and write
    tags and deadline within the rate limit. Interrupted? Run it again: it resumes."""
    from backend.services.orders import backfill
    from backend.services.admin import demo

    app = current_app._get_current_object()
    # The demo shop's Shopify is the simulator inside `make demo`; this process is one command long,
    # so pointing its config there (and nowhere else) is the whole change.
    app.config["FINEPRINT"] = demo.reach(app.config["FINEPRINT"], shop)
    row = shops.get(app.extensions["fineprint.db"], shop)
    if row is None:
        raise click.ClickException(f"unknown shop {shop}")
    if not row.active_policy:
        raise click.ClickException(f"{shop} has no active policy; run `fineprint shops set-policy {shop} NAME`")
    notes = _how_far_back(row.scopes, since)
    bar = {"bar": None, "at": 0}

    def progress(done: int, total: int) -> None:
        if bar["bar"] is None:
            _say(notes)  # once the run is under way: a shop that cannot be reached gets its one error line only
            bar["bar"] = click.progressbar(length=max(total, 1), label=f"backfill {shop}", show_pos=True)
            bar["bar"].__enter__()
        bar["bar"].update(done - bar["at"])
        bar["at"] = done

    try:
        counts = backfill.run(app, shop, since=since and since.isoformat(), progress=progress, restart=restart)
    finally:
        if bar["bar"] is not None:
            bar["bar"].__exit__(None, None, None)
    if bar["bar"] is None:
        _say(notes)
    click.echo(" ".join(f"{k}={v}" for k, v in counts.items()))


def _how_far_back(scopes: str, since: date | None) -> list[str]:
    """Without read_all_orders Shopify hands out the last 60 days only: what to tell before a long run."""
    from backend.services.install import order_access

    access = order_access.of_scopes(scopes, date.today())
    if access.all_orders:
        return []
    notes = [access.notice()]
    if since is None or since < access.oldest:
        notes.append(f"orders created before {access.oldest} will not be read.")
    return notes


def _say(notes: list[str]) -> None:
    for note in notes:
        click.echo(f"note: {note}", err=True)
    notes.clear()
