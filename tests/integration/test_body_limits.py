"""Bounded bodies on every route, chunked or not, enforced before anything parses them (backend/routes/limits.py).

A chunked body has no Content-Length: the stream below counts what the app pulls from it, which is the
memory a worker can be made to hold. However large the body, the app reads at most the bound plus one
buffer, and answers 413 with the error envelope; the same holds for many requests at once.
"""
from __future__ import annotations

import json
import threading

import pytest

from backend.config import Config

MAX_BODY, WEBHOOK_MAX_BODY = Config.max_body, Config.webhook_max_body
from tests.integration.api_helpers import bearer, checkout_token, seed_shop
from tests.integration.edge_helpers import example, post_webhook

pytestmark = pytest.mark.filterwarnings("ignore::jwt.warnings.InsecureKeyLengthWarning")

SLACK = 128 * 1024  # one read buffer beyond the bound


class Endless:
    """A request body of `size` bytes that counts how much of it was read."""

    def __init__(self, size: int, fill: bytes = b"["):
        self.size, self.fill, self.read_bytes = size, fill, 0

    def read(self, n: int = -1) -> bytes:
        left = self.size - self.read_bytes
        n = left if n is None or n < 0 else min(n, left)
        self.read_bytes += n
        return self.fill * n

    def readline(self, n: int = -1) -> bytes:
        return self.read(n)


def chunked(client, path: str, body: Endless, headers=None):
    """POST `body` as a chunked request: no Content-Length, the server frames the end."""
    return client.post(path, headers={"Transfer-Encoding": "chunked", **(headers or {})},
                       environ_overrides={"wsgi.input": body, "wsgi.input_terminated": True})


def _too_large(response):
    assert response.status_code == 413, response.get_data(as_text=True)[:300]
    assert response.get_json()["error"]["code"] == "request_entity_too_large"


def test_a_webhook_over_the_bound_is_413_before_its_signature_is_even_checked(app, client):
    body = json.dumps({**example("orders/create"), "note": "x" * WEBHOOK_MAX_BODY}).encode()
    _too_large(post_webhook(client, app, "orders/create", body))


@pytest.mark.parametrize("path", ["/webhooks", "/api/v1/decisions", "/app/api/preview", "/app/api/policy/check"])
def test_a_chunked_body_of_8_mb_is_refused_after_reading_at_most_the_bound(client, path):
    body = Endless(8 * 1024 * 1024)
    _too_large(chunked(client, path, body))
    assert body.read_bytes <= max(MAX_BODY, WEBHOOK_MAX_BODY) + SLACK


def test_a_body_within_the_bound_is_still_read_whole_when_chunked(app, client):
    seed_shop(app)
    raw = json.dumps({"order": {"currency": "USD", "line_items": []}}).encode()

    class Exact(Endless):
        def read(self, n=-1):
            start = self.read_bytes
            super().read(n)
            return raw[start:self.read_bytes]

    response = chunked(client, "/api/v1/decisions", Exact(len(raw)), {**bearer(checkout_token(app)),
                                                                      "Content-Type": "application/json"})
    assert response.status_code == 200, response.get_json()


def test_many_oversized_requests_at_once_each_read_at_most_the_bound(app):
    bodies = [Endless(16 * 1024 * 1024) for _ in range(8)]
    statuses = []

    def send(body):
        statuses.append(chunked(app.test_client(), "/webhooks", body).status_code)

    threads = [threading.Thread(target=send, args=(b,)) for b in bodies]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert statuses == [413] * 8
    assert max(b.read_bytes for b in bodies) <= WEBHOOK_MAX_BODY + SLACK


def test_a_decision_request_with_more_lines_than_any_order_is_413(app, client):
    seed_shop(app)
    lines = [{"variant_id": 1001, "quantity": 1, "price": "1.00"}] * 501
    response = client.post("/api/v1/decisions", json={"order": {"currency": "USD", "line_items": lines}},
                           headers=bearer(checkout_token(app)))
    assert response.status_code == 413 and response.get_json()["error"]["code"] == "too_many_lines"
