"""Exchanges on the simulator's returns (issue 16): `returnCreate` with `exchangeLineItems` (Admin 2026-10
`ExchangeLineItemInput`: `variantId`, `quantity`), the exchange lines readable on the return
(`Return.exchangeLineItems`, `ExchangeLineItem`), and the shop's return reason library
(`QueryRoot.returnReasonDefinitions`).

Shopify documents that `returnCreate` opens the return at once (OPEN, "assumes that the return request from
the customer has already been approved"); what it answers for a bad exchange line is not published: devshop
answers a `ReturnUserError` with the schema's codes (NOT_FOUND for a variant that does not exist,
GREATER_THAN for a quantity below 1) and creates nothing. Applied discounts and gift card codes are not
simulated (refused as NOT_SIMULATED rather than ignored).
"""
from __future__ import annotations

from dataclasses import dataclass

from devshop import returns as model
from devshop.connections import connection
from devshop.ids import gid, parse_gid, require
from devshop.returns_models import OPEN


@dataclass
class ExchangeLine:
    id: int
    variant_id: int
    product_id: int
    title: str
    variant_title: str
    sku: str | None
    quantity: int
    processed_quantity: int = 0


def _variant(state, variant_gid: str | None):
    kind, num = parse_gid(variant_gid or "")
    for product in state.products.values():
        for variant in product.variants:
            if kind == "ProductVariant" and variant.id == num:
                return product, variant
    return None, None


def exchange_lines(sim, state, specs: list[dict]) -> list[ExchangeLine]:
    """ExchangeLineItemInput dicts as lines; every problem is a ReturnError before anything is written."""
    out = []
    for i, spec in enumerate(specs):
        field = ["exchangeLineItems", str(i)]
        if spec.get("appliedDiscount") or spec.get("giftCardCodes"):
            raise model.ReturnError("INVALID", field, "devshop does not simulate exchange discounts or gift cards.")
        product, variant = _variant(state, spec.get("variantId"))
        if variant is None:
            raise model.ReturnError("NOT_FOUND", field + ["variantId"], "Product variant does not exist.")
        if spec["quantity"] <= 0:
            raise model.ReturnError("GREATER_THAN", field + ["quantity"], "Quantity must be greater than 0.")
        out.append(ExchangeLine(sim.next_id(), variant.id, product.id, product.title, variant.title, variant.sku,
                                spec["quantity"]))
    return out


def create_with_exchanges(sim, state, order, spec: dict):
    """`returnCreate` whose input has exchange lines: the return (OPEN) with them."""
    lines = exchange_lines(sim, state, spec["exchangeLineItems"])
    ret = model.create_return(sim, state, order, spec["returnLineItems"], spec.get("returnShippingFee"), OPEN)
    ret.exchanges = lines
    return ret


class ExchangeLineItemView:
    TYPENAME = "ExchangeLineItem"

    def __init__(self, line: ExchangeLine):
        self.obj, self.id_num = line, line.id

    id = property(lambda self: gid("ExchangeLineItem", self.obj.id))
    quantity = property(lambda self: self.obj.quantity)
    processedQuantity = property(lambda self: self.obj.processed_quantity)
    processableQuantity = property(lambda self: self.obj.quantity - self.obj.processed_quantity)
    unprocessedQuantity = processableQuantity
    title = property(lambda self: self.obj.title)
    variantTitle = property(lambda self: self.obj.variant_title)
    variantSku = property(lambda self: self.obj.sku)
    variantId = property(lambda self: gid("ProductVariant", self.obj.variant_id))
    productId = property(lambda self: gid("Product", self.obj.product_id))
    lineItem = None   # the order's new line item once the exchange is processed: not simulated
    lineItems = None


def exchange_views(ret) -> list[ExchangeLineItemView]:
    return [ExchangeLineItemView(line) for line in getattr(ret, "exchanges", None) or []]


def order_returns(ctx, order) -> list:
    """`Order.returns`: the order's returns, oldest first (the `query` filter is not simulated)."""
    from devshop.returns_views import ReturnView

    returns = model.book(ctx.sim, ctx.state).returns.values()
    return [_Identified(ReturnView(r, ctx), r.id) for r in returns if r.order_id == order.id]


class _Identified:
    """A view with the `id_num` connections page by, delegating every field to the view."""

    def __init__(self, view, id_num: int):
        self._view, self.id_num = view, id_num

    def __getattr__(self, name):
        return getattr(self._view, name)


class _ReasonView:
    TYPENAME = "ReturnReasonDefinition"

    def __init__(self, reason):
        self.id_num = reason.id
        self.id, self.handle, self.name, self.deleted = gid("ReturnReasonDefinition", reason.id), reason.handle, \
            reason.name, reason.deleted


class ExchangeQueries:
    """Mixed into the Admin QueryRoot."""

    def returnReasonDefinitions(self, info, handles=None, ids=None, query=None, sortKey=None, **args):
        require(info, "read_returns")
        reasons = model.book(self.ctx.sim, self.ctx.state).reasons
        if handles:
            reasons = [r for r in reasons if r.handle in handles]
        if ids:
            wanted = {parse_gid(i)[1] for i in ids}
            reasons = [r for r in reasons if r.id in wanted]
        return connection(info, [_ReasonView(r) for r in reasons], **args)
