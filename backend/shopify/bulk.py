"""Bulk operations: the documents to start and poll one, and reading its JSONL result."""
from __future__ import annotations

import json
from typing import Iterator

RUN_QUERY = """
mutation FineprintBulkRun($query: String!) {
  bulkOperationRunQuery(query: $query) {
    bulkOperation { id status }
    userErrors { field message }
  }
}
"""

POLL_QUERY = """
query FineprintBulkPoll($id: ID!) {
  node(id: $id) { ... on BulkOperation { id status errorCode objectCount url partialDataUrl } }
}
"""

FINISHED = {"COMPLETED", "FAILED", "CANCELED", "EXPIRED"}


def started(data: dict) -> tuple[str | None, list]:
    payload = (data or {}).get("bulkOperationRunQuery") or {}
    op = payload.get("bulkOperation") or {}
    return op.get("id"), payload.get("userErrors") or []


def polled(data: dict) -> dict:
    return (data or {}).get("node") or {}


def jsonl_records(lines) -> Iterator[dict]:
    """Decoded JSONL records from an iterable of text lines (blank lines skipped)."""
    for line in lines:
        line = line.strip() if isinstance(line, str) else line.decode().strip()
        if line:
            yield json.loads(line)
