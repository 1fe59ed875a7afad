"""The `fineprint` console script: every command, imported only when it is the one asked for.

`fineprint policy decide` loads the policy engine and nothing else; commands that need the app (the
database, the queue, Shopify) get it built once, just before they run, with its context pushed, as
`flask --app app ...` does (that alias stays: backend/cli/__init__.py registers the same table on the app).
"""
from __future__ import annotations

import importlib
from dataclasses import dataclass
from typing import Callable

import click

from backend.cli.edge import Group, one_line


@dataclass(frozen=True)
class Entry:
    target: str  # "module:attribute" of the click command or group
    needs_app: bool = True

    def load(self) -> click.Command:
        module, _, attr = self.target.partition(":")
        return getattr(importlib.import_module(module), attr)


COMMANDS = {
    "policy": Entry("backend.cli.policy:group", needs_app=False),
    "shops": Entry("backend.cli.shops:group"),
    "orders": Entry("backend.cli.orders:group"),
    "jobs": Entry("backend.cli.jobs:group"),
    "db": Entry("backend.cli.db:group"),
    "serve": Entry("backend.cli.serve:serve"),
    "worker": Entry("backend.cli.serve:worker"),
    "demo": Entry("backend.cli.demo:demo"),
    "compliance": Entry("backend.cli.compliance:group"),
    "flow": Entry("backend.cli.flow:group"),
}


class AppHome:
    """Builds the app the first time a command needs it (tests hand in their own factory)."""

    def __init__(self, create_app: Callable | None = None):
        self._create_app = create_app
        self._app = None

    def app(self):
        if self._app is None:
            if self._create_app is None:
                from backend import create_app

                self._create_app = create_app
            self._app = self._create_app()
        return self._app


class LazyGroup(Group):
    """A group over COMMANDS: a command's module is imported when the command is named (or help lists it)."""

    def list_commands(self, ctx) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx, name: str) -> click.Command | None:
        entry = COMMANDS.get(name)
        return entry.load() if entry else None

    def resolve_command(self, ctx, args):
        name, command, rest = super().resolve_command(ctx, args)
        if command is not None and COMMANDS[name].needs_app and not ctx.resilient_parsing:
            _enter_app(ctx)
        return name, command, rest


def _enter_app(ctx: click.Context) -> None:
    """Build the app (config from the environment) and push its context for the command about to run.
    A configuration the app refuses (say, development secrets in production) is one line, exit 1."""
    try:
        app = ctx.ensure_object(AppHome).app()
    except Exception as exc:
        raise click.ClickException(" ".join(one_line(exc).split())) from None
    ctx.with_resource(app.app_context())


cli = LazyGroup("fineprint", help="Fineprint: return and shipping policies as code, for Shopify stores.")


def main() -> None:
    cli(prog_name="fineprint")
