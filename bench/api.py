"""Decision API latency on loopback under the web server: POST /api/v1/decisions for a 3-line cart (variant ids
only, classes from the catalog mirror) with a checkout extension's session token, paced at 400 requests/s
for 10 s. Target (issue 19): p99 <= 5 ms and no errors, on the embedded default (SQLite) and on PostgreSQL.

The server starts as `make run` starts it (bench/_server.py: granian by default, BENCH_SERVER=gunicorn for an A/B
run with gunicorn.conf.py, BENCH_GUNICORN_ARGS overriding that for experiments), on a free port with a database holding one shop (policy aallyn) and its catalog: a temp
SQLite file, then a private PostgreSQL schema (skipped when PostgreSQL is not reachable; BENCH_API_ONLY=sqlite
or postgres runs one). BENCH_API_RATE changes the pace. Latency is measured from each request's scheduled
send time (open loop), so a server that falls behind shows it; the requests are sent by one thread's select()
loop over 16 keep-alive connections (`_drive`), which takes little CPU from the server. Prints, never asserts.

BENCH_API_PROFILE=N measures the app without a server instead: CPU per request of N requests under Flask's test
client, then a cProfile of N more (cumulative, the app's, the token verifier's and the driver's functions), timed
by the thread's CPU clock so that waits on PostgreSQL and a busy machine's other processes do not count as the
app's work (BENCH_API_PROFILE_CLOCK=wall times it by the wall clock, waits included).
"""
from __future__ import annotations

import collections
import json
import logging
import os
import select
import socket
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # `python bench/api.py` from the checkout, as `-m bench` does

from bench import _server  # noqa: E402
from bench._cpu import per_request_ms, tree_cpu_seconds  # noqa: E402
from devshop.net import free_port  # noqa: E402
SHOP = "bench-shop.myshopify.com"
RATE, SECONDS, SENDERS = int(os.environ.get("BENCH_API_RATE", 400)), 10.0, 16
TARGET_P99_MS = 5.0
CART = {"order": {"currency": "USD", "shipping_address": {"country_code": "US", "province_code": "CA"},
                  "line_items": [
                      {"variant_id": "gid://shopify/ProductVariant/1001", "quantity": 1, "price": "40.00"},
                      {"variant_id": "gid://shopify/ProductVariant/2001", "quantity": 2, "price": "25.00"},
                      {"variant_id": "gid://shopify/ProductVariant/3001", "quantity": 1, "price": "295.00"}]}}


def _seed(url: str) -> None:
    from backend import create_app
    from backend.services.orders import catalog
    from backend.store import migrate
    from backend.store.models import Shop

    migrate.upgrade(url)
    app = create_app({"database_url": url})
    logging.getLogger().setLevel(logging.WARNING)  # the figures, not the app's start-up log
    with app.extensions["fineprint.db"].session() as s:
        s.add(Shop(domain=SHOP, active_policy="aallyn", installed_at=datetime.now(timezone.utc)))
        for pid, tags, ptype, vid, price, compare in ((100, ["final-sale"], "Tees", 1001, "40.00", None),
                                                      (200, ["flash-sale"], "Caps", 2001, "25.00", "35.00"),
                                                      (300, [], "Handbags", 3001, "295.00", None)):
            catalog.upsert_product(s, SHOP, {"product": {
                "product_id": str(pid), "title": f"P{pid}", "product_type": ptype, "tags": tags, "gift_card": False,
                "updated_at": None}, "variants": [{"variant_id": str(vid), "product_id": str(pid), "title": "", "sku": "",
                                                   "price": price, "compare_at_price": compare, "updated_at": None}]})
    app.extensions["fineprint.db"].dispose()


def _start(url: str, port: int) -> subprocess.Popen:
    env = {**os.environ, "DATABASE_URL": url, "PORT": str(port)}
    env.pop("REDIS_URL", None)
    return _server.start(port, env)  # BENCH_SERVER picks granian or gunicorn (bench/_server.py)


def _stop(proc: subprocess.Popen) -> None:
    _server.stop(proc)


GENERATOR = ("one thread, select() over pre-encoded HTTP/1.1 requests on keep-alive sockets "
             f"(bench/api.py _drive, {SENDERS} connections)")


class _Conn:
    """One keep-alive connection of the generator: its socket (opened when a request is due on it, as a client
    does: a gthread worker hands an accepted connection to a thread that waits for its first request, so
    sockets opened ahead of their requests would hold the server's threads), the due time of the request in
    flight and the bytes of its answer so far."""

    __slots__ = ("sock", "due", "buf", "sent")

    def __init__(self):
        self.sock, self.due, self.buf, self.sent = None, 0.0, b"", 0.0

    def open(self, port: int) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=5)
        self.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        self.sock.setblocking(False)

    def close(self) -> None:
        if self.sock is not None:
            self.sock.close()
        self.sock = None


def _answer(buf: bytes):
    """(status, bytes used, keep the connection) when `buf` holds a whole answer, else None. Answers are framed
    by Content-Length (Flask/Werkzeug sets it on every response of this route, and gunicorn on its own errors);
    one without it is read to the connection's end (bytes used -1)."""
    end = buf.find(b"\r\n\r\n")
    if end < 0:
        return None
    head = buf[:end].decode("latin-1").split("\r\n")
    status, length, close = int(head[0].split(" ", 2)[1]), None, head[0].startswith("HTTP/1.0")
    for line in head[1:]:
        name, _, value = line.partition(":")
        name, value = name.strip().lower(), value.strip().lower()
        if name == "content-length":
            length = int(value)
        elif name == "connection":
            close = value == "close"
    if length is None:
        return (status, -1, False)  # framed by the connection's end
    if len(buf) < end + 4 + length:
        return None
    return (status, end + 4 + length, not close)


def _drive(port: int, headers: dict, body: bytes, total: int) -> tuple[list[float], int, float]:
    """Open loop: request i is due at t0 + i/RATE; latency counts from that moment to its answer's last byte.

    Written by hand, not with a load tool: Debian's h2load (--rps) and wrk time a request from when it was sent,
    not from when it was due (a server that falls behind would hide its queue), and wrk has no fixed rate.
    One thread and one select() loop, instead of a thread per connection with http.client: on this 2-core
    machine the generator's own CPU, GIL hand-offs and thread wake-ups were taken from the server and added to
    the measured latency. select() (not epoll/poll, which wait in whole milliseconds) wakes within
    microseconds of a due time. Requests are encoded once; SENDERS keep-alive connections, as before: a
    request due while all are busy waits for the first free one (its wait counts). Errors are counted by kind:
    HTTP status, a dropped connection, or no answer within 5 s."""
    request = (f"POST /api/v1/decisions HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAccept-Encoding: identity\r\n"
               + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
               + f"Content-Length: {len(body)}\r\n\r\n").encode("latin-1") + body
    conns = [_Conn() for _ in range(SENDERS)]
    idle, busy = collections.deque(conns), {}  # the longest idle goes first: all of them stay in use, as before
    latencies, kinds, errors = [], {}, [0]
    t0, nxt, done_count = time.perf_counter() + 0.2, 0, 0

    def finish(conn: _Conn, failed: str, keep: bool) -> None:
        nonlocal done_count
        latencies.append(time.perf_counter() - conn.due)
        done_count += 1
        if failed:
            errors[0] += 1
            kinds[failed] = kinds.get(failed, 0) + 1
        busy.pop(conn.sock, None)
        if not keep:  # reopened when the next request is due on it
            conn.close()
        conn.buf = b""
        idle.append(conn)

    while done_count < total:
        now = time.perf_counter()
        while nxt < total and idle and t0 + nxt / RATE <= now:  # send what is due on free connections
            conn = idle.popleft()
            conn.due, conn.buf, conn.sent = t0 + nxt / RATE, b"", now
            nxt += 1
            try:
                if conn.sock is None:
                    conn.open(port)
                conn.sock.sendall(request)  # ~0.7 KiB into an empty loopback buffer: never blocks
            except OSError as exc:
                finish(conn, type(exc).__name__, False)
                continue
            busy[conn.sock] = conn
        for conn in [c for c in busy.values() if now - c.sent > 5.0]:  # no answer within 5 s
            finish(conn, "TimeoutError", False)
        wait = max(0.0, t0 + nxt / RATE - time.perf_counter()) if nxt < total and idle else 0.05
        if not busy:
            time.sleep(wait)
            continue
        for sock in select.select(list(busy), [], [], min(wait, 0.05))[0]:
            conn = busy[sock]
            try:
                chunk = sock.recv(65536)
            except OSError as exc:
                finish(conn, type(exc).__name__, False)
                continue
            if not chunk:  # the server closed: the end of an answer framed by it, or a dropped connection
                answer = _answer(conn.buf)
                failed = "ConnectionResetError" if answer is None or answer[1] != -1 else (
                    "" if answer[0] == 200 else f"HTTP {answer[0]}")
                finish(conn, failed, False)
                continue
            conn.buf += chunk
            answer = _answer(conn.buf)
            if answer is None or answer[1] == -1:
                continue
            status, _, keep = answer
            finish(conn, "" if status == 200 else f"HTTP {status}", keep)
    for conn in conns:
        conn.close()
    _drive.kinds = kinds  # what the errors were, for the printout
    return sorted(latencies), errors[0], time.perf_counter() - t0


def _pct(samples: list[float], p: float) -> float:
    return samples[min(len(samples) - 1, int(len(samples) * p))] * 1000 if samples else float("nan")


def measure(url: str) -> dict:
    """Seed `url`, start the server on it, drive it 1 s unmeasured then SECONDS measured."""
    from backend.config import DEV_API_KEY, DEV_API_SECRET
    from tests.session_tokens import session_token

    _seed(url)
    port = free_port()
    proc = _start(url, port)
    try:  # what the checkout extension sends: its documented token shape (no iss, bare dest), 5 min
        token = session_token("checkout", SHOP, os.environ.get("SHOPIFY_API_KEY") or DEV_API_KEY,
                              os.environ.get("SHOPIFY_API_SECRET") or DEV_API_SECRET)
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        body = json.dumps(CART).encode()
        first_ms = _first_decision_ms(port, headers, body)
        _drive(port, headers, body, RATE)  # warm-up: 1 s, not counted
        cpu_before, own_before = tree_cpu_seconds(proc.pid), time.process_time()
        samples, errors, elapsed = _drive(port, headers, body, int(RATE * SECONDS))
        generator_ms = (time.process_time() - own_before) / max(1, len(samples)) * 1000
        kinds = dict(_drive.kinds)
        cpu_ms = per_request_ms(cpu_before, tree_cpu_seconds(proc.pid), len(samples))
    finally:
        _stop(proc)
    return {"samples": samples, "errors": errors, "elapsed": elapsed, "load": os.getloadavg()[0], "cpu_ms": cpu_ms,
            "kinds": kinds, "generator_ms": generator_ms, "first_ms": first_ms}


def _first_decision_ms(port: int, headers: dict, body: bytes) -> float:
    """Wall time of the first decision the fresh server answers (its workers warmed themselves at start: app.py,
    services/decisions/warmup.py); before that warm-up it paid the policy's imports and compilation."""
    import http.client

    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        started = time.perf_counter()
        conn.request("POST", "/api/v1/decisions", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return (time.perf_counter() - started) * 1000 if response.status == 200 else float("nan")
    finally:
        conn.close()


def profile(url: str, requests: int) -> dict:
    """In process, no HTTP server: CPU per request of the Flask app under its test client (the same token,
    cart and seeded database), then a cProfile of as many requests again, for where the time goes."""
    import cProfile
    import io
    import pstats

    from backend import create_app
    from backend.config import DEV_API_KEY, DEV_API_SECRET
    from tests.session_tokens import session_token

    _seed(url)
    app = create_app({"database_url": url})
    logging.getLogger().setLevel(logging.WARNING)
    token = session_token("checkout", SHOP, DEV_API_KEY, DEV_API_SECRET)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body, client = json.dumps(CART).encode(), app.test_client()

    def run(n: int) -> None:
        for _ in range(n):
            response = client.post("/api/v1/decisions", data=body, headers=headers)
            if response.status_code != 200:
                raise RuntimeError(f"the decision API answered {response.status_code}: {response.get_data()[:200]!r}")

    run(max(50, requests // 10))  # warm-up: connections, the compiled policy, prepared statements
    started = time.process_time()
    run(requests)
    cpu_ms = (time.process_time() - started) / requests * 1000
    wall = os.environ.get("BENCH_API_PROFILE_CLOCK") == "wall"
    profiler = cProfile.Profile() if wall else cProfile.Profile(time.thread_time)
    profiler.runcall(run, requests)
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(r"backend|shopify_app|jwt|sqlite3|psycopg", 25)
    app.extensions["fineprint.db"].dispose()
    return {"cpu_ms": cpu_ms, "profile": out.getvalue(), "load": os.getloadavg()[0], "clock": "wall" if wall else "CPU"}


def _urls():
    only = os.environ.get("BENCH_API_ONLY")
    if only != "postgres":
        with tempfile.TemporaryDirectory() as tmp:
            yield "SQLite", f"sqlite:///{tmp}/bench.db"
    if only == "sqlite":
        return
    try:
        from tests import services

        schema, url = services.create_postgres_schema()
    except BaseException as exc:  # pytest.skip outside pytest raises Skipped (a BaseException)
        print(f"Decision API (PostgreSQL): skipped ({str(exc).splitlines()[0][:120]})")
        return
    try:
        yield "PostgreSQL", url
    finally:
        services.drop_postgres_schema(schema)


def _profiles(requests: int) -> None:
    for label, url in _urls():
        m = profile(url, requests)
        print(f"Decision API ({label}) in process under Flask's test client, {requests} requests: "
              f"CPU {m['cpu_ms']:.3f} ms per request (load average {m['load']:.1f} on {os.cpu_count()} CPUs); "
              f"profile by the {m['clock']} clock")
        print("\n".join(line for line in m["profile"].splitlines() if line.strip()))


def _variants():
    for label, url in _urls():
        yield label, measure(url)


def main() -> None:
    import warnings

    sys.path.insert(0, str(ROOT))
    warnings.filterwarnings("ignore", message="The HMAC key is")  # the development secret is short
    if os.environ.get("BENCH_API_PROFILE"):
        _profiles(int(os.environ["BENCH_API_PROFILE"]))
        return
    for label, m in _variants():
        samples, errors = m["samples"], m["errors"]
        p99 = _pct(samples, 0.99)
        print(f"Decision API ({label}), 3-line cart, {_server.describe()} on loopback, paced "
              f"{RATE}/s for {SECONDS:.0f} s ({len(samples)} requests, {len(samples) / m['elapsed']:.0f}/s achieved; "
              f"load average {m['load']:.1f} on {os.cpu_count()} CPUs)")
        print(f"  load generator: {GENERATOR}; its own CPU {m['generator_ms']:.3f} ms per request")
        print(f"  first decision after start (one worker's first request, a new connection): {m['first_ms']:.1f} ms")
        print(f"  p50 {_pct(samples, 0.50):.2f} ms   p95 {_pct(samples, 0.95):.2f} ms   p99 {p99:.2f} ms"
              f"   max {_pct(samples, 1.0):.2f} ms   errors {errors}"
              f"{' (' + ', '.join(f'{k} {v}' for k, v in sorted(m['kinds'].items())) + ')' if errors else ''}"
              f"   (target p99 <= {TARGET_P99_MS:g} ms, no errors)")
        if m["cpu_ms"]:
            print(f"  server CPU {m['cpu_ms']:.2f} ms per request (the server's processes): one web core sustains "
                  f"~{1000 / m['cpu_ms']:.0f} decisions/s; the pace of {RATE}/s keeps {RATE * m['cpu_ms'] / 10:.0f}% of one core busy")
        met = p99 <= TARGET_P99_MS and errors == 0
        print(f"  summary: Decision API {label} p99 {p99:.1f} ms / {TARGET_P99_MS:g} ms at {RATE}/s, {errors} errors: "
              f"{'met' if met else 'NOT met'} (load average {m['load']:.1f})")


if __name__ == "__main__":
    main()
