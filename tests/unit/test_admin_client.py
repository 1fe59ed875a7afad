"""The Admin GraphQL client against the simulator: pacing, retries, refresh on 401, bounded failure."""
from __future__ import annotations

import threading
import time

import pytest

from backend.config import Config
from backend.shopify.admin import AdminClient, RetryPolicy
from backend.shopify.errors import GraphQLError, QueryCostExceeded, RetriesExhausted, TokenRevoked
from backend.shopify.pacing import MemoryThrottleStore
from tests.fakes.simulator import SHOP

SHOP_QUERY = "query Shop { shop { name ianaTimezone currencyCode } }"
TAGS_ADD = "mutation Tag($id: ID!, $tags: [String!]!) { tagsAdd(id: $id, tags: $tags) { userErrors { message } } }"
# Short backoffs keep the stories quick; the timeout is only a safety net. With a 1 s timeout, one answer
# delayed past it on a loaded machine (a full run's GC pauses at load 15 stretch this 0.1-0.3 s exchange)
# was retried after the simulator had already run it, and a story counted 16 calls instead of 15.
FAST = RetryPolicy(max_attempts=4, base_delay=0.01, max_delay=0.05, timeout=30.0)
# Only the timeout story needs a short timeout; its slow answer takes twice as long, whatever the load.
SHORT_TIMEOUT = RetryPolicy(max_attempts=6, base_delay=0.01, max_delay=0.05, timeout=1.0)


class Sleeps(list):
    def __call__(self, seconds):
        self.append(seconds)
        time.sleep(seconds)


@pytest.fixture
def sleeps():
    return Sleeps()


@pytest.fixture
def make_client(simulator, sleeps):
    config = Config().with_overrides(simulator.app_overrides)
    store = MemoryThrottleStore()

    def make(provider=None, retry=FAST):
        if provider is None:
            token = simulator.install(SHOP)["access_token"]
            provider = lambda shop: token  # noqa: E731
        return AdminClient(SHOP, provider, config, retry=retry, store=store, sleep=sleeps)
    return make


def test_a_query_returns_data_and_remembers_the_cost(simulator, make_client):
    client = make_client()
    assert client.query(SHOP_QUERY) == {"shop": {"name": "Fineprint Dev", "ianaTimezone": "America/New_York",
                                                 "currencyCode": "USD"}}
    assert client.last_cost["throttleStatus"]["maximumAvailable"] == 1000.0
    assert simulator.calls("graphql")[-1].operation == "Shop"


def test_an_invalid_document_raises_without_retrying(simulator, make_client):
    with pytest.raises(GraphQLError) as refused:
        make_client().query("{ shop { nam } }")
    assert "Cannot query field 'nam'" in refused.value.message
    assert len(simulator.calls("graphql")) == 1


@pytest.mark.parametrize("fault", ["429", "500", "502", "503", "throttled"])
def test_transient_failures_are_retried_until_they_pass(simulator, make_client, sleeps, fault):
    simulator.inject(SHOP, fault, times=2, retry_after=0.2)
    assert make_client().query(SHOP_QUERY)["shop"]["name"]
    assert [c.fault for c in simulator.calls("graphql")] == [fault, fault, None]
    if fault == "429":
        assert sum(1 for s in sleeps if s >= 0.2) == 2      # Retry-After honoured


def test_a_slow_answer_times_out_and_is_retried(simulator, make_client):
    simulator.inject(SHOP, "slow", delay=2 * SHORT_TIMEOUT.timeout)
    assert make_client(retry=SHORT_TIMEOUT).query(SHOP_QUERY)["shop"]
    calls = simulator.calls("graphql")
    # the slow attempt was abandoned and retried; a loaded machine may abandon a later attempt too
    assert calls[0].fault == "slow" and len(calls) >= 2
    assert all(c.fault is None for c in calls[1:])


def test_failures_that_never_stop_raise_after_bounded_attempts(simulator, make_client):
    simulator.inject(SHOP, "503", times=10)
    with pytest.raises(RetriesExhausted) as gave_up:
        make_client().query(SHOP_QUERY)
    assert gave_up.value.attempts == FAST.max_attempts and "503" in gave_up.value.last_error
    assert len(simulator.calls("graphql")) == FAST.max_attempts


class RefreshingProvider:
    def __init__(self, simulator):
        self.simulator, self.refreshes = simulator, 0
        self.current = simulator.install(SHOP, expiring=True)["access_token"]

    def token(self, shop):
        return self.current

    def refresh(self, shop, rejected):
        self.refreshes += 1
        self.current = self.simulator.install(SHOP, expiring=True)["access_token"]
        return self.current


def test_a_401_refreshes_the_token_once_and_carries_on(simulator, make_client):
    provider = RefreshingProvider(simulator)
    simulator.inject(SHOP, "revoked")
    assert make_client(provider).query(SHOP_QUERY)["shop"]
    assert provider.refreshes == 1


def test_a_revoked_token_raises_after_one_refresh(simulator, make_client):
    provider = RefreshingProvider(simulator)
    simulator.inject(SHOP, "revoked", times=5)
    with pytest.raises(TokenRevoked):
        make_client(provider).query(SHOP_QUERY)
    assert provider.refreshes == 1 and len(simulator.calls("graphql")) == 2


def test_without_a_refresh_a_401_raises_at_once(simulator, make_client):
    simulator.revoke_tokens(SHOP)
    client = make_client(lambda shop: "shpat_gone")
    with pytest.raises(TokenRevoked):
        client.query(SHOP_QUERY)


def test_a_query_bigger_than_the_bucket_is_refused(simulator, make_client):
    with pytest.raises(QueryCostExceeded):
        make_client().query("{ orders(first: 250) { nodes { id lineItems(first: 250) { nodes { id } } } } }")


def test_the_client_paces_itself_under_a_small_bucket(simulator, make_client, sleeps):
    simulator.buckets[SHOP].__init__(size=40, restore_rate=100)
    order = simulator.add_order(SHOP)
    client = make_client()
    threads = [threading.Thread(target=lambda: [client.query(TAGS_ADD, {"id": f"gid://shopify/Order/{order.id}",
                                                                         "tags": ["x"]}) for _ in range(5)])
               for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    graphql = simulator.calls("graphql")
    throttled = [c for c in graphql if c.error == "THROTTLED"]
    # every write sent once: an attempt retried after a timeout would be counted twice (FAST's timeout)
    assert len(graphql) - len(throttled) == 15, [(c.status, c.fault, c.error, c.cost) for c in graphql]
    assert len(throttled) <= 3          # learned the cost after the first answers, then paced
    assert sleeps                        # it waited for the bucket instead of hammering it
