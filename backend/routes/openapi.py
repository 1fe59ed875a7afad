"""The OpenAPI 3.1 document of the Decision API, as data (served at GET /api/v1/openapi.json)."""
from __future__ import annotations

from backend.routes.openapi_returns import PATHS as SHOPPER_RETURN_PATHS

REF = "#/components/schemas/"


def _ref(name: str) -> dict:
    return {"$ref": REF + name}


def _json(schema: dict, description: str, headers: dict | None = None) -> dict:
    out = {"description": description, "content": {"application/json": {"schema": schema}}}
    if headers:
        out["headers"] = headers
    return out


STR = {"type": "string"}
ID = {"type": ["string", "integer"], "description": "an id as the order knows it"}
SHOPIFY_ID = {"description": "a Shopify GID or a numeric id", "anyOf": [
    {"type": "string", "pattern": "^(gid://shopify/[A-Za-z]+/)?[0-9]{1,20}$"},
    {"type": "integer", "minimum": 0, "maximum": 9223372036854775807}]}
_DECIMAL = {"type": "string", "pattern": "^[0-9]{1,12}([.][0-9]+)?$"}
_NUMBER = {"type": "number", "minimum": 0, "exclusiveMaximum": 1000000000000}
MONEY = {"description": "a non-negative decimal amount, e.g. \"19.99\" (a JSON number is read through its text)",
         "anyOf": [_DECIMAL, _NUMBER]}
NULLABLE_MONEY = {"description": "a decimal amount or null", "anyOf": [_DECIMAL, _NUMBER, {"type": "null"}]}
TIMESTAMP = {"type": "string", "format": "date-time", "pattern": "^(19|2[0-9])[0-9]{2}-",
             "description": "ISO 8601, years 1900-2999; without an offset: the shop's zone"}
DATE = {"type": ["string", "null"], "format": "date"}
STRINGS = {"type": "array", "items": STR}

LINE_ITEM = {"type": "object", "required": ["quantity", "price"], "properties": {
    "id": {**ID, "description": "line id; defaults to the line's position (\"0\", \"1\", ...)"},
    "variant_id": SHOPIFY_ID, "product_id": SHOPIFY_ID, "sku": STR, "title": STR,
    "product_type": {**STR, "description": "absent: filled from the shop's catalog"},
    "product_tags": {**STRINGS, "description": "absent: filled from the shop's catalog"},
    "quantity": {"type": "integer", "minimum": 0, "maximum": 1000000},
    "price": {**MONEY, "description": "unit price paid before discounts"},
    "compare_at_price": {**NULLABLE_MONEY, "description": "absent: filled from the shop's catalog"},
    "discount": {**MONEY, "description": "total discount allocated to the line"},
    "gift_card": {"type": "boolean"},
    "properties": {"type": "object", "description": "line properties, name: value"},
}}

ORDER = {"type": "object", "required": ["line_items"], "properties": {
    "id": ID, "created_at": {**TIMESTAMP, "description": "absent: now (a cart)"},
    "currency": STR, "source_name": STR, "tags": STRINGS, "discount_codes": STRINGS,
    "payment_gateway_names": {**STRINGS, "description": "Shopify's Order.paymentGatewayNames (optional; "
                                                         "for `payment_method` conditions)"},
    "shipping_address": {"type": ["object", "null"], "properties": {
        k: {"type": ["string", "null"]} for k in ("country_code", "province_code", "address1", "address2", "city",
                                                  "zip")}},
    "shipping_lines": {"type": "array", "items": {"type": "object", "properties": {
        "title": STR, "carrier": STR, "price": MONEY}}},
    "line_items": {"type": "array", "items": _ref("LineItem")},
    "fulfillments": {"type": "array", "items": {"type": "object", "properties": {
        "line_item_ids": {"type": ["array", "null"], "items": ID},
        "shipped_at": {**TIMESTAMP, "type": ["string", "null"]},
        "delivered_at": {**TIMESTAMP, "type": ["string", "null"]}}}},
}}

RETURN_REQUEST = {"type": "object", "required": ["resolution", "lines"], "properties": {
    "resolution": {"enum": ["refund", "store_credit", "exchange"]},
    "channel": {"enum": ["mail", "in_store"], "description": "how the return comes back; default mail"},
    "exchange_for": {"enum": ["same_style", "other_item"],
                     "description": "for an exchange: another size or colour of the same style (default) or a "
                                    "different item"},
    "exchanges_before": {"type": "integer", "minimum": 0, "maximum": 1000000,
                         "description": "exchanges already made on this order before this request (default 0); "
                                        "read by `exchanges_before_*` conditions (\"the first exchange is free\")"},
    "earlier_returns": {"type": "object", "description": (
        "what the order's earlier returns already did (optional; absent for a first return, and old requests "
        "keep working): `lines` are the units they took back (accepted refunds and store credit; an exchange "
        "keeps the order's value and is left out), so they cannot come back again, do not count towards a "
        "[[bundles]] threshold, and gift units they took back are not kept; `fee_kinds` are the fee kinds "
        "they were charged, so a fee with `per = \"order\"` is not charged twice"), "properties": {
        "lines": {"type": "array", "items": {"type": "object", "required": ["line_item_id", "quantity"],
                                             "properties": {"line_item_id": ID, "quantity": {
                                                 "type": "integer", "minimum": 1, "maximum": 1000000}}}},
        "fee_kinds": {"type": "array", "items": {"enum": ["restocking", "handling", "label", "return_shipping"]}}}},
    "lines": {"type": "array", "items": {"type": "object", "required": ["line_item_id", "quantity"], "properties": {
        "line_item_id": ID, "quantity": {"type": "integer", "minimum": 1, "maximum": 1000000},
        "condition": {"enum": ["new", "worn", "damaged"],
                      "description": "default new; a shop whose policy declares more words (`[policy] conditions`, "
                                     "e.g. unopened) also accepts those"},
        "reason": {"enum": ["changed_mind", "size", "defective", "wrong_item", "carrier_damage",
                            "not_as_described", "extra_item"]}}}},
}}

DECISION_REQUEST = {
    "type": "object", "required": ["order"],
    "description": "contract §5 without `policy` (the shop's active policy decides; a `policy` field is ignored)",
    "properties": {"as_of": {**TIMESTAMP, "description": "default: now"}, "order": _ref("Order"),
                   "return_request": _ref("ReturnRequest")},
}

WINDOW = {"type": ["object", "null"], "required": ["days", "from"], "properties": {
    "days": {"type": "integer"}, "from": {"enum": ["delivery", "shipment", "order"]},
    "until": {**DATE, "description": "present when the window also ends on a date (a return-by date): the deadline "
                                     "is the later of `from` + `days` and this date; with `until` alone, `days` "
                                     "counts from the order to it"}}}
RESOLUTION = {"type": "object", "required": ["allowed", "deadline", "window"], "properties": {
    "allowed": {"type": "boolean"}, "deadline": DATE, "window": WINDOW}}
REASON = {"type": "object", "required": ["rule", "text"], "properties": {"rule": STR, "text": STR}}

UNDETERMINED = {"type": "object", "required": ["part", "rule"], "properties": {
    "part": {"enum": ["lines", "signature_required", "return_protection", "shipping", "sales_tax", "blocked",
                      "return"]},
    "rule": {**STR, "description": "the rule whose conditions need the unknown fact; it was not applied"},
    "line_item_id": {"type": ["string", "null"], "description": "for part `lines`: the line it concerns"}}}

DECISION = {"type": "object", "description": "contract §6", "required": [
    "policy", "order_id", "tags", "signature_required", "return_protection", "shipping", "sales_tax", "blocked",
    "return_deadline", "lines", "unknown_facts", "undetermined"], "properties": {
    "policy": STR, "order_id": {"type": ["string", "null"]},
    "tags": {"type": "array", "items": {"enum": ["exchange-or-credit", "final-sale", "return-protection",
                                                 "sale-credit-only", "signature-required"]},
             "description": "contract names; the pipeline writes each under the shop's own name (settings "
                            "`tag_names`). `exchange-or-credit`: a line's class is exchange_or_credit"},
    "signature_required": {"type": "boolean"},
    "return_protection": {"type": "object", "required": ["offered", "price", "purchased"], "properties": {
        "offered": {"type": "boolean"}, "price": {"type": ["string", "null"]}, "purchased": {"type": "boolean"}}},
    "shipping": {"type": ["object", "null"], "properties": {
        "rate": {"type": ["string", "null"]}, "currency": STR, "ships_by": DATE}},
    "sales_tax": {"type": ["boolean", "null"]},
    "blocked": {"type": "array", "items": {"type": "object", "properties": {"rule": STR, "message": STR}}},
    "return_deadline": DATE,
    "lines": {"type": "array", "items": {"type": "object", "required": ["line_item_id", "class", "resolutions"],
                                         "properties": {
        "line_item_id": {"type": ["string", "null"]},
        "class": {"enum": ["standard", "credit_only", "exchange_or_credit", "final_sale", "trial", "external",
                           "protection"],
                  "description": "exchange_or_credit: exchange or store credit, no refund"},
        "resolutions": {"type": "object", "required": ["refund", "store_credit", "exchange"], "properties": {
            k: RESOLUTION for k in ("refund", "store_credit", "exchange")}},
        "price_adjustment": {"type": ["object", "null"]},
        "reasons": {"type": "array", "items": REASON}}}},
    "return": {"type": "object", "properties": {
        "resolution": STR, "allowed": {"type": "boolean"}, "lines": {"type": "array", "items": {
            "type": "object", "properties": {
                "line_item_id": STR, "quantity": {"type": "integer"}, "allowed": {"type": "boolean"},
                "amount": {**STR, "description": "what the returned units were paid (half-up to the cent); for a "
                           "line of a [[bundles]] rule with outcome split, its equal share of the bundle"},
                "reasons": {"type": "array", "items": REASON},
                "paid_as": {"enum": ["store_credit"], "description": "present when a [[bundles]] rule with "
                            "outcome store_credit pays this refunded line as store credit instead"}}}},
        "deductions": {"type": "array", "description": "[[bundles]] with outcome deduct: the value of gift "
                       "units the return keeps though the return broke their bundle; they come off the total",
                       "items": {"type": "object", "required": ["rule", "line_item_id", "quantity", "amount"],
                                 "properties": {"rule": STR, "line_item_id": STR, "quantity": {"type": "integer"},
                                                "amount": STR, "text": STR}}},
        "fees": {"type": "array", "items": {"type": "object", "properties": {
            "kind": {"enum": ["restocking", "handling", "label", "return_shipping"]}, "amount": STR,
            "name": {**STR, "description": "the titles of the fee rules that charged it (`; `-joined)"}}}},
        "refund_total": {**STR, "description": "what the accepted lines are worth after fees and deductions "
                                               "(money for a refund, credit for store credit; 0.00 for an "
                                               "exchange); for a refund, lines `paid_as` store credit are "
                                               "counted in credit_total instead"},
        "bonus_credit": {**STR, "description": "extra store credit from [[bonus_credit]] rules, caps applied; "
                                               "0.00 unless the resolution is store_credit"},
        "credit_total": {**STR, "description": "store credit issued: refund_total + bonus_credit for store_credit; "
                                               "for a refund, the lines paid as store credit (after what fees and "
                                               "deductions the refunded lines could not cover); else 0.00"}}},
    "unknown_facts": {"type": "array", "items": {"enum": ["shipping_address"]}, "description":
                      "facts the request did not give: `shipping_address` when the address is absent (a checkout "
                      "without protected-customer-data approval) or its country, province or street is "
                      "missing or redacted; empty when everything is known"},
    "undetermined": {"type": "array", "items": UNDETERMINED, "description":
                     "rules that depend on an unknown fact, with the part of the decision each could change; "
                     "such a rule is neither applied nor taken as not matching, and the part shows what the "
                     "known facts decide: show it as provisional, not as final"},
}}

SHOP_SETTINGS = {"type": "object", "required": ["checkout", "protection_variant_id", "tag_names"], "properties": {
    "checkout": {"type": "object", "required": ["block_po_boxes"], "properties": {
        "block_po_boxes": {"type": "boolean", "description": "false: the policy's P.O.-box blocks are left out"}}},
    "protection_variant_id": {"type": ["string", "null"], "pattern": "^[0-9]{1,20}$",
                              "description": "numeric id of the variant sold as return protection; null: none set, "
                                             "so no protection toggle shows"},
    "tag_names": {"type": "object", "additionalProperties": STR,
                  "description": "contract tag name -> the name written on orders"}}}

ERROR = {"type": "object", "required": ["error"], "properties": {"error": {
    "type": "object", "required": ["code", "message"], "properties": {
        "code": STR, "message": STR,
        "details": {"description": "for invalid_request: a list of {field, message}"}}}}}

RETRY = {"X-Shopify-Retry-Invalid-Session-Request": {
    "description": "always 1: fetch a new session token and retry", "schema": {"type": "string", "enum": ["1"]}}}
ERR = _ref("Error")
UNAUTHORIZED = _json(ERR, "missing, expired, forged or wrong-audience session token", RETRY)
NO_POLICY = _json(ERR, "code `no_active_policy`: the shop has not chosen a return policy yet")
PREFLIGHT = {"summary": "CORS preflight", "security": [], "responses": {"204": {
    "description": "allowed methods and headers (Access-Control-Allow-*); any origin, no credentials"}}}

DOCUMENT = {
    "openapi": "3.1.0",
    "info": {"title": "Fineprint Decision API", "version": "1.0.0",
             "description": "Return-policy decisions for carts and stored orders, from the shop's active "
                            "policy. Authenticate with the Shopify session token of a checkout, "
                            "customer-account or admin extension. Every error is "
                            "{\"error\": {\"code\", \"message\", \"details\"}}."},
    "paths": {
        "/api/v1/decisions": {
            "post": {
                "operationId": "decideCart", "summary": "Decide a cart or order",
                "description": "The shop's active policy decides; a shop without one answers 409 "
                               "no_active_policy. Lines may carry only variant_id/product_id, quantity and "
                               "price: product_type, product_tags, compare_at_price and gift_card come from the "
                               "shop's catalog. A cart needs no created_at (now) and no line ids (positions). "
                               "The shop's Settings apply as on every surface: a line of the return-protection "
                               "variant is the protection line; with P.O. boxes allowed, no P.O.-box block.",
                "requestBody": {"required": True, "content": {"application/json": {"schema": _ref("DecisionRequest")}}},
                "responses": {"200": _json(_ref("Decision"), "the decision"), "401": UNAUTHORIZED,
                              "409": NO_POLICY, "413": _json(ERR, "body over 1 MiB, chunked or not (code payload_too_large or "
                                           "request_entity_too_large), or over 500 lines (code too_many_lines)"),
                              "422": _json(ERR, "invalid request: per-field errors in details")},
            },
            "options": {**PREFLIGHT, "operationId": "decisionsPreflight"},
        },
        "/api/v1/orders/{order_id}/decision": {
            "parameters": [{"name": "order_id", "in": "path", "required": True, "schema": STR,
                            "description": "numeric id or URL-encoded GID (gid://shopify/Order/1001)"}],
            "get": {
                "operationId": "decideOrder", "summary": "The decision for a stored order, as of now",
                "description": "Readable by the order's own customer (an extension token whose sub = "
                               "gid://shopify/Customer/N is the customer the order was recorded for) and by staff "
                               "(an App Bridge session token of the shop). A guest's token (no sub) gets 403 "
                               "customer_login_required, whatever the id; another customer's order, a guest "
                               "checkout's order or another shop's gets the same 404 as an unknown id. The "
                               "answer is the decision the order is tagged with (same catalog facts, Settings "
                               "and active policy), as of now.",
                "responses": {"200": _json(_ref("Decision"), "the decision"), "401": UNAUTHORIZED,
                              "403": _json(ERR, "code `customer_login_required`: a guest's token; the "
                                                "extension asks the buyer to sign in (requireLogin)"),
                              "404": _json(ERR, "unknown order, another shop's, or another customer's"),
                              "409": NO_POLICY},
            },
            "options": {**PREFLIGHT, "operationId": "orderDecisionPreflight"},
        },
        "/api/v1/shop-settings": {
            "get": {
                "operationId": "shopSettings", "summary": "What the extensions need of the shop's Settings",
                "description": "The admin page's Settings, the one place they are set: the return-protection "
                               "variant the checkout toggle adds (the theme's cart toggle gets the same id "
                               "through the app proxy), whether checkout may block P.O. boxes, and the tag "
                               "names written on orders. Any session token of the shop.",
                "responses": {"200": _json(_ref("ShopSettings"), "the shop's settings"), "401": UNAUTHORIZED},
            },
            "options": {**PREFLIGHT, "operationId": "shopSettingsPreflight"},
        },
        **SHOPPER_RETURN_PATHS,
        "/api/v1/openapi.json": {"get": {"operationId": "openapi", "summary": "This document", "security": [],
                                         "responses": {"200": _json({"type": "object"}, "OpenAPI 3.1")}}},
    },
    "security": [{"sessionToken": []}],
    "components": {
        "securitySchemes": {"sessionToken": {
            "type": "http", "scheme": "bearer", "bearerFormat": "JWT",
            "description": "Shopify session token: HS256 signed with the app's client secret, aud = client id, "
                           "exp and nbf required, shop from dest. Checkout and customer-account extension "
                           "tokens (no iss, or an iss whose host is dest's; sub = the signed-in customer) or "
                           "an App Bridge token (iss https://{shop}/admin, sub = staff user id)"}},
        "schemas": {"DecisionRequest": DECISION_REQUEST, "Order": ORDER, "LineItem": LINE_ITEM,
                    "ReturnRequest": RETURN_REQUEST, "Decision": DECISION, "ShopSettings": SHOP_SETTINGS,
                    "Error": ERROR},
    },
}
