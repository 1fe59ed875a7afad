"""Pacing shared across processes: with REDIS_URL set, every Admin client of a shop, on any machine,
draws on one bucket kept in Redis, and together they stay inside Shopify's bucket."""
from __future__ import annotations

import threading

import pytest

from backend.config import Config
from backend.shopify.admin import AdminClient, RetryPolicy
from backend.shopify.pacing import MemoryThrottleStore, store_for
from backend.shopify.pacing_redis import RedisThrottleStore
from tests.fakes.simulator import SHOP

TAGS_ADD = "mutation Tag($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { message } } }"
CALLS_PER_WORKER = 8

pytestmark = pytest.mark.redis


@pytest.fixture
def redis_config(simulator, redis_url):
    url, prefix = redis_url
    return Config(redis_url=url).with_overrides({**simulator.app_overrides, "huey_name": prefix})


def test_with_redis_url_the_admin_client_paces_on_the_shared_redis_store(redis_config, simulator):
    client = AdminClient(SHOP, lambda shop: "unused", redis_config)
    assert isinstance(client.store, RedisThrottleStore) and client.store is store_for(redis_config)
    assert isinstance(AdminClient(SHOP, lambda shop: "unused", Config()).store, MemoryThrottleStore)


def test_two_workers_on_two_machines_share_one_shops_budget_without_being_throttled(redis_config, simulator):
    simulator.buckets[SHOP].__init__(size=40, restore_rate=50)  # room for four tagsAdd at once
    order = simulator.add_order(SHOP)
    token = simulator.install(SHOP)["access_token"]
    other_machine = RedisThrottleStore(redis_config.redis_url, store_for(redis_config).prefix)
    workers = [AdminClient(SHOP, lambda shop: token, redis_config, retry=RetryPolicy(max_attempts=1)),
               AdminClient(SHOP, lambda shop: token, redis_config, retry=RetryPolicy(max_attempts=1),
                           store=other_machine)]
    errors = []

    def work(client):
        try:
            for _ in range(CALLS_PER_WORKER):
                client.query(TAGS_ADD, {"id": f"gid://shopify/Order/{order.id}", "tags": ["paced"]})
        except Exception as exc:  # with max_attempts=1 a THROTTLED answer ends the worker
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(client,)) for client in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    graphql = simulator.calls("graphql")
    assert [c for c in graphql if c.error == "THROTTLED"] == [] and errors == []
    assert len(graphql) == 2 * CALLS_PER_WORKER
    assert float(other_machine.redis.get(other_machine.key("flight", SHOP))) == pytest.approx(0, abs=1e-6)
