"""The production web server (granian, started with `fineprint serve`'s command line from backend/cli/webserver.py):
its own access log never prints a query string or a Referer, and SIGTERM lets a request in flight finish.

Request URLs are shaped as Shopify sends them (the embedded admin page's `id_token`, the OAuth callback's `code`
and `hmac`, an app proxy's `signature`), with the same made-up secret values as tests/unit/test_access_log.py.
"""
from __future__ import annotations

import http.client
import signal
import subprocess
import threading
import time
from pathlib import Path

from backend.cli import webserver
from devshop.net import free_port
from tests.unit.test_access_log import QUERIES, SECRETS

ROOT = Path(__file__).resolve().parents[2]
TARGET = "tests.integration.web_server_app:app"


def _start(port: int) -> subprocess.Popen:
    argv = webserver.granian_argv("127.0.0.1", port, workers=1, threads=2, access_log=True, target=TARGET)
    proc = subprocess.Popen(argv, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            conn.request("GET", "/ready")
            conn.getresponse().read()
            return proc
        except OSError:
            assert proc.poll() is None, proc.stdout.read()
            time.sleep(0.1)
    proc.kill()
    raise AssertionError("granian did not start")


def _get(port: int, path: str, headers: dict | None = None) -> int:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path, headers=headers or {})
    response = conn.getresponse()
    response.read()
    return response.status


def test_the_access_log_keeps_the_path_and_drops_query_and_referer():
    port = free_port()
    proc = _start(port)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(proc.stdout), daemon=True)
    reader.start()
    try:
        for url in QUERIES:
            assert _get(port, url) == 200
        referer = f"https://admin.shopify.com/store/s/apps/x{QUERIES[0]}"
        assert _get(port, "/app/api/sections/activity", {"Referer": referer}) == 200
        # granian writes an access line after its answer: wait for the last one, not for a time
        deadline = time.monotonic() + 30
        while not any("/app/api/sections/activity" in line for line in lines):
            assert proc.poll() is None and time.monotonic() < deadline, "".join(lines)
            time.sleep(0.02)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
        reader.join(timeout=30)
    out = "".join(lines)
    for url in [*QUERIES, "/app/api/sections/activity"]:
        assert f'"GET {url.split("?")[0]} HTTP/1.1" 200' in out, out
    assert not any(secret in out for secret in SECRETS), out


def test_sigterm_lets_the_request_in_flight_finish(tmp_path):
    port = free_port()
    proc = _start(port)
    inside = tmp_path / "inside"
    status = {}
    client = threading.Thread(target=lambda: status.setdefault("slow", _get(port, f"/slow?{inside}")))
    client.start()
    while not inside.exists():  # the request is inside the app, which answers 1.5 s later
        assert client.is_alive() and proc.poll() is None
        time.sleep(0.02)
    proc.send_signal(signal.SIGTERM)
    client.join(timeout=30)
    proc.communicate(timeout=30)
    assert status == {"slow": 200}
    assert proc.returncode == 0
