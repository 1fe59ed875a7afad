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

# The end of a trial in one request: the kept pairs as a tag and a metafield, and the Flow trigger.
TRIAL_ENDED_MUTATION = """
mutation FineprintTrialEnded($id: ID!, $tags: [String!]!, $metafields: [MetafieldsSetInput!]!,
                             $handle: String!, $payload: JSON!) {
  tagsAdd(id: $id, tags: $tags) { userErrors { field message } }
  metafieldsSet(metafields: $metafields) { userErrors { field message code } }
  flowTriggerReceive(handle: $handle, payload: $payload) { userErrors { field message } }
}"""

# Which trial pairs are still on the order: `currentQuantity` is the quantity minus what was removed
# (returned and refunded), per the Admin API's LineItem reference.
ORDER_LINES_QUERY = """
query FineprintTrialLines($id: ID!) {
  order(id: $id) { id lineItems(first: 100) { nodes { id quantity currentQuantity } } }
}"""

KEPT_TAG = "trial-kept"
KEPT_NAMESPACE, KEPT_KEY = "$app:returns", "trial_kept"


class FlowRejected(Exception):
    """Shopify answered the Flow request with userErrors (permanent for this payload)."""


def trigger_request(handle: str, payload: dict) -> tuple[str, dict]:
    return TRIGGER_MUTATION, {"handle": handle, "payload": payload}


def trial_ended_request(order_gid: str, kept: bool, metafield: dict, handle: str, payload: dict) -> tuple[str, dict]:
    variables = {"id": order_gid, "tags": [KEPT_TAG] if kept else [], "handle": handle, "payload": payload,
                 "metafields": [{"ownerId": order_gid, "namespace": KEPT_NAMESPACE, "key": KEPT_KEY,
                                 "type": "json", "value": json.dumps(metafield, sort_keys=True)}]}
    return TRIAL_ENDED_MUTATION, variables


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
