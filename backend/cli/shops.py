"""`fineprint shops set-policy SHOP NAME_OR_PATH` (contract §1), `shops list`, `shops migrate-tokens`."""
from __future__ import annotations

import click
from flask import current_app

from backend.cli.appgroup import AppGroup
from backend.cli.inputs import ShopDomain, require_utf8
from backend.store import shops as shops_table

group = AppGroup("shops", help="Installed shops.")


@group.command("set-policy")
@click.argument("shop")
@click.argument("name_or_path")
def set_policy(shop, name_or_path):
    """Make NAME_OR_PATH (a preset name or a policy file) the shop's active policy.

    Same service as the admin page: a new policy version (kept, with who and when),
    activated, and the shop's stored orders re-decided."""
    from backend.errors import AppError
    from backend.services.decisions import policies

    require_utf8(name_or_path)
    try:
        row = policies.set_policy(current_app._get_current_object(), shop, name_or_path, "cli")
    except AppError as exc:
        for problem in (exc.details or {}).get("problems", []) if isinstance(exc.details, dict) else []:
            click.echo(problem["text"], err=True)
        raise click.ClickException(f"{name_or_path}: {exc.message}")
    click.echo(f"{shop}: active policy {row.name} (version {row.version})")


@group.command("list")
def list_shops():
    """Every shop the app knows: domain, installed or not, active policy."""
    for row in shops_table.listing(current_app.extensions["fineprint.db"]):
        state = "uninstalled" if row.uninstalled_at else "installed"
        click.echo(f"{row.domain}\t{state}\tpolicy={row.active_policy or '-'}")


@group.command("migrate-tokens")
@click.argument("shops", nargs=-1, type=ShopDomain())
def migrate_tokens(shops):
    """Exchange stored non-expiring offline tokens for expiring ones (Shopify refuses non-expiring tokens
    of public apps from 2027-01-01). Without SHOPS: every installed shop. Each shop is also migrated on
    its own at its next Admin API call; this does it now and says how each went. Exit 1 if any failed."""
    from backend.errors import AppError
    from backend.services.install import tokens
    domains = list(shops) or shops_table.installed_domains(current_app.extensions["fineprint.db"])
    failed = 0
    for domain in domains:
        try:
            click.echo(f"{domain}\t{tokens.migrate(domain)}")
        except AppError as exc:
            if len(domains) == 1:  # one shop asked: its failure is the one error line, no "1 of 1" summary
                raise click.ClickException(f"{domain}: not migrated: {exc.message}") from None
            failed += 1
            click.echo(f"{domain}\tfailed: {exc.message}", err=True)
    if failed:
        raise click.ClickException(f"{failed} of {len(domains)} shops not migrated")


@group.command("set-returns-mode")
@click.argument("shop", type=ShopDomain())
@click.argument("mode", type=click.Choice(["enforce", "recommend", "off"], case_sensitive=False))
@click.option("--process-on-receipt/--no-process-on-receipt", default=None,
              help="Also process approved returns (the refund as decided) once their items are received.")
def set_returns_mode(shop, mode, process_on_receipt):
    """How the shop's Shopify returns are handled: enforce (approve or decline each request by the policy),
    recommend (the verdict as an order tag and note; a new shop's default) or off. The admin page's Returns
    section does the same."""
    from backend.errors import AppError
    from backend.services.returns import mode as returns_mode

    try:
        saved = returns_mode.set_mode(current_app.extensions["fineprint.db"], shop, mode, "cli",
                                      process_on_receipt=process_on_receipt)
    except AppError as exc:
        raise click.ClickException(f"{shop}: {exc.message}") from None
    click.echo(f"{shop}: returns mode {saved['mode']}" + ("; processed on receipt" if saved["process_on_receipt"]
                                                          else ""))
