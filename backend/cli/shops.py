"""`flask --app app shops set-policy SHOP NAME_OR_PATH` (contract §1) and `shops list`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from sqlmodel import select

from backend.cli.edge import Group
from backend.cli.inputs import require_utf8
from backend.store.models import Shop

group = Group("shops", help="Installed shops.")


@group.command("set-policy")
@click.argument("shop")
@click.argument("name_or_path")
def set_policy(shop, name_or_path):
    """Make NAME_OR_PATH (a preset name or a policy file) the shop's active policy.

    Same service as the admin page: a new policy version (kept, with who and when),
    activated, and the shop's stored orders re-decided."""
    from backend.errors import AppError
    from backend.services import policies

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
    with current_app.extensions["fineprint.db"].session() as s:
        for row in s.exec(select(Shop).order_by(Shop.domain)):
            state = "uninstalled" if row.uninstalled_at else "installed"
            click.echo(f"{row.domain}\t{state}\tpolicy={row.active_policy or '-'}")


def register(app: Flask) -> None:
    app.cli.add_command(group)
