"""`flask --app app demo` on a fresh machine: simulator + app + worker, OAuth install, tagged orders in a minute."""
from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest

from backend.devshop.net import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_demo_installs_through_oauth_and_tags_sample_orders_within_a_minute(tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.db'}"}
    env.pop("REDIS_URL", None)
    started = time.monotonic()
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "demo", "--no-serve", "--preset", "aallyn",
                           "--data-dir", str(tmp_path / "demo")], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=120)
    elapsed = time.monotonic() - started
    output = done.stdout + done.stderr
    assert done.returncode == 0, output
    assert elapsed < 60, f"took {elapsed:.0f}s"
    assert re.search(r"/auth/install → .*/admin/oauth/authorize → .*/auth/callback", output), output
    orders = [line for line in done.stdout.splitlines() if line.strip().startswith("order ")]
    assert len(orders) == 12
    assert any("final-sale" in line for line in orders)
    assert any("signature-required" in line for line in orders)
    assert any("sale-credit-only" in line for line in orders)
    assert f"http://127.0.0.1:{port}/app?shop=fineprint-demo.myshopify.com" in done.stdout
    assert (tmp_path / "demo" / "demo.db").exists()


def test_an_unknown_preset_fails_clearly(tmp_path):
    env = {**os.environ, "PORT": str(free_port())}
    done = subprocess.run([sys.executable, "-m", "flask", "--app", "app", "demo", "--no-serve", "--preset", "nope",
                           "--data-dir", str(tmp_path)], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=60)
    assert done.returncode != 0
    assert "nope" in done.stdout + done.stderr
