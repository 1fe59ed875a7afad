"""GraphQL views of returns: Return, ReturnLineItem, ReturnableFulfillment, fees, refunds, OrderTransaction."""
from __future__ import annotations

from devshop.connections import connection
from devshop.ids import gid, money, money_bag
from devshop.order_views import FulfillmentView, LineItemView, OrderView
from devshop.returns import book, fulfillment_line_id, returnable_quantity, sale_transaction
from devshop.views import View


def _bag(amount, ctx):
    return money_bag(f"{amount:.2f}", ctx.order_currency)


class ReturnView(View):
    TYPENAME = "Return"

    def __init__(self, obj, ctx):
        super().__init__(obj, ctx.for_order(ctx.state.orders[obj.order_id]))

    name = property(lambda self: self.obj.name)
    status = property(lambda self: self.obj.status)
    createdAt = property(lambda self: self.obj.created_at)
    closedAt = property(lambda self: self.obj.closed_at)
    requestApprovedAt = property(lambda self: self.obj.request_approved_at)
    totalQuantity = property(lambda self: self.obj.total_quantity)
    decline = property(lambda self: dict(self.obj.decline) if self.obj.decline else None)
    staffMember = None

    def order(self, info):
        return OrderView(self.ctx.current_order, self.ctx)

    def returnLineItems(self, info, processingStatus=None, **args):
        return connection(info, [ReturnLineItemView(line, self.ctx) for line in self.obj.lines], **args)

    def exchangeLineItems(self, info, includeRemovedItems=False, processingStatus=None, **args):
        from devshop.returns_exchange import exchange_views
        return connection(info, exchange_views(self.obj), **args)

    @property
    def returnShippingFees(self):
        if self.obj.shipping_fee is None:
            return []
        return [{"id": gid("ReturnShippingFee", self.obj.shipping_fee_id),
                 "amountSet": _bag(self.obj.shipping_fee, self.ctx)}]

    def refunds(self, info, **args):
        return connection(info, [RefundView(r, self.ctx) for r in self.obj.refunds], **args)

    def reverseFulfillmentOrders(self, info, **args):
        """Shopify: "Creating a return or approving a return creates a reverse fulfillment order" (shopify.dev,
        Manage reverse fulfillment orders). devshop keeps one per open or closed return, its lines the return's."""
        found = [ReverseFulfillmentOrderView(self.obj, self.ctx)] if self.obj.status in ("OPEN", "CLOSED") else []
        return connection(info, found, **args)


class ReverseFulfillmentOrderView(View):
    """`ReverseFulfillmentOrder` (2026-10): id, status (OPEN until every unit is disposed, then CLOSED), lineItems
    with their `dispositions`. devshop numbers it after its return."""
    TYPENAME = "ReverseFulfillmentOrder"
    reverseDeliveries = None
    thirdPartyConfirmation = None

    @property
    def status(self):
        disposed = all(sum(d["quantity"] for d in ln.dispositions) >= ln.quantity for ln in self.obj.lines)
        return "CLOSED" if disposed else "OPEN"

    def order(self, info):
        return OrderView(self.ctx.current_order, self.ctx)

    def lineItems(self, info, **args):
        return connection(info, [ReverseFulfillmentOrderLineItemView(ln, self.ctx) for ln in self.obj.lines], **args)


class ReverseFulfillmentOrderLineItemView(View):
    TYPENAME = "ReverseFulfillmentOrderLineItem"
    totalQuantity = property(lambda self: self.obj.quantity)

    @property
    def dispositions(self):
        return [{**d, "location": None} for d in self.obj.dispositions]


class ReturnLineItemView(View):
    TYPENAME = "ReturnLineItem"
    quantity = property(lambda self: self.obj.quantity)
    customerNote = property(lambda self: self.obj.customer_note)
    returnReason = property(lambda self: self.obj.reason)
    returnReasonNote = property(lambda self: self.obj.reason_note)
    processedQuantity = property(lambda self: self.obj.processed_quantity)
    unprocessedQuantity = property(lambda self: self.obj.quantity - self.obj.processed_quantity)
    processableQuantity = unprocessedQuantity
    refundedQuantity = property(lambda self: self.obj.refunded_quantity)
    refundableQuantity = property(lambda self: self.obj.quantity - self.obj.refunded_quantity)
    withCodeDiscountedTotalPriceSet = property(lambda self: _bag(self.obj.value, self.ctx))
    totalWeight = None

    @property
    def returnReasonDefinition(self):
        d = self.obj.reason_definition
        return None if d is None else {"id": gid("ReturnReasonDefinition", d.id), "handle": d.handle,
                                       "name": d.name, "deleted": d.deleted}

    @property
    def restockingFee(self):
        if not self.obj.restocking_percentage:
            return None
        return {"id": gid("RestockingFee", self.obj.restocking_fee_id), "percentage": self.obj.restocking_percentage,
                "amountSet": _bag(self.obj.restocking_fee(), self.ctx)}

    @property
    def fulfillmentLineItem(self):
        order = self.ctx.current_order
        li = next(li for li in order.line_items if li.id == self.obj.line_item_id)
        ful = next(f for f in order.fulfillments if f.id == self.obj.fulfillment_id)
        return FulfillmentLineView(li, self.ctx, ful, li.quantity)


class FulfillmentLineView(View):
    """A FulfillmentLineItem: its own id (not the LineItem's), the line, the quantity it shipped."""
    TYPENAME = "FulfillmentLineItem"

    def __init__(self, obj, ctx, fulfillment, quantity):
        super().__init__(obj, ctx)
        self.fulfillment, self.quantity = fulfillment, quantity

    @property
    def id_num(self):
        return fulfillment_line_id(self.ctx.sim, self.ctx.state, self.fulfillment.id, self.obj.id)

    id = property(lambda self: gid("FulfillmentLineItem", self.id_num))
    lineItem = property(lambda self: LineItemView(self.obj, self.ctx))
    originalTotalSet = property(lambda self: LineItemView(self.obj, self.ctx).originalTotalSet)
    discountedTotalSet = property(lambda self: LineItemView(self.obj, self.ctx).discountedTotalSet)


class ReturnableFulfillmentView(View):
    TYPENAME = "ReturnableFulfillment"

    def fulfillment(self, info):
        return FulfillmentView(self.obj, self.ctx)

    def returnableFulfillmentLineItems(self, info, **args):
        order = self.ctx.current_order
        items = []
        for li in order.line_items:
            qty = returnable_quantity(self.ctx.sim, self.ctx.state, order, self.obj, li) \
                if li.id in self.obj.line_item_ids else 0
            if qty:
                items.append(_ReturnableLine(FulfillmentLineView(li, self.ctx, self.obj, li.quantity), qty))
        return connection(info, items, **args)


class _ReturnableLine:
    TYPENAME = "ReturnableFulfillmentLineItem"

    def __init__(self, line: FulfillmentLineView, quantity: int):
        self.fulfillmentLineItem, self.quantity, self.id_num = line, quantity, line.id_num


def returnable_fulfillments(ctx, order) -> list[ReturnableFulfillmentView]:
    octx = ctx.for_order(order)
    out = []
    for ful in order.fulfillments:
        if any(returnable_quantity(ctx.sim, ctx.state, order, ful, li) for li in order.line_items
               if li.id in ful.line_item_ids):
            out.append(ReturnableFulfillmentView(ful, octx))
    return out


class RefundView(View):
    TYPENAME = "Refund"
    createdAt = property(lambda self: self.obj.created_at)
    note = None
    totalRefundedSet = property(lambda self: _bag(self.obj.total, self.ctx))

    def transactions(self, info, **args):
        return connection(info, [TransactionView(t, self.ctx) for t in self.obj.transactions], **args)


class TransactionView(View):
    TYPENAME = "OrderTransaction"
    kind = property(lambda self: self.obj.kind)
    status = property(lambda self: self.obj.status)
    gateway = property(lambda self: self.obj.gateway)
    createdAt = property(lambda self: self.obj.created_at)
    processedAt = createdAt
    test = True
    amountSet = property(lambda self: money_bag(f"{self.obj.amount:.2f}", self.obj.currency))
    amountV2 = property(lambda self: money(f"{self.obj.amount:.2f}", self.obj.currency))

    @property
    def parentTransaction(self):
        if self.obj.parent_id is None:
            return None
        txns = book(self.ctx.sim, self.ctx.state).transactions.get(self.obj.order_id, [])
        parent = next((t for t in txns if t.id == self.obj.parent_id), None)
        return TransactionView(parent, self.ctx) if parent else None


def order_transactions(ctx, order, first=None) -> list[TransactionView]:
    sale_transaction(ctx.sim, ctx.state, order)
    txns = book(ctx.sim, ctx.state).transactions[order.id]
    return [TransactionView(t, ctx) for t in (txns[:first] if first else txns)]
