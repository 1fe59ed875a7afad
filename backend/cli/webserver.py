"""The web server's command line, in one place: `fineprint serve` (make run), bench/_server.py and the README's deploy
line start the same server with the same settings.

granian (Rust, WSGI interface; a maintained project: github.com/emmett-framework/granian) is the default, gunicorn
(gunicorn.conf.py) stays selectable (`FINEPRINT_WEB_SERVER=gunicorn`, BENCH_SERVER=gunicorn) for A/B runs and as
a fallback. Measured for issue 19 on the 2-core development machine, bench/api.py's load (POST /api/v1/decisions,
3-line cart, paced 400 req/s open loop), CPU per request from /proc of the server's process tree:

  4 Dec 2026, quiet machine (coordinator's A/B), SQLite: gunicorn 4x2 gthread p99 4.0 ms, 1.71 ms CPU/request;
  gunicorn 2x2 p99 4.6 ms, 1.68 ms; granian 2 workers x 2 blocking threads p99 2.63 ms, 1.15 ms; granian 1x2 p99
  3.16 ms, 1.25 ms. PostgreSQL: gunicorn 4x2 p99 6.96 ms, 1.94 ms; granian 2x2 p99 4.73 ms, 1.48 ms.
  Webhook ingest (bench/pipeline.py, wrk, SQLite): gunicorn 4x2 1.04 ms CPU/webhook, granian 2x2 0.91 ms.
  Re-measured on this branch: see the README's benchmark table and the branch's report (figures with load average).

Where gunicorn's extra ~0.5 ms goes: with one client at a time the two servers' floor (GET /health, one SQLite
round trip) is close (0.64-0.83 ms of CPU for gunicorn 4x2, 0.50-0.85 ms for granian 2x2, load 3.6-4.4); with 8
keep-alive clients at once gunicorn spent 0.93-0.94 ms and 5.9-8.1 context switches per request, granian 0.40-0.47
ms and 4.3-4.8 (4 Dec 2026, load 3.9-4.3, /proc of the server's processes; two runs each). The cost is gunicorn's
concurrency in Python: the gthread main loop's selector, the hand-over of each ready connection to a pool thread
and back, and these threads contending for the GIL with the app's, where granian accepts, parses, queues and writes
in Rust and takes the GIL only to call the app. The app's own cost (~0.6 ms in process) is the same under both.
gunicorn's own knobs were measured before (gunicorn.conf.py: sync vs gthread, 2x2 .. 4x2, 2x8, the C parser) and
moved CPU per request by less than the noise; none closes this gap.

Settings kept equivalent to gunicorn.conf.py: WEB_CONCURRENCY worker processes (default 2 for granian: one per
core; the Rust side does the waiting), WEB_THREADS threads running the app per worker (default 2), HTTP/1 keep-alive
on, a 30 s limit on reading a request's headers (gunicorn: `timeout`), the access log without query strings (see
GRANIAN_ACCESS_LOG_FORMAT), and SIGTERM as the graceful stop (in-flight requests finish).
"""
from __future__ import annotations

import os
import sys

SERVERS = ("granian", "gunicorn")
DEFAULT_SERVER = "granian"

# The access log names the path, never the query string or the referer: Shopify puts session tokens (`id_token`),
# OAuth codes, HMACs and app-proxy signatures in query strings. granian's `path` atom is the path alone, the query
# is a separate atom (`query_string`, granian/log.py) left out here; no header atoms.
GRANIAN_ACCESS_LOG_FORMAT = '%(addr)s [%(time)s] "%(method)s %(path)s %(protocol)s" %(status)d %(dt_ms).3fms'


def server_name() -> str:
    name = os.environ.get("FINEPRINT_WEB_SERVER", DEFAULT_SERVER)
    if name not in SERVERS:
        raise ValueError(f"FINEPRINT_WEB_SERVER={name!r}: choose one of {', '.join(SERVERS)}")
    return name


def granian_argv(host: str, port: int, workers: int | None = None, threads: int | None = None,
                 access_log: bool = False, target: str = "app:app") -> list[str]:
    workers = workers or int(os.environ.get("WEB_CONCURRENCY", 2))
    threads = threads or int(os.environ.get("WEB_THREADS", 2))
    argv = [_bin("granian"), "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", str(threads),
            "--http", "1",  # Shopify and the extensions speak HTTP/1.1 to the app, as to gunicorn before
            "--http1-keep-alive", "--http1-header-read-timeout", "30000",
            "--log-level", "warning"]
    if access_log:
        argv += ["--access-log", "--access-log-fmt", GRANIAN_ACCESS_LOG_FORMAT]
    return [*argv, target]


def gunicorn_argv(bind: str, extra: list[str] | None = None, target: str = "app:app") -> list[str]:
    return [_bin("gunicorn"), "--bind", bind, "-c", "gunicorn.conf.py", *(extra or []), target]


def _bin(name: str) -> str:
    return os.path.join(os.path.dirname(sys.executable), name)
