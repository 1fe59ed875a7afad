"""The `fineprint` console script (backend/cli/main.py); each command group lives in its own module here.
May import: services, config, errors, and the composition root (`create_app`), which commands that need the app
build once; `serve` and `worker` start the web server and the worker.

`flask --app app <command>` remains an alias: the app registers the same commands on `app.cli`."""
from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from flask import Flask


def register_cli(app: Flask) -> None:
    from backend.cli.main import COMMANDS

    for name, entry in COMMANDS.items():
        app.cli.add_command(entry.load(), name)
