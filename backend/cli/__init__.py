"""The `fineprint` console script (backend/cli/main.py); each command group lives in its own module here.

`flask --app app <command>` remains an alias: the app registers the same commands on `app.cli`."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register_cli(app: Flask) -> None:
    from backend.cli.main import COMMANDS

    for name, entry in COMMANDS.items():
        app.cli.add_command(entry.load(), name)
