"""`fineprint serve` (web + worker together, for `make run`) and `fineprint worker`.

`serve` checks the web port, starts the web server on it (granian by default, gunicorn with
FINEPRINT_WEB_SERVER=gunicorn: backend/cli/webserver.py) and one huey consumer as child processes
(backend/cli/supervisor.py) and stops both, and everything they started, on Ctrl-C, SIGTERM or SIGHUP.
Production runs them separately: the web server on as many machines as needed, `fineprint worker`
wherever there is Redis.
"""
from __future__ import annotations

import os
import signal
import sys

import click
from flask import current_app

from backend.cli import webserver
from backend.cli.supervisor import Child, Supervisor, listen, wait_listening

HOST = "127.0.0.1"
# serve's stop budget: the web server's workers and the consumer's running tasks get STOP_SECONDS to finish;
# serve kills what is left after KILL_AFTER (never on the normal path: the slack is for a loaded machine).
STOP_SECONDS = 5
KILL_AFTER = STOP_SECONDS + 10


@click.command("worker")
@click.option("--workers", "-w", default=2, show_default=True, help="Worker threads.")
@click.option("--shutdown-timeout", default=30.0, show_default=True,
              help="Seconds running tasks get to finish after SIGTERM before the consumer exits anyway.")
def worker(workers: int, shutdown_timeout: float) -> None:
    """Run a huey consumer for the configured queue (SQLite file or Redis).

    SIGTERM (what `serve`, systemd and Kubernetes send) stops it gracefully: running tasks get
    --shutdown-timeout seconds to finish. SIGINT (Ctrl-C) stops it at once, cutting short a task that is running."""
    from backend import jobs

    cfg = current_app.config["FINEPRINT"]
    where = cfg.redis_url and "redis" or jobs.huey_sqlite_path(cfg)
    click.echo(f"worker: consuming from {where} with {workers} threads")
    jobs.heartbeat(jobs.worker_name())
    # graceful_signal="TERM": until huey's handlers are in place, SIGTERM's default action ends the process
    # quietly, where SIGINT would raise KeyboardInterrupt wherever the app happens to be in its start-up.
    consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=True,
                                         check_worker_health=True, shutdown_timeout=shutdown_timeout,
                                         graceful_signal="TERM")
    consumer.run()


@click.command("serve")
@click.option("--web-workers", default=2, show_default=True)
def serve(web_workers: int) -> None:
    """Start the web app and its worker; Ctrl-C stops both."""
    port = current_app.config["FINEPRINT"].port
    try:
        server = webserver.server_name()
    except ValueError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        sock = listen(HOST, port)
    except (OSError, OverflowError) as exc:
        raise click.ClickException(f"cannot listen on {HOST}:{port}: {getattr(exc, 'strerror', None) or exc}"
                                   " (another `make run`? choose another port with PORT=...)") from None
    if server == "granian":
        # granian binds its own socket (it takes no inherited descriptor): the check above makes a taken port
        # one clear error; the port is free again for granian a moment later.
        sock.close()
        children = _children(None, web_workers, server)
    else:
        children = _children(sock.fileno(), web_workers, server)
    supervisor = Supervisor(children, grace=KILL_AFTER)
    started = supervisor.start()
    if server != "granian":
        sock.close()  # gunicorn holds the port now: when it exits, the port is free
    if started and server == "granian":
        started = wait_listening(HOST, port, supervisor, seconds=60)
    if started:
        url = f"http://{HOST}:{port}"
        click.echo(f"Fineprint is running at {url}  (health: {url}/health) — Ctrl-C stops it")
        failed = supervisor.wait()
    else:
        failed = supervisor.stop.signum is None  # the web server never listened, and nobody asked to stop
        if failed:
            click.echo(f"serve: the web server did not listen on {HOST}:{port}", err=True)
        supervisor.shutdown()
    sys.exit(1 if failed else 0)


def _children(fd: int | None, web_workers: int, server: str = webserver.DEFAULT_SERVER) -> list[Child]:
    bin_dir = os.path.dirname(sys.executable)
    if server == "granian":
        web = [*webserver.granian_argv(HOST, current_app.config["FINEPRINT"].port, workers=web_workers,
                                       threads=2, access_log=True)[:-1],
               "--workers-kill-timeout", str(STOP_SECONDS), "app:app"]
        pass_fds: tuple[int, ...] = ()
    else:
        web = webserver.gunicorn_argv(f"fd://{fd}", ["--workers", str(web_workers), "--threads", "4",
                                                     "--graceful-timeout", str(STOP_SECONDS),
                                                     "--access-logfile", "-"])
        pass_fds = (fd,)
    jobs = [os.path.join(bin_dir, "flask"), "--app", "app", "worker", "--shutdown-timeout", str(STOP_SECONDS)]
    # SIGTERM is the graceful stop of all three (gunicorn's SIGINT is its quick one, the worker's its immediate
    # one; granian finishes the requests in flight, then kills workers still running after --workers-kill-timeout).
    return [Child("web server", web, signal.SIGTERM, pass_fds=pass_fds), Child("worker", jobs, signal.SIGTERM)]
