"""`fineprint demo` (`make demo`) on a fresh machine: simulator + app + worker, OAuth install, tagged orders; the demo
shop lives in the app's database, so the README's commands reach it while the demo serves."""
from __future__ import annotations

import os
import queue
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from devshop.net import free_port
from backend.services.admin.demo import DEFAULT_SHOP as DEMO_SHOP

ROOT = Path(__file__).resolve().parents[2]
FINEPRINT = str(Path(sys.executable).with_name("fineprint"))  # the console script `make demo` and the README use


def _env(tmp_path, port: int) -> dict:
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    env.pop("REDIS_URL", None)
    env.pop("APP_ENV", None)
    return env


def _fineprint(*args, env, **kw):
    return subprocess.run([FINEPRINT, *args], cwd=ROOT, env=env, capture_output=True, text=True, **kw)


@pytest.mark.slow
def test_demo_installs_through_oauth_and_tags_sample_orders(tmp_path):
    port = free_port()
    done = _fineprint("demo", "--no-serve", "--preset", "aallyn", env=_env(tmp_path, port), timeout=120)
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert re.search(r"/auth/install → .*/admin/oauth/authorize → .*/auth/callback", output), output
    orders = [line for line in done.stdout.splitlines() if line.strip().startswith("order ")]
    assert len(orders) == 12
    assert any("final-sale" in line for line in orders)
    assert any("signature-required" in line for line in orders)
    assert any("sale-credit-only" in line for line in orders)
    assert "/fineprint-demo.myshopify.com/admin/apps/dev-api-key" in done.stdout  # opened from the simulated admin
    listed = _fineprint("shops", "list", env=_env(tmp_path, port), timeout=60)
    assert "fineprint-demo.myshopify.com\tinstalled" in listed.stdout  # the app's own database


def test_an_unknown_preset_fails_clearly(tmp_path):
    done = _fineprint("demo", "--no-serve", "--preset", "nope", env=_env(tmp_path, free_port()), timeout=60)
    assert done.returncode == 1
    assert "nope" in done.stdout + done.stderr and "Traceback" not in done.stdout + done.stderr


def _lines_until(process, marker: str, timeout: float) -> list[str]:
    """The demo's output up to the line containing MARKER (a reader thread, so a silent demo cannot hang us)."""
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in process.stdout], daemon=True).start()
    seen, deadline = [], time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            seen.append(lines.get(timeout=0.5))
        except queue.Empty:
            assert process.poll() is None, "".join(seen)
            continue
        if marker in seen[-1]:
            return seen
    pytest.fail(f"no {marker!r} line from the demo:\n{''.join(seen)}")


def _policy_change_decisions(db_file: Path) -> int:
    with sqlite3.connect(db_file) as conn:
        return conn.execute("select count(*) from decision_log where shop_domain = ? and trigger = 'policy_change'",
                            (DEMO_SHOP,)).fetchone()[0]


@pytest.mark.slow
def test_while_the_demo_serves_the_readme_commands_reach_its_shop(tmp_path):
    env = {**_env(tmp_path, free_port()), "PYTHONUNBUFFERED": "1"}
    demo = subprocess.Popen([FINEPRINT, "demo", "--preset", "aallyn"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        printed = "".join(_lines_until(demo, "demo: serving", timeout=120))
        assert f"shops set-policy {DEMO_SHOP} novus" in printed  # it tells the newcomer what to try

        backfilled = _fineprint("orders", "backfill", DEMO_SHOP, env=env, timeout=120)  # reads the simulator
        assert backfilled.returncode == 0, backfilled.stdout + backfilled.stderr
        assert "orders=12" in backfilled.stdout

        switched = _fineprint("shops", "set-policy", DEMO_SHOP, "novus", env=env, timeout=60)
        assert switched.returncode == 0, switched.stdout + switched.stderr
        assert "active policy novus" in switched.stdout
        deadline = time.monotonic() + 180  # the demo's worker re-decides the shop's orders under novus (a safety net)
        while _policy_change_decisions(tmp_path / "app.db") < 12 and time.monotonic() < deadline:
            time.sleep(0.2)
        assert _policy_change_decisions(tmp_path / "app.db") >= 12
    finally:
        demo.send_signal(signal.SIGINT)
        demo.wait(timeout=60)
    assert demo.returncode == 0
    assert not (tmp_path / "demo.json").exists()  # the lease goes with the demo

    after = _fineprint("orders", "backfill", DEMO_SHOP, env=env, timeout=60)
    assert after.returncode == 1 and "Traceback" not in after.stderr
    assert "runs only while `make demo` does" in after.stderr
