"""Point shopifyapp's hard-wired `https://{name}.myshopify.com` URLs at `config.origin_for(shop)`.

shopifyapp builds every URL itself (`https://{shop}.myshopify.com/...`) but
accepts an injected `httpx.Client`. We inject one whose transport rewrites the
scheme/host/prefix to SHOPIFY_ADMIN_ORIGIN (contract §2), so the official code
path runs unchanged against production, a proxy or the local simulator.
"""
from __future__ import annotations

from typing import Callable

import httpx


class OriginTransport(httpx.BaseTransport):
    def __init__(self, origin_for: Callable[[str], str], inner: httpx.BaseTransport | None = None):
        self._origin_for = origin_for
        self._inner = inner or httpx.HTTPTransport()

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        origin = self._origin_for(request.url.host).rstrip("/")
        url = httpx.URL(origin + request.url.raw_path.decode("ascii"))
        headers = [(k, v) for k, v in request.headers.raw if k.lower() != b"host"]
        rewritten = httpx.Request(request.method, url, headers=headers, content=request.content,
                                  extensions=request.extensions)
        return self._inner.handle_request(rewritten)

    def close(self) -> None:
        self._inner.close()


def origin_client(origin_for: Callable[[str], str], timeout: float = 10.0) -> httpx.Client:
    """An httpx client for shopifyapp calls that honours SHOPIFY_ADMIN_ORIGIN."""
    return httpx.Client(transport=OriginTransport(origin_for), timeout=timeout)
