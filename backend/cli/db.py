"""`flask --app app db upgrade|downgrade`: migrations for the configured DATABASE_URL."""
import click
from flask import Flask, current_app
from flask.cli import AppGroup

from backend.store import migrate

group = AppGroup("db", help="Database migrations (Alembic).")


@group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    migrate.upgrade(current_app.config["FINEPRINT"].database_url, revision)
    click.echo(f"database at {revision}")


@group.command("downgrade")
@click.argument("revision", default="base")
def downgrade(revision: str) -> None:
    """Revert migrations down to REVISION (default: base, an empty database)."""
    migrate.downgrade(current_app.config["FINEPRINT"].database_url, revision)
    click.echo(f"database at {revision}")


def register(app: Flask) -> None:
    app.cli.add_command(group)
