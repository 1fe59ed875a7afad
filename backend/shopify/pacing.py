"""Per-shop pacing for the Admin GraphQL cost bucket.

Every client for a shop shares one `ShopBucket` (process-wide, keyed by shop):
before a call it reserves the points the call is expected to cost and waits
until the bucket (as last reported by Shopify, restored at `restoreRate` since)
can pay them; after the call it adopts the `throttleStatus` Shopify reported.
Reservations made by other threads count, so concurrent workers of a shop do
not overdraw it together. With REDIS_URL set, `store_for(config)` gives the
`RedisThrottleStore` (`pacing_redis.py`, same methods, Lua scripts) instead, so
consumers on several machines share one shop's bucket.
"""
from __future__ import annotations

import threading
import time
from collections import defaultdict

SAFETY_SECONDS = 0.05
DEFAULT_STATUS = {"maximumAvailable": 1000.0, "currentlyAvailable": 1000.0, "restoreRate": 50.0}


class ShopBucket:
    def __init__(self, clock=time.monotonic):
        self._clock = clock
        self.maximum = DEFAULT_STATUS["maximumAvailable"]
        self.rate = DEFAULT_STATUS["restoreRate"]
        self._available = self.maximum
        self._stamp = clock()
        self._lock = threading.Lock()

    def _estimate(self, now: float) -> float:
        return min(self.maximum, self._available + (now - self._stamp) * self.rate)

    def reserve(self, cost: float) -> float:
        """Take `cost` points from the estimate; returns the seconds to wait before sending."""
        with self._lock:
            now = self._clock()
            cost = min(cost, self.maximum)
            available = self._estimate(now)
            self._available, self._stamp = available - cost, now
            # a margin for latency (our clock runs behind Shopify's) and its rounding down
            short = cost + self.rate * SAFETY_SECONDS + 1 - available
            return 0.0 if short <= 0 else short / self.rate

    def observe(self, status: dict, in_flight: float = 0.0, refund: float = 0.0) -> None:
        """Adopt Shopify's throttleStatus, minus points other calls have reserved meanwhile.

        Never above our own estimate plus what this call reserved but was not charged (`refund`):
        a report can be stale by the time it is read (a call charged after it was written may have
        finished first), and adopting it would forget that call's points.
        """
        with self._lock:
            now = self._clock()
            estimate = self._estimate(now) + refund
            self.maximum = float(status.get("maximumAvailable", self.maximum))
            self.rate = float(status.get("restoreRate", self.rate)) or self.rate
            reported = float(status.get("currentlyAvailable", self._available))
            self._available, self._stamp = min(self.maximum, reported - in_flight, estimate), now

    def refund(self, points: float) -> None:
        with self._lock:
            self._available = min(self.maximum, self._available + points)


class MemoryThrottleStore:
    """Process-wide buckets plus the learned cost of each document, keyed by shop."""

    def __init__(self):
        self._buckets: dict[str, ShopBucket] = defaultdict(ShopBucket)
        self._costs: dict[tuple[str, int], float] = {}
        self._in_flight: dict[str, float] = defaultdict(float)
        self._lock = threading.Lock()

    def bucket(self, shop: str) -> ShopBucket:
        with self._lock:
            return self._buckets[shop]

    def expected_cost(self, shop: str, document: str, mutation: bool) -> float:
        return self._costs.get((shop, hash(document)), 10.0 if mutation else 50.0)

    def learn_cost(self, shop: str, document: str, requested: float) -> None:
        self._costs[(shop, hash(document))] = float(requested)

    def begin(self, shop: str, cost: float) -> None:
        with self._lock:
            self._in_flight[shop] += cost

    def end(self, shop: str, cost: float) -> float:
        """Close one call's reservation; returns what the shop's other calls still hold."""
        with self._lock:
            self._in_flight[shop] = max(0.0, self._in_flight[shop] - cost)
            return self._in_flight[shop]


DEFAULT_STORE = MemoryThrottleStore()
_REDIS_STORES: dict = {}
_STORES_LOCK = threading.Lock()


def store_for(config, local: MemoryThrottleStore | None = None):
    """The shared Redis store when the config names a Redis (one per URL and namespace), else `local`
    (the app's own buckets, so two apps in one process, e.g. two tests, never share a shop's
    estimate) or, without one, the process's."""
    if not getattr(config, "redis_url", None):
        return local if local is not None else DEFAULT_STORE
    from backend.shopify.pacing_redis import RedisThrottleStore

    prefix = f"{config.huey_name}:throttle"
    with _STORES_LOCK:
        key = (config.redis_url, prefix)
        if key not in _REDIS_STORES:
            _REDIS_STORES[key] = RedisThrottleStore(config.redis_url, prefix)
        return _REDIS_STORES[key]
