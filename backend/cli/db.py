"""`fineprint db upgrade|downgrade`: migrations for the configured DATABASE_URL.

A downgrade drops tables and the data in them, so it asks first (or takes `--yes`); an
unknown revision is refused before anything is asked or touched."""
import click
from flask import current_app
from sqlalchemy.engine import make_url

from backend.cli.appgroup import AppGroup
from backend.store import migrate

group = AppGroup("db", help="Database migrations (Alembic).")


def _url() -> str:
    return current_app.config["FINEPRINT"].database_url


def _known(revision: str) -> None:
    """Refuse a revision Alembic does not know, in one line."""
    from alembic.script import ScriptDirectory
    from alembic.util import CommandError

    if revision in ("head", "heads", "base") or revision[:1] in "+-":  # relative steps: Alembic checks them
        return
    scripts = ScriptDirectory.from_config(migrate.alembic_config(_url()))
    try:
        scripts.get_revisions(revision)
    except CommandError:
        known = ", ".join(sorted(s.revision for s in scripts.walk_revisions()))
        raise click.ClickException(f"unknown revision {revision!r} (known: {known}, head, base)") from None


@group.command("upgrade")
@click.argument("revision", default="head")
def upgrade(revision: str) -> None:
    """Apply migrations up to REVISION (default: head)."""
    _known(revision)
    migrate.upgrade(_url(), revision)
    click.echo(f"database at {revision}")


@group.command("downgrade")
@click.argument("revision", default="base")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
def downgrade(revision: str, yes: bool) -> None:
    """Revert migrations down to REVISION (default: base, an empty database). Asks first unless --yes."""
    _known(revision)
    where = make_url(_url()).render_as_string(hide_password=True)
    what = "every table and all data" if revision == "base" else f"the tables added after {revision}"
    if not yes:
        click.confirm(f"This drops {what} in {where}. Continue?", abort=True)
    migrate.downgrade(_url(), revision)
    click.echo(f"database at {revision}")
