"""The Admin schema, parsed once per process (about 4 s; `warm_up()` starts it in the background)."""
from __future__ import annotations

import threading
from pathlib import Path

from graphql import GraphQLSchema, build_ast_schema, parse

SCHEMA_FILE = Path(__file__).parent / "schema" / "admin-2025-10.graphql"

_schema: GraphQLSchema | None = None
_lock = threading.Lock()


def admin_schema() -> GraphQLSchema:
    global _schema
    with _lock:
        if _schema is None:
            document = parse(SCHEMA_FILE.read_text(), no_location=True)
            # Shopify's schema trips graphql-core's interface-deprecation rule; documents
            # are still validated in full against it.
            _schema = build_ast_schema(document, assume_valid=True, assume_valid_sdl=True)
        return _schema


def warm_up() -> None:
    if _schema is None:
        threading.Thread(target=admin_schema, name="devshop-schema", daemon=True).start()
