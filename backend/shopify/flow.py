"""Shopify Flow's wire formats: firing a trigger (`flowTriggerReceive`), the trial's end written with it, and
verifying a Flow action request (on `shopify_app.verify_flow_action_req`).

`flowTriggerReceive(handle, payload)` needs no access scope (the 2026-10 schema gives it no
`requiredAccess`); `body` is deprecated there ("Use `payload` and `handle`"). Flow action requests are signed
like webhooks: base64 HMAC-SHA256 of the raw body in `X-Shopify-Hmac-Sha256`
(shopify.dev/docs/apps/build/flow/actions/endpoints, "Verifying requests").
"""
from __future__ import annotations

import json
from dataclasses import dataclass

from shopify_app import verify_flow_action_req

from backend.shopify.verify import app_config

TRIGGER_MUTATION = """
mutation FineprintFlowTrigger($handle: String!, $payload: JSON!) {
  flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } }
}"""

# A scheduled trigger, then its receipt on the order (see `sent_marker`). Shopify runs a mutation's top-level
# fields one after the other, in order (GraphQL's serial execution of mutations), so a receipt on the order
# means the trigger ran before it.
SCHEDULED_MUTATION = """
mutation FineprintFlowScheduled($handle: String!, $payload: JSON!, $receipt: [MetafieldsSetInput!]!) {
  flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } }
  metafieldsSet(metafields: $receipt) { userErrors { field message code } }
}"""

# The end of a trial in one request: the Flow trigger first, then the kept pairs as a tag and a metafield
# with the trigger's receipt (one metafieldsSet).
TRIAL_ENDED_MUTATION = """
mutation FineprintTrialEnded($id: ID!, $tags: [String!]!, $metafields: [MetafieldsSetInput!]!,
                             $handle: String!, $payload: JSON!) {
  flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } }
  tagsAdd(id: $id, tags: $tags) { userErrors { field message } }
  metafieldsSet(metafields: $metafields) { userErrors { field message code } }
}"""

# Which trial pairs are still on the order: `currentQuantity` is the quantity minus what was removed
# (returned and refunded), per the Admin API's LineItem reference.
ORDER_LINES_QUERY = """
query FineprintTrialLines($id: ID!) {
  order(id: $id) { id lineItems(first: 100) { nodes { id quantity currentQuantity } } }
}"""

# Was a trigger already run for this order and deadline? (read only when an earlier attempt's outcome is unknown)
RECEIPT_QUERY = """
query FineprintFlowReceipt($id: ID!, $namespace: String!, $key: String!) {
  order(id: $id) { id metafield(namespace: $namespace, key: $key) { value } }
}"""

RECEIPT_NAMESPACE = "$app:flow"

KEPT_TAG = "trial-kept"
KEPT_NAMESPACE, KEPT_KEY = "$app:returns", "trial_kept"


class FlowRejected(Exception):
    """Shopify answered the Flow request with userErrors (permanent for this payload)."""


def receipt_key(handle: str, deadline: str) -> str:
    """The receipt's key: one per (trigger, deadline) of an order, e.g. `return-window-closing-2026-12-10`
    (letters, digits, hyphens; at most 64 characters, as Shopify's metafield keys allow)."""
    return f"{handle}-{deadline}"


def sent_marker(order_gid: str, handle: str, deadline: str, sent_at: str) -> dict:
    """A trigger's receipt, written in the same request right after `flowTriggerReceive`: an app-owned order
    metafield ("$app:flow"; bookkeeping, so no definition is declared for it) that a
    later attempt reads before sending again (`RECEIPT_QUERY`)."""
    return {"ownerId": order_gid, "namespace": RECEIPT_NAMESPACE, "key": receipt_key(handle, deadline),
            "type": "single_line_text_field", "value": sent_at}


def trigger_request(handle: str, payload: dict) -> tuple[str, dict]:
    return TRIGGER_MUTATION, {"handle": handle, "payload": payload}


def scheduled_request(handle: str, payload: dict, receipt: dict) -> tuple[str, dict]:
    return SCHEDULED_MUTATION, {"handle": handle, "payload": payload, "receipt": [receipt]}


def trial_ended_request(order_gid: str, kept: bool, metafield: dict, handle: str, payload: dict,
                        receipt: dict | None = None) -> tuple[str, dict]:
    variables = {"id": order_gid, "tags": [KEPT_TAG] if kept else [], "handle": handle, "payload": payload,
                 "metafields": [{"ownerId": order_gid, "namespace": KEPT_NAMESPACE, "key": KEPT_KEY,
                                 "type": "json", "value": json.dumps(metafield, sort_keys=True)}]
                 + ([receipt] if receipt else [])}
    return TRIAL_ENDED_MUTATION, variables


def receipt_found(data: dict) -> bool:
    return bool((((data or {}).get("order") or {}).get("metafield") or {}).get("value"))


def user_errors(data: dict) -> list:
    errors = []
    for root in ("tagsAdd", "metafieldsSet", "flowTriggerReceive"):
        errors += ((data or {}).get(root) or {}).get("userErrors") or []
    return errors


def current_quantities(data: dict) -> dict[str, int]:
    """line item numeric id -> currentQuantity, from ORDER_LINES_QUERY's answer."""
    nodes = (((data or {}).get("order") or {}).get("lineItems") or {}).get("nodes") or []
    return {str(n["id"]).rsplit("/", 1)[-1]: int(n.get("currentQuantity") or 0) for n in nodes}


@dataclass(frozen=True)
class FlowActionCheck:
    ok: bool
    status: int
    reason: str


def flow_action_check(method: str, headers, raw_body: bytes, config) -> FlowActionCheck:
    """Verify a Flow action request with Shopify's own verifier (current or old secret, constant-time)."""
    try:
        body = raw_body.decode("utf-8")
    except UnicodeDecodeError:
        return FlowActionCheck(False, 400, "body_not_utf8")
    result = verify_flow_action_req({"method": method, "headers": dict(headers), "url": "", "body": body},
                                    app_config(config))
    if result.ok:
        return FlowActionCheck(True, 200, "verified")
    status = {405: 405, 400: 401}.get(result.response.status, 401)  # a missing signature is unauthorised too
    return FlowActionCheck(False, status, result.log.code)
