"""Start and stop the web server for the benches (bench/api.py, bench/pipeline.py), as `make run` starts it.

BENCH_SERVER=granian|gunicorn picks the server for A/B runs (default: the production default,
backend/cli/webserver.py, where the measured comparison is written). BENCH_GUNICORN_ARGS replaces gunicorn's
`-c gunicorn.conf.py` for experiments, BENCH_GRANIAN_ARGS adds options to granian's (e.g. "--runtime-mode st");
WEB_CONCURRENCY/WEB_THREADS size either server.
"""
from __future__ import annotations

import http.client
import os
import shlex
import signal
import subprocess
import time
from pathlib import Path

from backend.cli import webserver

ROOT = Path(__file__).resolve().parent.parent


def name() -> str:
    return os.environ.get("BENCH_SERVER") or webserver.server_name()


def describe() -> str:
    """What the bench's output names as the server."""
    if name() == "gunicorn":
        return "gunicorn " + os.environ.get("BENCH_GUNICORN_ARGS", "-c gunicorn.conf.py")
    extra = os.environ.get("BENCH_GRANIAN_ARGS")
    return (f"granian wsgi {os.environ.get('WEB_CONCURRENCY', 2)} workers x "
            f"{os.environ.get('WEB_THREADS', 2)} threads" + (f" {extra}" if extra else ""))


def argv(port: int) -> list[str]:
    if name() == "gunicorn":
        extra = shlex.split(os.environ.get("BENCH_GUNICORN_ARGS", "-c gunicorn.conf.py"))
        return [webserver._bin("gunicorn"), "--bind", f"127.0.0.1:{port}", *extra, "app:app"]
    if name() != "granian":
        raise ValueError(f"BENCH_SERVER={name()!r}: choose one of {', '.join(webserver.SERVERS)}")
    argv = webserver.granian_argv("127.0.0.1", port)
    return [*argv[:-1], *shlex.split(os.environ.get("BENCH_GRANIAN_ARGS", "")), argv[-1]]


def start(port: int, env: dict) -> subprocess.Popen:
    """The server on 127.0.0.1:`port`, healthy (GET /health answered 200) within 90 s."""
    proc = subprocess.Popen(argv(port), cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_healthy(port)
    except BaseException:
        stop(proc)
        raise
    return proc


def wait_healthy(port: int, seconds: float = 90) -> None:  # workers import the app: slow on a busy machine
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/health")
            if conn.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{name()} did not become healthy within {seconds:g} s")


def stop(proc: subprocess.Popen) -> None:
    """SIGTERM, the graceful stop of both servers; SIGKILL after 20 s."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
