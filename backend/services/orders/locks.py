"""A per-order lock, so that no two consumers process one order at the same time.

With `REDIS_URL`: a Redis lock (SET NX PX, owner token, released only by its
owner, expiring by itself if its holder dies). Without: a lease on the
order's row (`order_states.lock_owner/lock_expires_at`) taken with one
conditional UPDATE, which works across processes on SQLite and PostgreSQL.
Either way `order_lock` never blocks: it yields False when someone else holds
the order, and the caller reschedules.

What `order_lock` yields is true when the lock is held. A row lease can also be given up inside the
caller's last transaction (`held.release_in(session)`, then `held.released()` once that committed), which
saves the separate release; a Redis lock is released when the block ends either way.

Leases are short (`DEFAULT_TTL`) and renewed while their holder runs (`renewing`): a
job that takes longer keeps its lease, and a killed worker's lease lapses within
seconds, so its work is picked up again well within a minute.
"""
from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from contextlib import contextmanager
from typing import Callable, Iterator

from backend.store import order_pipeline

DEFAULT_TTL = 20.0  # renewed every third of it while held; lapses this long after its holder died
log = logging.getLogger(__name__)
_redis_clients: dict[str, object] = {}
_redis_guard = threading.Lock()


def owner_token() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{threading.get_ident()}:{uuid.uuid4().hex[:8]}"


def _redis(url: str):
    with _redis_guard:
        if url not in _redis_clients:
            import redis

            _redis_clients[url] = redis.Redis.from_url(url)
        return _redis_clients[url]


@contextmanager
def renewing(every: float, renew: Callable[[], object]) -> Iterator[None]:
    """Call `renew()` every `every` seconds in a daemon thread while the block runs. The thread dies with
    its process: a killed worker stops renewing, and its lease runs out."""
    stop = threading.Event()

    def loop():
        while not stop.wait(every):
            try:
                renew()
            except Exception as exc:  # the next tick tries again; the lease is still ours until it lapses
                log.warning("lease renewal failed: %s", type(exc).__name__)

    thread = threading.Thread(target=loop, name="lease-renewal", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=every + 1)


class Held:
    """Truthy when the lock is held. `release_in(session)` gives a row lease up in the caller's transaction;
    `released()` says that transaction committed, so the block's end has nothing left to release."""

    def __init__(self, held: bool, release_in: Callable[[object], None] | None = None):
        self.held, self._release_in, self.done = held, release_in, False

    def __bool__(self) -> bool:
        return self.held

    def release_in(self, session) -> None:
        if self.held and self._release_in is not None:
            self._release_in(session)

    def released(self) -> None:
        self.done = self._release_in is not None


@contextmanager
def order_lock(app, shop: str, order_id: str, ttl: float | None = None) -> Iterator[Held]:
    config = app.config["FINEPRINT"]
    ttl = float(ttl or config.order_lock_ttl or DEFAULT_TTL)
    if config.redis_url:
        with _redis_lock(config, shop, order_id, ttl) as held:
            yield held
    else:
        with _row_lease(app.extensions["fineprint.db"], shop, order_id, ttl) as held:
            yield held


@contextmanager
def _redis_lock(config, shop: str, order_id: str, ttl: float) -> Iterator[Held]:
    prefix = config.huey_name
    lock = _redis(config.redis_url).lock(f"{prefix}:order-lock:{shop}:{order_id}", timeout=ttl, blocking=False)
    held = Held(lock.acquire(blocking=False))
    try:
        if held:
            with renewing(ttl / 3, lambda: lock.extend(ttl, replace_ttl=True)):
                yield held
        else:
            yield held
    finally:
        if held:
            try:
                lock.release()
            except Exception:  # expired meanwhile (LockNotOwnedError): nothing to release
                pass


@contextmanager
def _row_lease(db, shop: str, order_id: str, ttl: float) -> Iterator[Held]:
    owner = owner_token()
    held = Held(order_pipeline.take_lease(db, shop, order_id, owner, ttl),
                lambda session: order_pipeline.release_lease_in(session, shop, order_id, owner))
    try:
        if held:
            with renewing(ttl / 3, lambda: order_pipeline.renew_lease(db, shop, order_id, owner, ttl)):
                yield held
        else:
            yield held
    finally:
        if held and not held.done:
            order_pipeline.release_lease(db, shop, order_id, owner)
