"""`make run`'s command starts web and worker together; /health answers; Ctrl-C stops both."""
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from backend.devshop.net import free_port

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_serve_answers_health_within_a_minute_and_stops_cleanly_on_ctrl_c(tmp_path):
    port = free_port()
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    env.pop("REDIS_URL", None)
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    subprocess.run([*flask, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=60)
    proc = subprocess.Popen([*flask, "serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    try:
        deadline, answer = time.monotonic() + 60, None
        while time.monotonic() < deadline and answer is None:
            try:
                answer = requests.get(f"http://127.0.0.1:{port}/health", timeout=1)
            except requests.RequestException:
                time.sleep(0.3)
        assert answer is not None and answer.json() == {"status": "ok"}
        # The worker is up too: its startup heartbeat reaches the database.
        assert (tmp_path / "huey.db").exists()
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        output, _ = proc.communicate(timeout=30)
    assert proc.returncode == 0, output
    assert f"http://127.0.0.1:{port}" in output
