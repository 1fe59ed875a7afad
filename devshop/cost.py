"""Query cost by Shopify's published calculated-query-cost rules.

Rules (shopify.dev/docs/apps/build/apis/graphql-admin/rate-limits, "Cost calculation"):

* a scalar or enum field: 0; an object: 1 plus what it selects;
* an interface or union: the maximum over its possible selections (one per concrete type);
* a connection: sized by `first`/`last`: 2 + size x (cost of one node); requested with the
  argument, actual with the nodes returned;
* a list field with `first` (or `nodes(ids:)`) multiplies the same way, without the 2;
* a mutation: 10 per root field, whatever it selects.

A document whose requested cost exceeds `MAX_QUERY_COST` is refused before it runs
(`MAX_COST_EXCEEDED`), whatever the bucket holds.
"""
from __future__ import annotations

from graphql import (FieldNode, FragmentSpreadNode, GraphQLList, GraphQLNonNull, GraphQLObjectType,
                     InlineFragmentNode, get_named_type, is_abstract_type, is_leaf_type, value_from_ast_untyped)

MUTATION_COST = 10
MAX_QUERY_COST = 1000  # the single-query limit, on every plan


def query_cost(schema, operation, fragments: dict, variables: dict, data: dict | None = None) -> int:
    if operation.operation.value == "mutation":
        return MUTATION_COST * _count_root_fields(operation.selection_set, fragments)
    root = schema.query_type if operation.operation.value == "query" else schema.subscription_type
    walker = _Walker(schema, fragments, variables)
    return walker.selection(root, operation.selection_set, data, actual=data is not None)


def _count_root_fields(selection_set, fragments) -> int:
    count = 0
    for sel in selection_set.selections:
        if isinstance(sel, FieldNode):
            count += sel.name.value != "__typename"
        elif isinstance(sel, InlineFragmentNode):
            count += _count_root_fields(sel.selection_set, fragments)
        elif isinstance(sel, FragmentSpreadNode):
            count += _count_root_fields(fragments[sel.name.value].selection_set, fragments)
    return count


class _Walker:
    def __init__(self, schema, fragments, variables):
        self.schema, self.fragments, self.variables = schema, fragments, variables or {}

    def selection(self, parent, selection_set, data, actual: bool) -> int:
        """An object's selections; on an interface or union, the costliest concrete type's."""
        if is_abstract_type(parent):
            return max((self._on_type(t, parent, selection_set, data, actual)
                        for t in self.schema.get_possible_types(parent)), default=0)
        return self._on_type(parent, parent, selection_set, data, actual)

    def _on_type(self, concrete, parent, selection_set, data, actual: bool) -> int:
        total = 0
        for sel in selection_set.selections:
            if isinstance(sel, FieldNode):
                total += self.field(parent, sel, data, actual)
                continue
            frag = sel if isinstance(sel, InlineFragmentNode) else self.fragments[sel.name.value]
            cond = self.schema.get_type(frag.type_condition.name.value) if frag.type_condition else parent
            if cond is concrete or (is_abstract_type(cond) and self.schema.is_sub_type(cond, concrete)):
                total += self._on_type(concrete, cond, frag.selection_set, data, actual)
        return total

    def field(self, parent, node: FieldNode, data, actual: bool) -> int:
        fields = getattr(parent, "fields", {})
        if node.name.value not in fields:
            return 0
        ftype = fields[node.name.value].type
        named = get_named_type(ftype)
        if is_leaf_type(named) or node.selection_set is None:
            return 0
        value = data.get(_key(node)) if isinstance(data, dict) else None
        if actual and value is None:
            return 0
        args = {a.name.value: value_from_ast_untyped(a.value, self.variables) for a in node.arguments or ()}
        if named.name.endswith("Connection") and isinstance(named, GraphQLObjectType):
            return 2 + self.connection(named, node, value, args, actual)
        size = args.get("first") or args.get("last") or len(args.get("ids") or []) or 1
        if _is_list(ftype):
            items = value if actual else [None] * size
            return sum(1 + self.selection(named, node.selection_set, item, actual) for item in items or [])
        return 1 + self.selection(named, node.selection_set, value, actual)

    def connection(self, conn_type, node: FieldNode, value, args, actual: bool) -> int:
        size = args.get("first") or args.get("last") or 1
        node_type = get_named_type(conn_type.fields["nodes"].type) if "nodes" in conn_type.fields else None
        total = 0
        for sel in _flat(node.selection_set, self.fragments):
            name = sel.name.value
            if name == "nodes" and node_type is not None:
                items = (value or {}).get(_key(sel), []) if actual else [None] * size
                total += sum(1 + self.selection(node_type, sel.selection_set, it, actual) for it in items or [])
            elif name == "edges":
                edges = (value or {}).get(_key(sel), []) if actual else [None] * size
                for edge in edges or []:
                    for inner in _flat(sel.selection_set, self.fragments):
                        if inner.name.value == "node" and node_type is not None:
                            item = (edge or {}).get(_key(inner)) if actual else None
                            total += 1 + self.selection(node_type, inner.selection_set, item, actual)
        return total


def _flat(selection_set, fragments):
    for sel in selection_set.selections if selection_set else ():
        if isinstance(sel, FieldNode):
            yield sel
        else:
            frag = sel if isinstance(sel, InlineFragmentNode) else fragments[sel.name.value]
            yield from _flat(frag.selection_set, fragments)


def _key(node: FieldNode) -> str:
    return node.alias.value if node.alias else node.name.value


def _is_list(ftype) -> bool:
    inner = ftype.of_type if isinstance(ftype, GraphQLNonNull) else ftype
    return isinstance(inner, GraphQLList)
