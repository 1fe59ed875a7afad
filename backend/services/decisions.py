"""Shopper-facing decisions (contract §3): a cart from an extension, or a stored order, decided with the
shop's active policy by the same engine and catalog facts the order pipeline uses.

    decide_for_cart(shop, body, now) -> decision              422 ValidationError, 409 NoActivePolicy
    decide_for_order(shop, order_id, now, customer_gid) -> decision     + 404 NotFound

Lines may carry only `variant_id`/`product_id` (GIDs or numbers), `quantity` and `price`: absent
`product_type`, `product_tags` and `compare_at_price` (and `gift_card`) come from the catalog mirror; a
product the mirror has never seen is fetched with one Admin read when the shop has a token, and is
otherwise decided with empty facts. A cart needs no `created_at` (it defaults to now) and no line `id`
(it defaults to the line's position, "0", "1", ...).
"""
from __future__ import annotations

import copy
import logging
import re
from datetime import datetime

from flask import current_app
from sqlalchemy import bindparam
from sqlmodel import select

from backend import policy as engine
from backend.errors import AppError, NotFound, ValidationError
from backend.services import apply_decision, orders, settings
from backend.services.cart_facts import fill_from_catalog
from backend.shopify.payloads import numeric_id
from backend.store.models import Shop

log = logging.getLogger(__name__)

ID_FIELDS = ("variant_id", "product_id")
_NUMERIC = re.compile(r"\d{1,20}")


class NoActivePolicy(AppError):
    """The shop has not chosen a policy yet (or its policy file is gone): nothing to decide with."""

    status = 409
    code = "no_active_policy"


def invalid(errors: list[dict], message: str = "invalid decision request") -> ValidationError:
    return ValidationError(message, details=errors)


# Read on the checkout's latency budget: built once, executed with parameters (a Session or a Connection).
_SHOP = select(Shop.active_policy, Shop.access_token_encrypted.is_not(None), Shop.uninstalled_at.is_(None)) \
    .where(Shop.domain == bindparam("shop"))



def shop_context(conn, shop: str) -> tuple:
    """(the shop's active policy, whether it may be asked for unknown products); NoActivePolicy."""
    row = conn.execute(_SHOP, {"shop": shop}).first()
    return _policy_of(shop, row), bool(row[1] and row[2])


def shop_policy(conn, shop: str):
    return shop_context(conn, shop)[0]


def _policy_of(shop: str, row):
    if row is None or not row[0]:
        raise NoActivePolicy(f"{shop} has no active return policy yet; the merchant chooses one in the app")
    try:
        return apply_decision.policy_for(row[0])
    except (engine.PolicyError, OSError, LookupError, ValueError) as exc:
        log.error("active policy %r of %s cannot be loaded: %s", row[0], shop, type(exc).__name__)
        raise NoActivePolicy(f"the active policy of {shop} cannot be loaded") from None


def run_engine(policy, request: dict, now: datetime) -> dict:
    try:
        return engine.decide(policy, request, now)
    except engine.RequestError as exc:
        raise invalid(exc.errors) from None


# -------------------------------------------------------------------------- carts

def decide_for_cart(shop: str, body, now: datetime) -> dict:
    if not isinstance(body, dict):
        raise invalid([{"field": "", "message": "a decision request must be a JSON object"}])
    request, errors = _cart_request(body, now)
    order = request.get("order")
    items = order.get("line_items") if isinstance(order, dict) else None
    lines = [ln for ln in items if isinstance(ln, dict)] if isinstance(items, list) else []
    with current_app.extensions["fineprint.db"].engine.connect() as conn:
        policy, may_fetch = shop_context(conn, shop)
        if errors:
            _raise_with_engine_errors(policy, request, now, errors)
        fill_from_catalog(conn, shop, lines, may_fetch)
        block_po_boxes = settings.for_connection(conn, shop).block_po_boxes
    decision = run_engine(policy, request, now)
    return decision if block_po_boxes else without_po_box_blocks(decision, policy)


def without_po_box_blocks(decision: dict, policy) -> dict:
    """The merchant let checkout through to P.O. boxes (admin Settings): drop the policy's P.O.-box blocks."""
    po_box_rules = {b.info.id for b in policy.blocks if _turns_on(b.cond, "po_box")}
    decision["blocked"] = [b for b in decision["blocked"] if b["rule"] not in po_box_rules]
    return decision


def _turns_on(cond, key: str) -> bool:
    return key in cond.when or any(key in table for table in cond.when_any)


def _cart_request(body: dict, now: datetime) -> tuple[dict, list[dict]]:
    """A copy of the body made ready for the engine (no `policy`, cart defaults, numeric ids), and id errors."""
    request = copy.deepcopy(body)
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
        request = orders.decision_request(state) if state is not None else None
        if request is None or not _customer_may_see(state.facts, customer_gid):
            raise NotFound("no such order")
        policy = shop_policy(s, shop)
        request = copy.deepcopy(request)
        fill_from_catalog(s, shop, request["order"].get("line_items") or [])
    return run_engine(policy, request, now)


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
