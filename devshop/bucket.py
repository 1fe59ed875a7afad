"""Shopify's leaky bucket for GraphQL cost points, one per shop (and app)."""
from __future__ import annotations

import threading
import time


class LeakyBucket:
    def __init__(self, size: float = 1000, restore_rate: float = 50, clock=time.monotonic):
        self.size, self.restore_rate, self._clock = float(size), float(restore_rate), clock
        self._available = float(size)
        self._stamp = clock()
        self._lock = threading.Lock()

    def _refill(self) -> None:
        now = self._clock()
        self._available = min(self.size, self._available + (now - self._stamp) * self.restore_rate)
        self._stamp = now

    def available(self) -> float:
        with self._lock:
            self._refill()
            return self._available

    def take(self, requested: float) -> bool:
        """Reserve `requested` points; False (nothing taken) when they are not there."""
        with self._lock:
            self._refill()
            if requested > self._available:
                return False
            self._available -= requested
            return True

    def refund(self, points: float) -> None:
        with self._lock:
            self._refill()
            self._available = min(self.size, self._available + points)

    def drain(self, to: float = 0) -> None:
        """Test helper: leave only `to` points in the bucket."""
        with self._lock:
            self._refill()
            self._available = float(to)

    def status(self) -> dict:
        available = self.available()
        return {"maximumAvailable": self.size, "currentlyAvailable": int(available),
                "restoreRate": self.restore_rate}
