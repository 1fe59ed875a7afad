"""The one recipe for a decision's input. Every surface asks it (the order pipeline, the admin preview and
backtest, the Decision API for carts and for stored orders, the storefront proxy), so that the same order
or cart gets the same tags, classes, deadlines and fees wherever it is asked about.

    context_for_order(conn, shop, state, policy=None) -> DecisionContext      (a stored order)
    context_for_cart(conn, shop, request, may_fetch=False, policy=None) -> DecisionContext
    read_cart_context(db, shop, request, may_fetch=False) -> DecisionContext   (the same, in one read if it can)
    context_for_return(conn, shop, state, return_request, policy=None) -> DecisionContext  (a Shopify return)
    ctx.decide(now) -> decision           engine.RequestError for an invalid request
    ctx.tags(decision) -> the names the shop writes on the order

The input is always, in this order: the order snapshot (the stored facts, or the cart as asked), catalog
facts for lines lacking them (`cart_facts.fill_from_catalog`, the one fill), the shop's settings overlay
(`settings.overlay`: the protection variant, the only place it is configured; the P.O.-box toggle, applied
to the decision), and the shop's active policy version, compiled once (`policy` overrides it: a draft).
`conn` is a Session or a Connection.
"""
from __future__ import annotations

import copy
import logging
from dataclasses import dataclass
from datetime import datetime

from backend import policy as engine
from backend.errors import AppError
from backend.policy.compiled import compiled
from backend.services.orders import state as orders
from backend.services.admin import settings
from backend.services.decisions.cart_facts import fill_from_catalog, fill_from_rows
from backend.services.orders import catalog
from backend.store import decision_inputs

log = logging.getLogger(__name__)


class NoActivePolicy(AppError):
    """The shop has not chosen a policy yet (or its policy file is gone): nothing to decide with."""

    status = 409
    code = "no_active_policy"


@dataclass(frozen=True)
class DecisionContext:
    shop: str
    policy: engine.Policy
    request: dict
    config: settings.ShopConfig

    @property
    def compiled(self) -> engine.CompiledPolicy:
        return compiled(self.policy)  # the policy's own compiled form and memos, built once

    def decide(self, now: datetime) -> dict:
        decision = engine.decide(self.compiled, self.request, now)
        return decision if self.config.block_po_boxes else without_po_box_blocks(decision, self.policy)

    def with_return(self, return_request: dict) -> "DecisionContext":
        """The same input asking about another return of the same order (catalog and settings not read again)."""
        return DecisionContext(self.shop, self.policy, {**self.request, "return_request": copy.deepcopy(return_request)},
                               self.config)

    def tags(self, decision: dict) -> list[str]:
        return sorted({self.config.tag(t) for t in decision.get("tags") or [] if t in orders.OUR_TAGS})


def context_for_order(conn, shop: str, state, policy=None) -> DecisionContext:
    """The input for a stored order (its facts must be known: `orders.decision_request` is not None)."""
    request = copy.deepcopy(orders.decision_request(state))
    return _context(conn, shop, request, False, policy)


def context_for_return(conn, shop: str, state, return_request: dict, policy=None) -> DecisionContext:
    """The input for a Shopify return of a stored order: the order's own input (as `context_for_order`) with
    the return asked about (`return_request`: resolution, lines with reasons and quantities)."""
    request = copy.deepcopy(orders.decision_request(state))
    request["return_request"] = copy.deepcopy(return_request)
    return _context(conn, shop, request, False, policy)


def context_for_cart(conn, shop: str, request: dict, may_fetch: bool = False, policy=None) -> DecisionContext:
    """The input for a request that is not stored (a cart, a product badge's one-line cart, a pasted sample);
    `request` is the caller's own copy and is filled in place."""
    return _context(conn, shop, request, may_fetch, policy)


def read_cart_context(db, shop: str, request: dict, may_fetch: bool = False) -> DecisionContext:
    """`context_for_cart` for the Decision API, reading what it needs in one statement when it can: the shop,
    its settings and the named variants with their products (`decision_inputs.cart_inputs`), as they are now.
    A cart those rows do not cover (a line naming only a product, a product the mirror lacks) takes the
    general recipe on a connection, so both give the same input."""
    lines = _lines(request)
    vids = {ln["variant_id"] for ln in lines if ln.get("variant_id") and catalog.needs_catalog(ln)}
    read = decision_inputs.cart_inputs(db.engine, shop, vids)
    policy, fetchable = _policy_of(shop, read and read.shop)
    if not fill_from_rows(lines, read.variants, read.products, may_fetch and fetchable):
        return db.read(lambda conn: _context(conn, shop, request, may_fetch, None))
    inputs = read.shop
    config = settings.from_columns(inputs.protection_variant_id, inputs.tag_names, inputs.block_po_boxes)
    return DecisionContext(shop, policy, settings.overlay(request, config), config)


def _lines(request: dict) -> list[dict]:
    order = request.get("order")
    items = order.get("line_items") if isinstance(order, dict) else None
    return [ln for ln in items if isinstance(ln, dict)] if isinstance(items, list) else []


def _context(conn, shop: str, request: dict, may_fetch: bool, policy) -> DecisionContext:
    if policy is None:  # the shop row and its settings in one read, as they are now (nothing cached)
        inputs = decision_inputs.shop_inputs(conn, shop)
        policy, fetchable = _policy_of(shop, inputs)
        may_fetch = may_fetch and fetchable
        config = settings.from_columns(inputs.protection_variant_id, inputs.tag_names, inputs.block_po_boxes)
    else:
        config = settings.for_connection(conn, shop)
    fill_from_catalog(conn, shop, _lines(request), may_fetch)  # before the overlay: catalog tags first, then ours
    return DecisionContext(shop, policy, settings.overlay(request, config), config)


def shop_policy(conn, shop: str) -> tuple:
    """(the shop's active policy, whether it may be asked for unknown products); NoActivePolicy."""
    return _policy_of(shop, decision_inputs.shop_inputs(conn, shop))


def _policy_of(shop: str, row) -> tuple:
    if row is None or not row.active_policy:
        raise NoActivePolicy(f"{shop} has no active return policy yet; the merchant chooses one in the app")
    from backend.services.orders.apply_decision import policy_for  # the policy cache lives with the pipeline

    try:
        return policy_for(row.active_policy), row.has_token and row.installed
    except (engine.PolicyError, OSError, LookupError, ValueError) as exc:
        log.error("active policy %r of %s cannot be loaded: %s", row.active_policy, shop, type(exc).__name__)
        raise NoActivePolicy(f"the active policy of {shop} cannot be loaded") from None


def without_po_box_blocks(decision: dict, policy) -> dict:
    """The merchant let checkout through to P.O. boxes (admin Settings): drop the policy's P.O.-box blocks."""
    po_box_rules = {b.info.id for b in policy.blocks if _turns_on(b.cond, "po_box")}
    decision["blocked"] = [b for b in decision["blocked"] if b["rule"] not in po_box_rules]
    return decision


def _turns_on(cond, key: str) -> bool:
    return key in cond.when or any(key in table for table in cond.when_any)
