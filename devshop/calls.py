"""The simulator's call log and fault queue: what tests assert on and what they inject."""
from __future__ import annotations

import threading
import time
from collections import defaultdict, deque
from dataclasses import dataclass, field

FAULTS = ("429", "500", "502", "503", "throttled", "slow", "revoked")


@dataclass
class Call:
    kind: str                       # authorize | token | graphql | bulk_download
    shop: str
    method: str
    path: str
    status: int = 0
    grant_type: str | None = None
    operation: str | None = None    # GraphQL operation name, else "query"/"mutation"
    root_fields: tuple[str, ...] = ()
    variables: dict | None = None
    cost: dict | None = None        # {"requested", "actual", "available"}
    fault: str | None = None
    error: str | None = None
    at: float = field(default_factory=time.time)


@dataclass
class Fault:
    kind: str
    retry_after: float = 1.0
    delay: float = 0.5


class CallLog:
    def __init__(self):
        self._calls: list[Call] = []
        self._lock = threading.Lock()

    def add(self, call: Call) -> Call:
        with self._lock:
            self._calls.append(call)
        return call

    def select(self, kind: str | None = None, shop: str | None = None, **match) -> list[Call]:
        with self._lock:
            calls = list(self._calls)
        return [c for c in calls if (kind is None or c.kind == kind) and (shop is None or c.shop == shop)
                and all(getattr(c, k) == v for k, v in match.items())]

    def clear(self) -> None:
        with self._lock:
            self._calls.clear()


class FaultQueue:
    """Per (shop, endpoint kind) FIFO of faults; each answers exactly one request."""

    def __init__(self):
        self._queues: dict[tuple[str, str], deque[Fault]] = defaultdict(deque)
        self._lock = threading.Lock()

    def push(self, shop: str, kind: str, fault: Fault, times: int) -> None:
        if fault.kind not in FAULTS:
            raise ValueError(f"unknown fault {fault.kind!r}; one of {', '.join(FAULTS)}")
        with self._lock:
            self._queues[(shop, kind)].extend([fault] * times)

    def pop(self, shop: str, kind: str) -> Fault | None:
        with self._lock:
            q = self._queues.get((shop, kind))
            return q.popleft() if q else None

    def pending(self, shop: str, kind: str = "graphql") -> int:
        with self._lock:
            return len(self._queues.get((shop, kind), ()))

    def clear(self) -> None:
        with self._lock:
            self._queues.clear()
