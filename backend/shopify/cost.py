"""Keeping every Admin read under Shopify's single-query cost limit.

Shopify prices a document before it runs (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits,
"Cost calculation": scalars 0, objects 1, a connection 2 + `first` x one node, interfaces the costliest
possible selection, mutations 10) and refuses one over 1,000 points with `MAX_COST_EXCEEDED`, whatever the
bucket holds. `nodes(ids:)` reads are therefore cut into batches whose computed cost fits, and a batch
Shopify still refuses (a lower limit than we know) is split in two and retried.
tests/unit/test_query_cost.py checks these unit costs against the schema for every document we send.
"""
from __future__ import annotations

from typing import Callable, Iterator

from backend.shopify.errors import GraphQLError, QueryCostExceeded

MAX_QUERY_COST = 1000


def batches(ids: list, unit_cost: int, limit: int = MAX_QUERY_COST) -> Iterator[list]:
    """`ids` in order, cut so that each batch's `len(batch) * unit_cost` fits in `limit`."""
    size = max(1, limit // unit_cost)
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def read_nodes(read: Callable[[str, dict], dict], query: str, gids: list[str], unit_cost: int) -> list:
    """Every node of `query` (a `nodes(ids: $ids)` read) for `gids`, in cost-sized batches."""
    found: list = []
    for batch in batches(list(gids), unit_cost):
        found += _read_splitting(read, query, batch)
    return found


def _read_splitting(read, query: str, gids: list[str]) -> list:
    try:
        return list(((read(query, {"ids": gids}) or {}).get("nodes")) or [])
    except GraphQLError as exc:
        if not is_cost_exceeded(exc) or len(gids) == 1:
            raise
    half = len(gids) // 2
    return _read_splitting(read, query, gids[:half]) + _read_splitting(read, query, gids[half:])


def is_cost_exceeded(exc: Exception) -> bool:
    if isinstance(exc, QueryCostExceeded):
        return True
    errors = getattr(exc, "errors", None) or []
    return any((e.get("extensions") or {}).get("code") == "MAX_COST_EXCEEDED" for e in errors if isinstance(e, dict))
