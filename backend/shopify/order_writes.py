"""The GraphQL documents that write a decision to an order, and read it back.

One request per order: `tagsAdd`, `tagsRemove` and `metafieldsSet` (or
`metafieldsDelete` when a deadline disappears) as aliased root fields of one
mutation; only the fields with work to do are included.
"""
from __future__ import annotations

import json

NAMESPACE = "$app:returns"
DEADLINE_KEY = "deadline"
DECISION_KEY = "decision"


class WriteRejected(Exception):
    """Shopify answered the write with userErrors (the input, not the transport, is wrong)."""

    def __init__(self, errors: list):
        self.errors = errors
        super().__init__("; ".join(f"{e.get('field')}: {e.get('message')}" for e in errors) or "userErrors")


def apply_decision_request(order_gid: str, add: list[str], remove: list[str], deadline: str | None,
                           decision: dict | None, delete_deadline: bool = False) -> tuple[str, dict]:
    """(query, variables) for one mutation writing tags and metafields to one order."""
    var_defs, fields, variables = [], [], {}
    if add or remove:
        var_defs.append("$id: ID!")
        variables["id"] = order_gid
    if add:
        var_defs.append("$add: [String!]!")
        fields.append("add: tagsAdd(id: $id, tags: $add) { userErrors { field message } }")
        variables["add"] = sorted(add)
    if remove:
        var_defs.append("$remove: [String!]!")
        fields.append("remove: tagsRemove(id: $id, tags: $remove) { userErrors { field message } }")
        variables["remove"] = sorted(remove)
    metafields = []
    if deadline:
        metafields.append({"ownerId": order_gid, "namespace": NAMESPACE, "key": DEADLINE_KEY,
                           "type": "date", "value": deadline})
    if decision is not None:
        metafields.append({"ownerId": order_gid, "namespace": NAMESPACE, "key": DECISION_KEY,
                           "type": "json", "value": json.dumps(decision, separators=(",", ":"), sort_keys=True)})
    if metafields:
        var_defs.append("$metafields: [MetafieldsSetInput!]!")
        fields.append("returns: metafieldsSet(metafields: $metafields) "
                      "{ metafields { key value } userErrors { field message code } }")
        variables["metafields"] = metafields
    if delete_deadline:
        var_defs.append("$gone: [MetafieldIdentifierInput!]!")
        fields.append("gone: metafieldsDelete(metafields: $gone) { userErrors { field message } }")
        variables["gone"] = [{"ownerId": order_gid, "namespace": NAMESPACE, "key": DEADLINE_KEY}]
    query = "mutation FineprintApplyDecision(%s) {\n  %s\n}\n" % (", ".join(var_defs), "\n  ".join(fields))
    return query, variables


def user_errors(data: dict | None) -> list:
    errors = []
    for value in (data or {}).values():
        if isinstance(value, dict):
            errors.extend(value.get("userErrors") or [])
    return errors


ORDER_WRITE_STATE_QUERY = """
query FineprintOrderWriteState($id: ID!) {
  order(id: $id) {
    id tags
    deadline: metafield(namespace: "$app:returns", key: "deadline") { value }
    decision: metafield(namespace: "$app:returns", key: "decision") { value }
  }
}
"""


def written_state(data: dict | None) -> dict | None:
    """What a read of ORDER_WRITE_STATE_QUERY says is on the order: {tags, deadline, decision}."""
    order = (data or {}).get("order")
    if not order:
        return None
    decision = (order.get("decision") or {}).get("value")
    return {"tags": list(order.get("tags") or []),
            "deadline": (order.get("deadline") or {}).get("value"),
            "decision": json.loads(decision) if decision else None}
