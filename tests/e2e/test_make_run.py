"""`make run`'s command starts web and worker together; /health answers; Ctrl-C or SIGTERM stops every
process it started, and the port is free when it returns; a taken port is one clear line."""
import os
import signal
import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import requests

from devshop.net import free_port

ROOT = Path(__file__).resolve().parents[2]
FINEPRINT = [str(Path(sys.executable).with_name("fineprint"))]  # the console script `make run` calls
STOP_WITHIN = 30  # seconds; serve kills leftovers itself after 15 (KILL_AFTER), the rest is slack


def _env(tmp_path, port: int) -> dict:
    env = {**os.environ, "PORT": str(port), "DATABASE_URL": f"sqlite:///{tmp_path / 'app.db'}"}
    env.pop("REDIS_URL", None)
    return env


def _session_members(sid: int) -> list[str]:
    """Every live process of the session `serve` leads (its children lead process groups of their own, inside
    it). Zombies hold nothing (no port, no memory) and are not counted: only init may reap a reparented one."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            pid, rest = stat.read_text().split(" (", 1)
        except OSError:  # the process ended while we looked
            continue
        state, _ppid, _pgrp, session = rest.rsplit(") ", 1)[1].split()[:4]
        if int(session) == sid and state != "Z":
            members.append(f"{pid} {state} {Path('/proc', pid, 'cmdline').read_bytes()[:120]!r}")
    return members


def _port_is_free(port: int) -> bool:
    """Nobody listens, and a new `make run` could bind it (with SO_REUSEADDR, as servers do)."""
    with socket.socket() as probe:
        if probe.connect_ex(("127.0.0.1", port)) == 0:
            return False
    with socket.socket() as server:
        server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            server.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


class _Output:
    """serve's output, read on a thread as it comes, so the test can wait for a line while serve runs."""

    def __init__(self, proc: subprocess.Popen) -> None:
        self.lines: list[str] = []
        self.ended = False
        self._changed = threading.Condition()
        self._reader = threading.Thread(target=self._read, args=(proc.stdout,), daemon=True)
        self._reader.start()

    def _read(self, stream) -> None:
        for line in stream:
            with self._changed:
                self.lines.append(line)
                self._changed.notify_all()
        with self._changed:
            self.ended = True  # serve exited (or closed its output)
            self._changed.notify_all()

    def _holds(self, text: str) -> bool:
        return any(text in line for line in self.lines)

    def wait_for(self, text: str, seconds: float) -> bool:
        """True once a line holds `text`; False when the output ends or `seconds` pass first."""
        with self._changed:
            self._changed.wait_for(lambda: self._holds(text) or self.ended, timeout=seconds)
            return self._holds(text)

    def text(self, seconds: float) -> str:
        """All of it, once it has ended (or what there is after `seconds`)."""
        self._reader.join(seconds)
        with self._changed:
            return "".join(self.lines)


@pytest.mark.slow
@pytest.mark.parametrize("how", ["ctrl-c to the process group", "sigterm to serve"])
def test_serve_answers_health_and_stops_every_process_it_started(tmp_path, how):
    port = free_port()
    env = _env(tmp_path, port)
    subprocess.run([*FINEPRINT, "db", "upgrade"], cwd=ROOT, env=env, check=True, capture_output=True, timeout=120)
    proc = subprocess.Popen([*FINEPRINT, "serve"], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True, start_new_session=True)
    output = _Output(proc)
    banner = f"Fineprint is running at http://127.0.0.1:{port}"
    try:
        # The banner first, as a person at the terminal sees it: a stop signal that comes before serve has seen
        # its web server listen ends serve without a banner, and rightly so (it would announce a server that is
        # already stopping). Probing /health before the banner raced serve's own listening check.
        assert output.wait_for(banner, seconds=60), output.text(seconds=0)
        assert requests.get(f"http://127.0.0.1:{port}/health", timeout=5).json() == {"status": "ok"}
        assert (tmp_path / "huey.db").exists()  # the worker is up too: its startup heartbeat reached the queue
    finally:
        if how == "ctrl-c to the process group":
            os.killpg(proc.pid, signal.SIGINT)  # what the terminal does: serve's group, not its children's
        else:
            proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_WITHIN)
        except subprocess.TimeoutExpired:
            pass
        left = _session_members(proc.pid)
        for line in left:  # leave nothing behind for the next test, even when this one fails
            os.kill(int(line.split()[0]), signal.SIGKILL)
        proc.wait()
    text = output.text(seconds=STOP_WITHIN)
    assert proc.returncode == 0 and not left, (proc.returncode, left, text)
    assert "did not stop" not in text  # every process stopped on its own signal, none was killed
    assert _port_is_free(port)


@pytest.mark.slow
def test_serve_on_a_taken_port_says_so_in_one_line_and_starts_nothing(tmp_path):
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        proc = subprocess.Popen([*FINEPRINT, "serve"], cwd=ROOT, env=_env(tmp_path, port), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True, start_new_session=True)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 1 and not _session_members(proc.pid)  # no web server, no worker started
    assert out == "" and err.count("\n") == 1, err
    assert f"cannot listen on 127.0.0.1:{port}" in err and "Traceback" not in err
