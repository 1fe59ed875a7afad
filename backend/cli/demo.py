"""`fineprint demo` (`make demo`): a demo store on the Shopify simulator, tagged by the worker.

    fineprint demo                          # serve until Ctrl-C; prints the admin page URL
    fineprint demo --preset novus           # another preset
    fineprint demo --no-serve               # bounded: set up, tag, print, exit (tests, CI)
"""
from __future__ import annotations

import signal
import sys
import time

import click
from flask import current_app

from backend.cli.edge import Command


@click.command("demo", cls=Command)
@click.option("--preset", default="aallyn", show_default=True, help="Policy preset for the demo shop.")
@click.option("--port", type=int, default=None, help="HTTP port (default: $PORT or 8000).")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Keep serving the admin page after the orders are tagged.")
@click.option("--timeout", default=60.0, show_default=True, help="Seconds to wait for tagged orders.")
def demo(preset: str, port: int | None, serve: bool, timeout: float) -> None:
    """Start the app with the Shopify simulator as a demo shop, install it through OAuth,
    load sample products and orders, let the worker tag them, print the admin page URL.
    The demo shop lives in the app's database (DATABASE_URL), so every command reaches it."""
    DemoStore = _demo_store_class()
    started = time.monotonic()
    config = current_app.config["FINEPRINT"]
    port = port or config.port
    click.echo(f"demo: starting the Shopify simulator and the app on http://127.0.0.1:{port} (preset {preset})")
    store = DemoStore(config, preset=preset, port=port)
    try:
        store.start()
        click.echo(f"demo: installed on {store.shop} through OAuth ({' → '.join(store.install_hops)})")
        ids = store.load_samples()
        click.echo(f"demo: {len(ids)} orders created; their webhooks were sent, the worker is tagging them")
        store.wait_for_tags(timeout)
        _print_orders(store)
        click.echo(f"demo: tagged in {time.monotonic() - started:.1f}s")
        click.echo("")
        click.echo(f"  Admin page (demo store — simulated Shopify): {store.admin_url}")
        click.echo("")
        _print_next_steps(store)
        if serve:
            _wait_for_ctrl_c()
    except Exception as exc:
        click.echo(f"demo: failed: {exc}", err=True)
        store.stop()
        sys.exit(1)
    store.stop()


def _demo_store_class():
    """The demo runs on the Shopify simulator, `devshop/`: a development package beside `backend/` in a source
    checkout, never shipped in the wheel. The console script does not put the checkout on sys.path, so the demo
    adds it when (and only when) the checkout holds devshop/."""
    from pathlib import Path

    import backend

    checkout = Path(backend.__file__).resolve().parents[1]
    if (checkout / "devshop" / "__init__.py").is_file() and str(checkout) not in sys.path:
        sys.path.insert(0, str(checkout))
    try:
        from devshop.demo_store import DemoStore
    except ImportError:
        raise click.ClickException("the demo needs the Shopify simulator (devshop/), which only a source checkout "
                                   "has: run `make demo` in the Fineprint repository") from None
    return DemoStore


def _print_orders(store) -> None:
    for oid, seen in store.shopify_tags().items():
        tags = ", ".join(seen["tags"]) or "(no tags)"
        click.echo(f"  order {seen['name']:>6} (id {oid}): {tags:<48} return deadline {seen['deadline'] or '—'}")


def _print_next_steps(store) -> None:
    click.echo(f"  While it runs, the CLI reaches {store.shop} too, for example:")
    click.echo(f"    .venv/bin/fineprint shops set-policy {store.shop} novus")
    click.echo(f"    .venv/bin/fineprint orders backfill {store.shop}")
    click.echo("")


def _wait_for_ctrl_c() -> None:
    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stopping.append(True))
    click.echo("demo: serving — Ctrl-C stops it")
    while not stopping:
        time.sleep(0.2)
