"""The CLI's edge: bad input answers with one clear line and exit status 1, never a traceback.

Every command group of `fineprint` (and of its alias `flask --app app`), except `serve`/`worker`, is a
`Group` from here (or `backend.cli.appgroup.AppGroup`, the same with the app's context):

* a usage error (unknown option, missing or invalid argument) is one line pointing at `--help`, and
  exits with 1, not Click's 2, because the commands promise one status for "your input was refused";
* an error the input can cause (an unknown shop, a policy that will not load, an unreachable shop,
  an unknown migration) becomes `Error: <one line>` and exit 1. Anything else is a bug: it still gets
  one line (the traceback goes to the debug log), so a merchant's terminal never fills with frames.
"""
from __future__ import annotations

import logging

import click

log = logging.getLogger(__name__)

_PASS_THROUGH = (click.ClickException, click.exceptions.Exit, click.Abort, SystemExit, KeyboardInterrupt)


def one_line(exc: BaseException) -> str:
    """What went wrong, in one line a merchant can act on."""
    import httpx
    from alembic.util import CommandError

    from backend.config import ConfigError
    from backend.errors import AppError
    from backend.shopify.errors import ShopifyError

    if isinstance(exc, AppError):
        return exc.message
    if isinstance(exc, httpx.TransportError):
        where = exc.request.url.copy_with(query=None) if _has_request(exc) else "the shop"
        return f"cannot reach {where}: {exc or type(exc).__name__} (is the shop's Admin API origin right?)"
    if isinstance(exc, (ShopifyError, CommandError, ConfigError)):
        return str(exc)
    if isinstance(exc, UnicodeDecodeError):
        return f"a file is not UTF-8 text ({exc.reason} at byte {exc.start}): save it as UTF-8"
    if isinstance(exc, OSError) and exc.filename:
        return f"{exc.filename}: {exc.strerror}"
    return f"unexpected {type(exc).__name__}: {exc}"


def _has_request(exc) -> bool:
    try:
        return exc.request is not None
    except RuntimeError:  # httpx raises when the error was built without a request
        return False


def _flatten(text: str) -> str:
    return " ".join(str(text).split())


def _usage(exc: click.UsageError) -> click.ClickException:
    if isinstance(exc, click.exceptions.NoArgsIsHelpError):  # a bare `fineprint shops`: its help, not an error
        click.echo(exc.ctx.get_help())
        raise click.exceptions.Exit(0)
    hint = f" (see '{exc.ctx.command_path} --help')" if exc.ctx is not None else ""
    return click.ClickException(_flatten(exc.format_message()) + hint)


class Command(click.Command):
    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _usage(exc) from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as exc:  # raised by a command's own argument checks
            raise _usage(exc) from None
        except _PASS_THROUGH:
            raise
        except Exception as exc:
            log.debug("%s failed", ctx.command_path, exc_info=True)
            raise click.ClickException(_flatten(one_line(exc))) from None


class Group(click.Group):
    """A group whose commands are `Command`s and whose own usage errors exit 1 too. Flask-free, so the
    `policy` commands start without loading the web app."""

    command_class = Command

    def make_context(self, info_name, args, parent=None, **extra):
        try:
            return super().make_context(info_name, args, parent, **extra)
        except click.UsageError as exc:
            raise _usage(exc) from None

    def resolve_command(self, ctx, args):
        try:
            return super().resolve_command(ctx, args)
        except click.UsageError as exc:
            raise _usage(exc) from None
