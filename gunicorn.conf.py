"""gunicorn settings for Fineprint: the alternative web server (`FINEPRINT_WEB_SERVER=gunicorn make run`,
`BENCH_SERVER=gunicorn make bench`). granian is the default since issue 19: it spent ~30 % less CPU per request
and had the lower p99 in every A/B run (backend/cli/webserver.py has the figures).

Measured with webhook ingest (bench/pipeline.py --ingest, SQLite, wrk, load < 1) on the 2-core development
machine: 2x8 gthread 348 acks/s p99 128 ms; sync x4 371, p99 143; 2x2 556, p99 48; 4x2 645, p99 54.
Measured again for issue 19 (3 Dec 2026, load average 12-21 from other work, so by the server's CPU per
acknowledged webhook, which load disturbs least): gthread 4x2 2.80 ms, gthread 2x2 2.72 ms, sync x2 3.09-3.35 ms,
sync x3 3.42 ms; the Decision API, one keep-alive client: gthread 4x2 3.8 ms per request, sync x4 2.9 ms (a new
connection each time). Nothing separates the worker types beyond that noise, so gthread stays: it keeps
Shopify's and the extensions' connections alive, where a sync worker closes each one after its answer.
4 Dec 2026 (issue 19, webhook ingest on SQLite, load average 4-6 from other work): gthread 4x2 804 acks/s,
p99 55 ms, 1.27 ms of CPU per webhook; gthread 2x4 537 acks/s, p99 113 ms, 1.23 ms. 4x2 stays. GET /health
(one SQLite round trip) took 0.56 ms of CPU per request with the C parser below, 0.69 ms without: the floor
under any route.
"""
import os
import queue
import signal
import sys

workers = int(os.environ.get("WEB_CONCURRENCY", 4))  # 2 x cores: a worker waiting on the database leaves its core
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", 2))  # more threads per process only queue on the GIL (p99)
keepalive = 5
# gunicorn's C request parser (the gunicorn-h1c package, gunicorn's own `[fast]` extra): a trivial request
# (GET /health) took 0.56 ms of CPU with it against 0.69 ms with the pure-Python parser (4 Dec 2026, load 11).
# "fast" fails at start rather than falling back quietly when the package is missing. PyPI's newest h1c is
# 0.6.10, older than the 0.6.14 the extra names; gunicorn 27.0.1 checks what 0.6.10 leaves out itself
# (gunicorn/http/message.py: the request-line limit after a leading empty line).
http_parser = "fast"
loglevel = "warning"

# The access log names the path, never the query string or the referer: Shopify puts session tokens
# (`id_token`), OAuth codes, HMACs and app-proxy signatures in query strings, and a page loaded with them
# sends them on as its Referer. %(U)s is the path without the query (gunicorn's access-log atoms).
access_log_format = '%(h)s %(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(L)ss "%(a)s"'

_STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT, signal.SIGQUIT)

# No `preload_app`: each worker imports app.py after the fork, and app.py's `create_app(warm_up=True)` warms it
# there (backend/services/decisions/warmup.py), with its own database connection. Preloading would warm the
# arbiter once and hand its pooled connection to every forked worker.


def post_fork(server, worker):
    """Close the window in which a new worker loses the arbiter's stop signal.

    Between fork() and the worker's own init_signals(), a worker still has the arbiter's Python handler, which
    only queues the signal into the worker's copy of the arbiter's queue (Arbiter.signal/SIG_QUEUE, gunicorn
    27.0.1, pinned): nobody reads it, so a SIGTERM sent while the worker boots was lost and the arbiter waited
    graceful_timeout, then SIGKILLed it. From here until init_signals(), a stop signal ends the booting worker
    (it serves nothing yet: exiting is its graceful stop); one queued before means the arbiter is stopping too
    (it got the same signal, or sent it). Python runs whichever handler is current when it dispatches a signal,
    so every signal meets one of the two handlers."""
    for sig in _STOP_SIGNALS:
        signal.signal(sig, _exit_booting_worker)
    if any(sig in _STOP_SIGNALS for sig in _drain(server.SIG_QUEUE)):
        sys.exit(0)


def _exit_booting_worker(_signum, _frame):
    sys.exit(0)  # spawn_worker re-raises SystemExit: the worker exits 0, as after a graceful stop


def _drain(pending: queue.SimpleQueue) -> list:
    signals = []
    while True:
        try:
            signals.append(pending.get_nowait())
        except queue.Empty:
            return signals
