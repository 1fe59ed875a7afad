"""Runs `serve`'s children (the web server, the huey consumer) and stops them in order.

Why each child leads a process group of its own: Ctrl-C in a terminal sends SIGINT to every process of the
foreground group at once. With gunicorn's arbiter, its workers and the huey consumer in that group, each got the
terminal's SIGINT *and* its parent's stop signal (the arbiter's SIGQUIT, our SIGTERM) while it was booting, forking
or already exiting. A worker forked a moment earlier still runs the arbiter's Python signal handler, which queues
both signals into its own copy of the arbiter's queue, where nobody reads them: it lives on and holds the port until
the arbiter's SIGKILL 30 s later, or for good once the arbiter is gone. gunicorn's quit handler, re-entered by the
second signal, can also block on the thread pool's lock. Here only this process receives the terminal's signals,
and each child receives exactly one stop signal, once, from us: the arbiter stops its own workers in order.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
_PR_SET_PDEATHSIG = 1  # <linux/prctl.h>


@dataclass(frozen=True)
class Child:
    name: str
    argv: list[str]
    stop_signal: int  # the one signal that asks this program for its graceful stop
    pass_fds: tuple[int, ...] = field(default=())


def listen(host: str, port: int) -> socket.socket:
    """Bind the web port here, before anything starts, so a taken port is one clear error and
    "running at" is printed only once the port is ours. gunicorn serves it through `--bind fd://N`."""
    return socket.create_server((host, port), backlog=2048)  # sets SO_REUSEADDR on POSIX, as gunicorn does


def wait_listening(host: str, port: int, supervisor: "Supervisor", seconds: float) -> bool:
    """For a web server that binds its port itself (granian): True once `host:port` accepts a connection; False
    when a stop signal comes first, a child exits, or `seconds` pass."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and supervisor.stop.signum is None:
        if any(p.poll() is not None for p in supervisor.procs):
            return False
        try:
            socket.create_connection((host, port), timeout=1).close()
            return True
        except OSError:
            time.sleep(0.1)
    return False


class StopRequest:
    """Remembers the first stop signal. The handler only sets a flag: everything else happens in the loop."""

    def __init__(self) -> None:
        self.signum: int | None = None
        for sig in STOP_SIGNALS:
            signal.signal(sig, self._handle)

    def _handle(self, signum, _frame) -> None:
        self.signum = self.signum or signum


class Supervisor:
    def __init__(self, children: list[Child], grace: float) -> None:
        self.children = children
        self.grace = grace  # how long the children get to stop on their own before they are killed
        self.procs: list[subprocess.Popen] = []
        self.stop = StopRequest()  # before any child exists: no half-started state

    def start(self) -> bool:
        """Start every child (each in its own process group); False when a stop came first."""
        for child in self.children:
            if self.stop.signum is not None:
                return False
            self.procs.append(subprocess.Popen(child.argv, pass_fds=child.pass_fds, process_group=0,
                                               preexec_fn=_die_with_parent(os.getpid())))
        return True

    def wait(self) -> bool:
        """Until a stop signal or a child's exit; then stop the rest. True when a child ended on its own."""
        while self.stop.signum is None and all(p.poll() is None for p in self.procs):
            time.sleep(0.1)  # a signal interrupts the sleep; at most 0.1 s from Ctrl-C to the stop
        ended = [(c, p) for c, p in zip(self.children, self.procs) if p.poll() is not None]
        for child, proc in ended if self.stop.signum is None else ():
            print(f"serve: {child.name} exited (status {proc.returncode}); stopping", file=sys.stderr)
        self.shutdown()
        return self.stop.signum is None

    def shutdown(self) -> None:
        for child, proc in zip(self.children, self.procs):
            if proc.poll() is None:
                _signal_group(proc.pid, child.stop_signal)
        deadline = time.monotonic() + self.grace
        for proc in self.procs:
            try:
                proc.wait(timeout=max(deadline - time.monotonic(), 0))
            except subprocess.TimeoutExpired:
                pass  # killed below, with the rest of its group
        self._reap_groups(deadline)

    def _reap_groups(self, deadline: float) -> None:
        """No process of a child's group outlives `serve`: the port is free when it returns. Members that
        outlive their leader (never on the normal path) get the rest of the grace period, then SIGKILL."""
        for proc in self.procs:
            while _group_alive(proc.pid) and time.monotonic() < deadline:
                time.sleep(0.05)
            if _group_alive(proc.pid):
                print(f"serve: processes of group {proc.pid} did not stop within {self.grace:g} s; killing them",
                      file=sys.stderr)
                _signal_group(proc.pid, signal.SIGKILL)
            proc.wait()


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except ProcessLookupError:
        pass


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # the pgid was reused by someone else's process: ours are gone
        return False
    return True


def _die_with_parent(parent: int):
    """On Linux, a child gets SIGTERM when `serve` itself dies without stopping it (SIGKILL, OOM): its own
    process group no longer receives the terminal's signals, so nothing else would stop it."""
    if not sys.platform.startswith("linux"):
        return None
    prctl = ctypes.CDLL(ctypes.util.find_library("c")).prctl

    def set_pdeathsig() -> None:  # runs in the child between fork and exec; a safety net, so best effort
        prctl(_PR_SET_PDEATHSIG, int(signal.SIGTERM), 0, 0, 0)
        if os.getppid() != parent:  # serve died before prctl took effect: do not start at all
            os._exit(1)
    return set_pdeathsig
