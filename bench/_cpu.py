"""CPU time a server spent, read from /proc (Linux): the figure that stays put on a shared machine.

Wall-clock throughput on the 2-core development machine mostly says how many other processes ran; the CPU
seconds the web server's processes (granian's, by default, or gunicorn's when selected) spent per request do not
(much), and they are what capacity is planned from:
one core sustains 1 / (CPU seconds per request) requests per second. Read by hand from /proc because the
standard library has no per-process CPU reader for other processes (psutil would be a dependency for four
lines); on a system without /proc the figures are left out.
"""
from __future__ import annotations

import os
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # fields after "pid (comm) "


def tree_cpu_seconds(root: int) -> float | None:
    """User + system CPU seconds of `root` and its children (the server's main process and its workers), now."""
    if not Path("/proc").is_dir():
        return None
    total, found = 0.0, False
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        fields = _stat(int(entry.name))
        if fields is None:
            continue
        pid, ppid = int(entry.name), int(fields[1])
        if pid == root or ppid == root:
            total += (int(fields[11]) + int(fields[12])) / _TICK  # utime, stime
            found = True
    return total if found else None


def per_request_ms(before: float | None, after: float | None, requests: int) -> float | None:
    if before is None or after is None or not requests:
        return None
    return (after - before) / requests * 1000
