"""POST /admin/api/<version>/graphql.json: parse, validate against the real schema,
price, throttle (leaky bucket), execute over stored state, answer with `extensions.cost`."""
from __future__ import annotations

import copy
from dataclasses import dataclass

from graphql import (GraphQLError, OperationDefinitionNode, execute, get_operation_ast, parse, validate)
from graphql.language import FragmentDefinitionNode

from devshop.cost import query_cost
from devshop.mutations import MutationRoot
from devshop.schema import admin_schema
from devshop.views import QueryRoot, find_view

_MISSING = object()
THROTTLED = {"message": "Throttled", "extensions": {"code": "THROTTLED",
                                                      "documentation": "https://shopify.dev/api/usage/rate-limits"}}


@dataclass
class Context:
    sim: object
    state: object
    token: object
    bulk: bool = False
    current_order: object = None

    @property
    def order_currency(self) -> str:
        return self.current_order.currency if self.current_order else self.state.currency

    def for_order(self, order) -> "Context":
        twin = copy.copy(self)
        twin.current_order = order
        return twin

    def bulk_copy(self) -> "Context":
        twin = copy.copy(self)
        twin.bulk = True
        return twin

    def lookup(self, kind, value):
        return find_view(self, kind, value)


def max_cost_exceeded(requested: int, limit: int) -> dict:
    """Shopify's answer to a document over the single-query limit, refused before it runs (HTTP 200, no data).
    The first sentence and `code`/`cost`/`maxCost` are as recorded from live Shopify answers in public client
    code; the rest of the message and `documentation` follow Shopify's other throttling errors."""
    return {"message": f"Query cost is {requested}, which exceeds the single query max cost limit ({limit}).\n\n"
                       "See https://shopify.dev/concepts/about-apis/rate-limits for more information on how the\n"
                       "cost of a query is calculated.\n\n"
                       "To query larger amounts of data with fewer limits, bulk operations should be used instead.\n"
                       "See https://shopify.dev/tutorials/perform-bulk-operations-with-admin-api for usage details.\n",
            "extensions": {"code": "MAX_COST_EXCEEDED", "cost": requested, "maxCost": limit,
                           "documentation": "https://shopify.dev/api/usage/rate-limits"}}


def field_resolver(source, info, **args):
    value = source.get(info.field_name, None) if isinstance(source, dict) \
        else getattr(source, info.field_name, _MISSING)
    if value is _MISSING:
        raise GraphQLError(f"devshop does not simulate {info.parent_type.name}.{info.field_name} yet",
                           extensions={"code": "NOT_SIMULATED"})
    return value(info, **args) if callable(value) else value


def type_resolver(value, info, abstract_type):
    return getattr(value, "TYPENAME", None) or getattr(getattr(value, "_view", None), "TYPENAME", None)


def execute_document(ctx: Context, document, variables: dict, operation_name: str | None = None):
    op = get_operation_ast(document, operation_name)
    root = MutationRoot(ctx) if op is not None and op.operation.value == "mutation" else QueryRoot(ctx)
    return execute(admin_schema(), document, root_value=root, context_value=ctx, variable_values=variables,
                   operation_name=operation_name, field_resolver=field_resolver, type_resolver=type_resolver)


def run_graphql(sim, state, token, payload: dict, call) -> tuple[int, dict]:
    query, variables = payload.get("query"), payload.get("variables") or {}
    operation_name = payload.get("operationName")
    call.variables = variables
    if not isinstance(query, str) or not query.strip():
        return 400, {"errors": {"query": ["Required parameter missing or invalid"]}}
    try:
        document = parse(query)
    except GraphQLError as exc:
        call.error = "parse_error"
        return 200, {"errors": [exc.formatted]}
    schema = admin_schema()
    errors = validate(schema, document)
    if errors:
        call.error = "invalid_document"
        return 200, {"errors": [e.formatted for e in errors]}
    op = get_operation_ast(document, operation_name)
    if op is None:
        call.error = "no_operation"
        return 200, {"errors": [{"message": "An operation name is required"}]}
    call.operation = op.name.value if op.name else op.operation.value
    call.root_fields = tuple(s.name.value for s in op.selection_set.selections if hasattr(s, "name"))
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    bucket = sim.buckets[state.domain]
    requested = query_cost(schema, op, fragments, variables)
    call.cost = {"requested": requested, "actual": None}
    if requested > sim.max_query_cost:
        call.error = "MAX_COST_EXCEEDED"
        return 200, {"errors": [max_cost_exceeded(requested, sim.max_query_cost)],
                     "extensions": {"cost": sim.cost_extension(state.domain, requested, None)}}
    if not bucket.take(requested):
        call.error = "THROTTLED"
        return 200, {"errors": [THROTTLED], "extensions": {"cost": sim.cost_extension(state.domain, requested, None)}}
    with state.lock:
        result = execute_document(Context(sim, state, token), document, variables, operation_name)
    actual = min(requested, query_cost(schema, op, fragments, variables, result.data or {})) \
        if op.operation.value == "query" else requested
    bucket.refund(requested - actual)
    call.cost = {"requested": requested, "actual": actual}
    body = {"data": result.data}
    if result.errors:
        body["errors"] = [e.formatted for e in result.errors]
        call.error = (result.errors[0].extensions or {}).get("code") or "execution_error"
    body["extensions"] = {"cost": sim.cost_extension(state.domain, requested, actual)}
    return 200, body


__all__ = ["run_graphql", "execute_document", "Context", "OperationDefinitionNode"]
