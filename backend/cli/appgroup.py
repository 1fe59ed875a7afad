"""`AppGroup`: an edge `Group` whose commands run inside the Flask app's context (db, shops, orders, jobs).

Kept apart from edge.py because it imports Flask: `fineprint policy ...` never loads this module.
Under `fineprint` the context is pushed by backend/cli/main.py before the command runs; Flask's
`AppGroup` wrapping still matters for `app.test_cli_runner()` and any caller that invokes `app.cli` directly.
"""
from __future__ import annotations

from flask.cli import AppGroup as FlaskAppGroup

from backend.cli.edge import Group


class AppGroup(Group, FlaskAppGroup):
    """One-line errors from `Group`, `with_appcontext` around every command from Flask's `AppGroup`."""
