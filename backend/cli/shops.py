"""`flask --app app shops set-policy SHOP NAME_OR_PATH` (contract §1) and `shops list`."""
from __future__ import annotations

import click
from flask import Flask, current_app
from flask.cli import AppGroup
from sqlmodel import select

from backend.store.models import Shop

group = AppGroup("shops", help="Installed shops.")


@group.command("set-policy")
@click.argument("shop")
@click.argument("name_or_path")
def set_policy(shop, name_or_path):
    """Make NAME_OR_PATH (a preset name or a policy file) the shop's active policy."""
    from backend.policy import PolicyError, load_policy

    try:
        policy = load_policy(name_or_path)
    except PolicyError as exc:
        for problem in exc.problems:
            click.echo(str(problem), err=True)
        raise click.ClickException(f"{name_or_path} is not a valid policy")
    with current_app.extensions["fineprint.db"].session() as s:
        row = s.exec(select(Shop).where(Shop.domain == shop)).first()
        if row is None:
            raise click.ClickException(f"unknown shop {shop} (install the app on it first)")
        row.active_policy = name_or_path
        s.add(row)
    click.echo(f"{shop}: active policy {policy.name} (version {policy.version})")


@group.command("list")
def list_shops():
    with current_app.extensions["fineprint.db"].session() as s:
        for row in s.exec(select(Shop).order_by(Shop.domain)):
            state = "uninstalled" if row.uninstalled_at else "installed"
            click.echo(f"{row.domain}\t{state}\tpolicy={row.active_policy or '-'}")


def register(app: Flask) -> None:
    app.cli.add_command(group)
