"""`fineprint flow ...`: Shopify Flow settings and the armed triggers (backend/services/flow/)."""
from __future__ import annotations

import click
from flask import current_app

from backend.cli.appgroup import AppGroup

group = AppGroup("flow", help="Shopify Flow triggers.")


def _known_shop(shop: str) -> None:
    from backend.store import shops

    if shops.get(current_app.extensions["fineprint.db"], shop) is None:
        raise click.ClickException(f"unknown shop {shop!r} (see `shops list`)")


@group.command("set-reminder-days")
@click.argument("shop")
@click.argument("days", type=click.IntRange(0, 60))
def set_reminder_days(shop, days):
    """How many days before a return or trial deadline the reminders fire (default 3)."""
    from backend.services.flow import settings as flow_settings

    _known_shop(shop)
    moved = flow_settings.set_reminder_days(current_app.extensions["fineprint.db"], shop, days)
    click.echo(f"{shop}: Flow reminders {days} day(s) before each deadline ({moved} armed reminder(s) moved; "
               "the admin page's Settings show the same value)")


@group.command("list")
@click.argument("shop")
def list_triggers(shop):
    """The shop's Flow triggers: armed, sent, cancelled or failed, with their deadline and firing time."""
    from backend.services.flow import schedule as flow_schedule

    _known_shop(shop)
    for row in flow_schedule.rows_for(current_app.extensions["fineprint.db"], shop):
        click.echo(f"{row.order_id}\t{row.trigger}\t{row.deadline}\t{row.status}\t{row.fire_at.isoformat()}"
                   + (f"\t{row.last_error}" if row.last_error else ""))
