"""The Admin schema (API 2026-10), built once per process from Shopify's introspection JSON (under a second;
`warm_up()` starts it in the background)."""
from __future__ import annotations

import gzip
import json
import threading
from pathlib import Path

from graphql import GraphQLSchema, build_client_schema

API_VERSION = "2026-10"
SCHEMA_FILE = Path(__file__).parent / "schema" / f"admin-{API_VERSION}.introspection.json.gz"

_schema: GraphQLSchema | None = None
_lock = threading.Lock()


def admin_schema() -> GraphQLSchema:
    global _schema
    with _lock:
        if _schema is None:
            with gzip.open(SCHEMA_FILE, "rt", encoding="utf-8") as f:
                introspection = json.load(f)["data"]
            # Shopify's schema trips graphql-core's interface-deprecation rule; documents
            # are still validated in full against it.
            _schema = build_client_schema(introspection, assume_valid=True)
        return _schema


def warm_up() -> None:
    if _schema is None:
        threading.Thread(target=admin_schema, name="devshop-schema", daemon=True).start()
