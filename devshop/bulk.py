"""Bulk query operations: run the inner query unpaginated and serve Shopify-style JSONL.

Each node of the top connection is one line; nodes of nested connections are
their own lines, after their parent, carrying `__parentId` (Shopify's format).
"""
from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

from graphql import GraphQLError, parse, validate

from devshop.ids import gid
from devshop.models import now_iso
from devshop.views import View


@dataclass
class BulkOperation:
    id: int
    query: str
    type: str = "QUERY"
    created_at: str = field(default_factory=now_iso)
    ready_at: float = 0.0
    jsonl: str | None = None
    object_count: int = 0
    root_object_count: int = 0
    error_code: str | None = None
    url: str | None = None


class BulkOperationView(View):
    TYPENAME = "BulkOperation"
    query = property(lambda self: self.obj.query)
    type = property(lambda self: self.obj.type)
    createdAt = property(lambda self: self.obj.created_at)
    errorCode = property(lambda self: self.obj.error_code)
    partialDataUrl = None

    @property
    def _done(self) -> bool:
        return time.time() >= self.obj.ready_at

    status = property(lambda self: ("FAILED" if self.obj.error_code else "COMPLETED") if self._done else "RUNNING")
    completedAt = property(lambda self: self.obj.created_at if self._done else None)
    objectCount = property(lambda self: str(self.obj.object_count if self._done else 0))
    rootObjectCount = property(lambda self: str(self.obj.root_object_count if self._done else 0))
    fileSize = property(lambda self: str(len(self.obj.jsonl.encode())) if self._done and self.obj.object_count else None)
    url = property(lambda self: self.obj.url if self._done and self.obj.object_count else None)


def start_bulk_query(ctx, query: str) -> dict:
    from devshop.graphql_api import execute_document
    from devshop.schema import admin_schema

    def refuse(message):
        return {"bulkOperation": None, "userErrors": [{"field": ["query"], "message": message, "code": "INVALID"}]}

    if any(op.type == "QUERY" and time.time() < op.ready_at for op in ctx.state.bulk_operations.values()):
        return refuse("A bulk query operation for this app and shop is already in progress: "
                      f"{gid('BulkOperation', list(ctx.state.bulk_operations)[-1])}.")
    try:
        document = parse(query)
    except GraphQLError as exc:
        return refuse(f"Invalid bulk query: {exc.message}")
    errors = validate(admin_schema(), document)
    if errors:
        return refuse(f"Invalid bulk query: {errors[0].message}")
    result = execute_document(ctx.bulk_copy(), document, {})
    if result.errors:
        return refuse(f"Bulk query failed: {result.errors[0].message}")
    roots = [v for v in (result.data or {}).values() if _is_connection(v)]
    if not roots:
        return refuse("Bulk queries must contain at least one connection.")
    lines, root_count = [], 0
    for root in roots:
        for node in _nodes(root):
            root_count += 1
            _flatten(node, None, lines)
    op = BulkOperation(id=ctx.sim.next_id(), query=query, ready_at=time.time() + ctx.sim.bulk_delay,
                       jsonl="".join(json.dumps(line) + "\n" for line in lines),
                       object_count=len(lines), root_object_count=root_count)
    op.url = f"{ctx.sim.origin(ctx.state.domain)}/bulk/{op.id}.jsonl"
    ctx.state.bulk_operations[op.id] = op
    view = BulkOperationView(op, ctx)
    return {"bulkOperation": _Created(view), "userErrors": []}


class _Created:
    """The mutation answers CREATED, whatever the clock says."""

    def __init__(self, view):
        self._view = view

    def __getattr__(self, name):
        if name == "status":
            return "CREATED"
        return getattr(self._view, name)


def _is_connection(value) -> bool:
    return isinstance(value, dict) and (isinstance(value.get("edges"), list) or isinstance(value.get("nodes"), list))


def _nodes(conn: dict) -> list:
    if isinstance(conn.get("edges"), list):
        return [e["node"] for e in conn["edges"] if isinstance(e, dict) and "node" in e]
    return list(conn["nodes"])


def _flatten(node: dict, parent_id: str | None, lines: list) -> None:
    line, children = {}, []
    for key, value in node.items():
        if _is_connection(value):
            children.extend(_nodes(value))
        else:
            line[key] = value
    if parent_id is not None:
        line["__parentId"] = parent_id
    lines.append(line)
    for child in children:
        _flatten(child, node.get("id"), lines)
