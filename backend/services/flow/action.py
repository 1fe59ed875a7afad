"""The Flow action "Check order against return policy": re-decide an order, answer it as Flow data.

    check_order(body: dict, now) -> {"return_value": PolicyCheck}

`body` is Flow's (already verified) action request: `shopify_domain`, `handle`, `properties.order_id` (the
`order_reference` field) — shopify.dev/docs/apps/build/flow/actions/endpoints. The answer is synchronous:
an action with a return type answers 200 with `return_value`, an object of the type named by
`return_type_ref` in `extensions/flow-check-order/schema.graphql`.
"""
from __future__ import annotations

from datetime import date, datetime

from flask import current_app

from backend.errors import ValidationError
from backend.services.decisions import context as decision_context
from backend.services.decisions import shopper as decisions
from backend.services.flow.payloads import open_resolutions, policy_sentence
from backend.shopify.oauth import normalize_shop

HANDLE = "check-order-policy"


def _field_error(field: str, message: str) -> ValidationError:
    return ValidationError("invalid Flow action request", details=[{"field": field, "message": message}])


def parse(body) -> tuple[str, str]:
    """(shop, order id) from the action request; 422 with the field at fault otherwise."""
    if not isinstance(body, dict):
        raise _field_error("", "a Flow action request is a JSON object")
    shop = normalize_shop(body.get("shopify_domain"))
    if shop is None:
        raise _field_error("shopify_domain", "expected the shop's myshopify.com domain")
    if body.get("handle") not in (None, HANDLE):
        raise _field_error("handle", f"this endpoint runs the action {HANDLE!r}")
    order_id = (body.get("properties") or {}).get("order_id") if isinstance(body.get("properties"), dict) else None
    if not isinstance(order_id, (str, int)) or isinstance(order_id, bool) or not str(order_id).strip():
        raise _field_error("properties.order_id", "the action needs an order")
    return shop, str(order_id)


def check_order(body, now: datetime) -> dict:
    shop, order_id = parse(body)
    decision = decisions.decide_for_order(shop, order_id, now)  # 404 unknown order, 409 no policy
    with current_app.extensions["fineprint.db"].session() as s:
        today = now.astimezone(decision_context.shop_policy(s, shop)[0].tz).date()  # the shop's calendar, as deadlines
    return {"return_value": policy_check(decision, today)}


def policy_check(decision: dict, today: date) -> dict:
    lines = []
    for line in decision.get("lines") or []:
        deadlines = [r.get("deadline") for r in (line.get("resolutions") or {}).values()
                     if isinstance(r, dict) and r.get("allowed") and r.get("deadline")]
        lines.append({"lineItemId": str(line["line_item_id"]), "lineClass": line.get("class") or "",
                      "openResolutions": open_resolutions(line), "deadline": max(deadlines) if deadlines else None,
                      "policySentence": policy_sentence(line)})
    deadline = decision.get("return_deadline")
    return {"policy": decision.get("policy") or "", "returnDeadline": deadline,
            "daysLeft": (date.fromisoformat(deadline) - today).days if deadline else None,
            "returnable": any(ln["openResolutions"] for ln in lines),
            "openResolutions": sorted({r for ln in lines for r in ln["openResolutions"]}),
            "tags": list(decision.get("tags") or []), "lines": lines}
