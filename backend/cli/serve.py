"""`flask --app app serve` (web + worker together, for `make run`) and `flask --app app worker`.

`serve` starts gunicorn and one huey consumer as child processes and stops
both on Ctrl-C or SIGTERM. Production runs them separately: gunicorn on as
many machines as needed, `flask --app app worker` wherever there is Redis.
"""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import click
from flask import Flask, current_app


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Worker threads.")
def worker(workers: int) -> None:
    """Run a huey consumer for the configured queue (SQLite file or Redis)."""
    from backend import jobs

    cfg = current_app.config["FINEPRINT"]
    where = cfg.redis_url and "redis" or jobs.huey_sqlite_path(cfg)
    click.echo(f"worker: consuming from {where} with {workers} threads")
    jobs.heartbeat(jobs.worker_name())
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                         check_worker_health=True)
    consumer.run()


@click.command("serve")
@click.option("--web-workers", default=2, show_default=True)
def serve(web_workers: int) -> None:
    """Start the web app and its worker; Ctrl-C stops both."""
    cfg = current_app.config["FINEPRINT"]
    bind = f"127.0.0.1:{cfg.port}"
    bin_dir = os.path.dirname(sys.executable)
    stopping = []
    for sig in (signal.SIGINT, signal.SIGTERM):  # before any child exists: no half-started state
        signal.signal(sig, lambda *_: stopping.append(True))
    children = [
        subprocess.Popen([os.path.join(bin_dir, "gunicorn"), "--bind", bind, "--workers", str(web_workers),
                          "--threads", "4", "--access-logfile", "-", "app:app"]),
        subprocess.Popen([os.path.join(bin_dir, "flask"), "--app", "app", "worker"]),
    ]
    click.echo(f"Fineprint is running at http://{bind}  (health: http://{bind}/health) — Ctrl-C stops it")
    while not stopping and all(c.poll() is None for c in children):
        time.sleep(0.2)
    crashed = [c for c in children if c.poll() not in (None, 0)]
    _stop(children)
    sys.exit(1 if crashed else 0)


def _stop(children: list[subprocess.Popen]) -> None:
    for child in children:
        if child.poll() is None:
            child.send_signal(signal.SIGTERM)
    for child in children:
        try:
            child.wait(timeout=15)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()


def register(app: Flask) -> None:
    app.cli.add_command(worker)
    app.cli.add_command(serve)
