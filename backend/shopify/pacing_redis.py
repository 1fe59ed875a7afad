"""`RedisThrottleStore`: the per-shop cost bucket of `pacing.py`, shared in Redis by every worker on every machine.

Same interface as `MemoryThrottleStore` (bucket(shop).reserve/observe, begin/end,
expected_cost/learn_cost), so `AdminClient` does not know which one it has.
Each bucket update is one Lua script: read, restore at `restoreRate` since the last
stamp, take or adopt, write back, all atomic in Redis and timed by Redis's own clock
(`TIME`), so machines whose clocks disagree still agree on the bucket.

Hand-written because no library fits: rate limiters such as `limits` or
`pyrate-limiter` count requests in windows or run their own token bucket, but
cannot adopt Shopify's reported `throttleStatus` (currentlyAvailable, restoreRate)
minus the points still in flight, which is what keeps us inside Shopify's bucket.
"""
from __future__ import annotations

import hashlib

import redis

from backend.shopify.pacing import DEFAULT_STATUS, SAFETY_SECONDS

TTL = 3600  # an idle shop's state expires; the next call starts from a full default bucket

_STATE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local s = redis.call('HMGET', KEYS[1], 'available', 'stamp', 'maximum', 'rate')
local maximum = tonumber(s[3]) or tonumber(ARGV[1])
local rate = tonumber(s[4]) or tonumber(ARGV[2])
local available = math.min(maximum, (tonumber(s[1]) or maximum) + (now - (tonumber(s[2]) or now)) * rate)
"""

RESERVE = _STATE + """
local cost = math.min(tonumber(ARGV[3]), maximum)
redis.call('HSET', KEYS[1], 'available', tostring(available - cost), 'stamp', tostring(now),
           'maximum', tostring(maximum), 'rate', tostring(rate))
redis.call('EXPIRE', KEYS[1], ARGV[5])
local short = cost + rate * tonumber(ARGV[4]) + 1 - available
if short <= 0 then return '0' end
return tostring(short / rate)
"""

OBSERVE = _STATE + """
maximum = tonumber(ARGV[3]) or maximum
rate = tonumber(ARGV[4]) or rate
local reported = tonumber(ARGV[5]) or available
local in_flight = tonumber(redis.call('GET', KEYS[2]) or '0')
local estimate = available + (tonumber(ARGV[7]) or 0)
redis.call('HSET', KEYS[1], 'available', tostring(math.min(maximum, reported - in_flight, estimate)), 'stamp', tostring(now),
           'maximum', tostring(maximum), 'rate', tostring(rate))
redis.call('EXPIRE', KEYS[1], ARGV[6])
return 'ok'
"""


class RedisBucket:
    def __init__(self, store: "RedisThrottleStore", shop: str):
        self._store, self._shop = store, shop

    def reserve(self, cost: float) -> float:
        """Take `cost` points from the shared estimate; returns the seconds to wait before sending."""
        return float(self._store.reserve_script(keys=[self._store.key("bucket", self._shop)], args=[
            DEFAULT_STATUS["maximumAvailable"], DEFAULT_STATUS["restoreRate"], cost, SAFETY_SECONDS, TTL]))

    def observe(self, status: dict, in_flight: float = 0.0, refund: float = 0.0) -> None:
        """Adopt Shopify's throttleStatus minus what calls of every worker hold (the shared in-flight sum;
        `in_flight`, this process's view of it, is not needed), capped by the shared estimate plus
        `refund` (see `ShopBucket.observe`: a stale report must not forget calls charged after it)."""
        args = [status.get(k, "") for k in ("maximumAvailable", "restoreRate", "currentlyAvailable")]
        self._store.observe_script(keys=[self._store.key("bucket", self._shop), self._store.key("flight", self._shop)],
                                   args=[DEFAULT_STATUS["maximumAvailable"], DEFAULT_STATUS["restoreRate"], *args, TTL,
                                         refund])


class RedisThrottleStore:
    """Buckets, in-flight points and learned query costs per shop, under `prefix` in one Redis."""

    def __init__(self, url: str, prefix: str = "fineprint:throttle", client: redis.Redis | None = None):
        self.redis = client or redis.Redis.from_url(url)
        self.prefix = prefix
        self.reserve_script = self.redis.register_script(RESERVE)
        self.observe_script = self.redis.register_script(OBSERVE)

    def key(self, kind: str, shop: str) -> str:
        return f"{self.prefix}:{kind}:{shop}"

    def bucket(self, shop: str) -> RedisBucket:
        return RedisBucket(self, shop)

    def expected_cost(self, shop: str, document: str, mutation: bool) -> float:
        learned = self.redis.hget(self.key("costs", shop), _digest(document))
        return float(learned) if learned is not None else (10.0 if mutation else 50.0)

    def learn_cost(self, shop: str, document: str, requested: float) -> None:
        self.redis.hset(self.key("costs", shop), _digest(document), float(requested))
        self.redis.expire(self.key("costs", shop), 30 * 86400)

    def begin(self, shop: str, cost: float) -> None:
        pipe = self.redis.pipeline()
        pipe.incrbyfloat(self.key("flight", shop), cost).expire(self.key("flight", shop), TTL).execute()

    def end(self, shop: str, cost: float) -> float:
        """Close one call's reservation; returns what the shop's other calls (on every machine) still hold."""
        left = float(self.redis.incrbyfloat(self.key("flight", shop), -cost))
        return max(0.0, left)


def _digest(document: str) -> str:
    """Python's hash() differs per process; the cost table is shared across processes."""
    return hashlib.sha1(document.encode()).hexdigest()
