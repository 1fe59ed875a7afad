"""Shopper-facing decisions (contract §3): a cart from an extension, or a stored order, decided with the
shop's active policy through the one recipe every surface uses (`decision_context`): the same catalog
facts, settings overlay (protection variant, P.O. boxes) and policy version as the order pipeline.

    decide_for_cart(shop, body, now) -> decision      (body: parsed for this call, filled in place) 422 ValidationError, 409 decision_context.NoActivePolicy
    decide_for_order(shop, order_id, now, customer_gid) -> decision     + 404 NotFound

Lines may carry only `variant_id`/`product_id` (GIDs or numbers), `quantity` and `price`: absent
`product_type`, `product_tags` and `compare_at_price` (and `gift_card`) come from the catalog mirror; a
product the mirror has never seen is fetched with one Admin read when the shop has a token, and is
otherwise decided with empty facts. A cart needs no `created_at` (it defaults to now) and no line `id`
(it defaults to the line's position, "0", "1", ...).
"""
from __future__ import annotations

import re
from datetime import datetime

from flask import current_app

from backend import policy as engine
from backend.errors import NotFound, ValidationError
from backend.services.orders import state as orders
from backend.services.decisions.context import DecisionContext, context_for_order, read_cart_context, shop_policy
from backend.shopify.payloads import numeric_id

ID_FIELDS = ("variant_id", "product_id")
_NUMERIC = re.compile(r"\d{1,20}")


def invalid(errors: list[dict], message: str = "invalid decision request") -> ValidationError:
    return ValidationError(message, details=errors)


def run_engine(context: DecisionContext, now: datetime) -> dict:
    """The context's decision; an invalid request is a 422 with the engine's field errors."""
    try:
        return context.decide(now)
    except engine.RequestError as exc:
        raise invalid(exc.errors) from None


# -------------------------------------------------------------------------- carts

def decide_for_cart(shop: str, body, now: datetime) -> dict:
    if not isinstance(body, dict):
        raise invalid([{"field": "", "message": "a decision request must be a JSON object"}])
    request, errors = _cart_request(body, now)
    db = current_app.extensions["fineprint.db"]
    if errors:
        _raise_with_engine_errors(db.read(lambda conn: shop_policy(conn, shop)[0]), request, now, errors)
    return run_engine(read_cart_context(db, shop, request, may_fetch=True), now)


def _cart_request(body: dict, now: datetime) -> tuple[dict, list[dict]]:
    """The body made ready for the engine, in place (no `policy`, cart defaults, numeric ids), and id errors.
    The body is the request's own freshly parsed JSON: nobody else holds it, so it is not copied."""
    request = body
    request.pop("policy", None)
    order, errors = request.get("order"), []
    if not isinstance(order, dict):
        return request, errors
    order.setdefault("created_at", now.isoformat())
    items = order.get("line_items")
    for i, line in enumerate(items if isinstance(items, list) else []):
        if isinstance(line, dict):
            line.setdefault("id", str(i))
            errors += normalize_ids(line, f"order.line_items[{i}]")
    return request, errors


def normalize_ids(line: dict, path: str) -> list[dict]:
    """variant_id / product_id as the catalog's numeric strings; a malformed one is an error."""
    errors = []
    for key in ID_FIELDS:
        value = line.get(key)
        if value is None:
            line.pop(key, None)
            continue
        ident = numeric_id(value) if isinstance(value, (str, int)) and not isinstance(value, bool) else None
        if ident is None or not _NUMERIC.fullmatch(ident):
            errors.append({"field": f"{path}.{key}", "message": "expected a Shopify id (a GID or a number)"})
            line.pop(key)
        else:
            line[key] = ident
    return errors


def _raise_with_engine_errors(policy, request: dict, now: datetime, errors: list[dict]):
    try:
        engine.decide(policy, request, now)
    except engine.RequestError as exc:
        errors = errors + exc.errors
    raise invalid(errors)


# ------------------------------------------------------------------------- orders

def decide_for_order(shop: str, order_id: str, now: datetime, customer_gid: str | None = None) -> dict:
    """The decision for a stored order as of `now`, read by its customer (`customer_gid`) or by staff (None).
    404 for an unknown id, another shop's order, or (for a customer) an order not recorded for them."""
    ident = numeric_id(order_id) if order_id else None
    if ident is None or not _NUMERIC.fullmatch(ident):
        raise NotFound("no such order")
    db = current_app.extensions["fineprint.db"]
    with db.session() as s:
        state = orders.load(s, shop, ident)
        known = state is not None and orders.decision_request(state) is not None
        if not known or not _customer_may_see(state.facts, customer_gid):
            raise NotFound("no such order")
        context = context_for_order(s, shop, state)
    return run_engine(context, now)


def _customer_may_see(facts: dict, customer_gid: str | None) -> bool:
    """`customer_gid` None is staff (the route refuses guests before): every order of the shop. A customer
    sees only orders recorded for them; an order recorded without a customer (a guest checkout) is nobody's,
    and the answer is the same 404 as for an unknown id, so a guess confirms nothing."""
    if not customer_gid:
        return True
    owner = facts.get("customer_id")
    if owner is None and isinstance(facts.get("customer"), dict):
        owner = facts["customer"].get("id")
    return owner is not None and numeric_id(owner) == numeric_id(customer_gid)


customer_may_see = _customer_may_see  # also the self-serve returns' scoping (services/returns/shopper.py)
