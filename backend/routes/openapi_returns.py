"""The OpenAPI paths of a shopper's self-serve return (routes/shopper_returns.py), merged into openapi.DOCUMENT."""
from __future__ import annotations

ERR = {"$ref": "#/components/schemas/Error"}
STR = {"type": "string"}
AMOUNT = {"type": "string", "description": "a decimal amount, e.g. \"80.00\""}
RESOLUTION = {"type": "string", "enum": ["refund", "store_credit", "exchange"]}
ORDER_ID = [{"name": "order_id", "in": "path", "required": True, "schema": STR,
             "description": "numeric id or URL-encoded GID (gid://shopify/Order/1001)"}]
PREFLIGHT = {"summary": "CORS preflight", "security": [], "responses": {"204": {"description": "allowed"}}}


def _json(schema: dict, description: str) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _errors(*extra: tuple[str, str]) -> dict:
    out = {"401": _json(ERR, "missing or invalid session token"),
           "403": _json(ERR, "code `customer_login_required`: a guest's token (the extension asks the shopper to "
                             "sign in)"),
           "404": _json(ERR, "unknown order, another shop's, or another customer's"),
           "409": _json(ERR, "code `no_active_policy`: the shop has no policy yet"),
           "503": _json(ERR, "code `shopify_unavailable`: the shop cannot be reached (no token, Shopify down); "
                             "try again later")}
    out.update({status: _json(ERR, text) for status, text in extra})
    return out


PICK = {"type": "object", "required": ["line_item_id", "resolution"], "properties": {
    "line_item_id": {"type": ["string", "integer"], "description": "the order line (numeric id or GID)"},
    "quantity": {"type": "integer", "minimum": 1, "description": "units to send back; default 1"},
    "resolution": RESOLUTION,
    "condition": {**STR, "description": "one of the options' `conditions` (the policy's vocabulary); default new"},
    "reason_definition_id": {**STR, "description": "one of the options' `reasons` (Shopify ReturnReasonDefinition)"},
    "exchange_variant_id": {**STR, "description": "for an exchange: one of the line's `exchange_variants`"},
}}
PICKS = {"type": "object", "required": ["lines"], "properties": {
    "lines": {"type": "array", "minItems": 1, "maxItems": 50, "items": PICK}}}

OPTION_LINE = {"type": "object", "required": ["line_item_id", "returnable", "resolutions", "why_not"], "properties": {
    "line_item_id": STR, "title": {"type": ["string", "null"]}, "variant_title": {"type": ["string", "null"]},
    "class": {"type": ["string", "null"]},
    "quantity": {"type": "integer", "description": "units Shopify still lets the customer return"},
    "returnable": {"type": "boolean"},
    "resolutions": {"type": "object", "description": "open resolution → its last day (YYYY-MM-DD)",
                    "additionalProperties": {"type": ["string", "null"]}},
    "deadline": {"type": ["string", "null"]},
    "why_not": {"type": "array", "description": "the policy's sentences when nothing is open",
                "items": {"type": "object", "properties": {"rule": {"type": ["string", "null"]}, "text": STR}}},
    "exchange_variants": {"type": "array", "description": "other sizes of the same product at the same price",
                          "items": {"type": "object", "properties": {"id": STR, "title": STR, "price": STR}}},
}}
OPTIONS = {"type": "object", "required": ["order_id", "lines", "reasons", "conditions"], "properties": {
    "order_id": STR, "currency": {"type": ["string", "null"]}, "lines": {"type": "array", "items": OPTION_LINE},
    "reasons": {"type": "array", "items": {"type": "object", "properties": {
        "id": STR, "handle": STR, "name": STR, "reason": {**STR, "description": "the policy's reason it is read as"},
        "mapped": {"type": "boolean", "description": "false: an unknown handle, decided as changed_mind"}}}},
    "conditions": {"type": "array", "items": STR}, "resolutions": {"type": "array", "items": RESOLUTION},
}}
PREVIEW = {"type": "object", "required": ["order_id", "allowed", "lines", "groups", "fees", "bonus_credit",
                                          "refund_total", "credit_total"], "properties": {
    "order_id": STR, "allowed": {"type": "boolean", "description": "every picked line is allowed"},
    "lines": {"type": "array", "items": {"type": "object", "description": "a pick with `allowed`, `amount`, "
                                                                          "`reasons` (policy sentences)"}},
    "groups": {"type": "object", "description": "resolution → the decision's `return` section for those lines",
               "additionalProperties": {"type": "object"}},
    "fees": {"type": "array", "items": {"type": "object", "properties": {"kind": STR, "amount": AMOUNT}}},
    "bonus_credit": AMOUNT, "refund_total": AMOUNT, "credit_total": AMOUNT,
}}
CREATED = {"type": "object", "required": ["returns", "preview"], "properties": {
    "returns": {"type": "array", "items": {"type": "object", "properties": {
        "id": STR, "name": STR, "status": STR, "resolution": RESOLUTION}}},
    "preview": PREVIEW}}

PATHS = {
    "/api/v1/orders/{order_id}/return-options": {
        "parameters": ORDER_ID,
        "get": {"operationId": "returnOptions", "summary": "What each line of the order allows, for a return",
                "description": "Per line: open resolutions and their deadlines, or why none is (the policy's "
                               "sentences); exchange sizes; the shop's return reasons and the policy's conditions. "
                               "The order's own customer, or staff.",
                "responses": {"200": _json(OPTIONS, "the options"), **_errors()}},
        "options": {**PREFLIGHT, "operationId": "returnOptionsPreflight"},
    },
    "/api/v1/orders/{order_id}/return-preview": {
        "parameters": ORDER_ID,
        "post": {"operationId": "returnPreview", "summary": "The policy's outcome of the picked lines",
                 "description": "One decision per resolution through the recipe the native-returns enforcement "
                                "uses; fees, bonus credit, refund and credit totals.",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": PICKS}}},
                 "responses": {"200": _json(PREVIEW, "the outcome"), **_errors(
                     ("413", "body too long"), ("422", "invalid picks, with field errors"))}},
        "options": {**PREFLIGHT, "operationId": "returnPreviewPreflight"},
    },
    "/api/v1/orders/{order_id}/returns": {
        "parameters": ORDER_ID,
        "post": {"operationId": "createReturn", "summary": "Start the return: Shopify returns for the picks",
                 "description": "Refunds and store credit: one Admin `returnRequest` per resolution, with the "
                                "policy's fees (restocking percentage, return shipping fee); exchanges: one "
                                "`returnCreate` with `exchangeLineItems`. Only the order's customer (staff: 403 "
                                "`customer_only`); a line the policy refuses: 422 and nothing is sent.",
                 "requestBody": {"required": True, "content": {"application/json": {"schema": PICKS}}},
                 "responses": {"201": _json(CREATED, "the returns created"), **_errors(
                     ("403", "code `customer_login_required` (a guest) or `customer_only` (staff)"),
                     ("409", "code `no_active_policy`, or `return_refused`: Shopify refused the return (e.g. "
                             "its units were returned meanwhile)"),
                     ("413", "body too long"), ("422", "invalid picks, or lines the policy refuses"))}},
        "options": {**PREFLIGHT, "operationId": "createReturnPreflight"},
    },
}
