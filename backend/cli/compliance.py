"""`fineprint compliance list|export SHOP`: customer data requests for the merchant (as the admin page)."""
from __future__ import annotations

import json
import sys

import click
from flask import current_app
from backend.cli.appgroup import AppGroup
from backend.cli.inputs import ShopDomain

group = AppGroup("compliance", help="Customer data requests (customers/data_request) and their reports.")


def _db():
    return current_app.extensions["fineprint.db"]


@group.command("list")
@click.argument("shop", type=ShopDomain())
def list_requests(shop: str) -> None:
    """The shop's data requests, newest first."""
    from backend.services.compliance import reports as compliance_reports

    rows = compliance_reports.listing(_db(), shop)
    if not rows:
        click.echo(f"no data requests for {shop}")
    for r in rows:
        counts = ", ".join(f"{k} {v}" for k, v in r["records"].items()) or "nothing held"
        click.echo(f"{r['id']}\t{r['requested_at']}\tcustomer {r['customer_id']}\trequest {r['data_request_id']}"
                   f"\t{counts}")


@group.command("export")
@click.argument("shop", type=ShopDomain())
@click.option("--request", "record_id", type=int, default=None, help="Only this report (an id from `list`).")
@click.option("--out", type=click.Path(dir_okay=False, writable=True), default=None, help="Write to a file.")
def export(shop: str, record_id: int | None, out: str | None) -> None:
    """Write the shop's data-request reports (JSON) to stdout or a file."""
    from backend.errors import AppError
    from backend.services.compliance import reports as compliance_reports

    try:
        data = (compliance_reports.document(_db(), shop, record_id) if record_id is not None
                else compliance_reports.export(_db(), shop))
    except AppError as err:
        click.echo(f"error: {err.message}", err=True)
        sys.exit(1)
    text = json.dumps(data, indent=2, sort_keys=True, default=str)
    if out:
        with open(out, "w", encoding="utf-8") as fh:
            fh.write(text + "\n")
        click.echo(f"wrote {out}", err=True)
    else:
        click.echo(text)
