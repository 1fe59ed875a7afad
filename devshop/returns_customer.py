"""Simulator helpers for returns: a customer's return request, and what tests read back.

`request_return` does what the Customer Account API's `orderRequestReturn` does for a signed-in customer
(customer-2026-10 schema: `requestedLineItems` of `lineItemId`, `quantity`, `returnReason` or
`returnReasonDefinitionId`, `customerNote`): it creates a Return in REQUESTED and Shopify sends
`returns/request`. Like that mutation it names the order's line items; the Return holds the fulfillment
line items that shipped them, as Shopify's does.
"""
from __future__ import annotations

from devshop import returns as model
from devshop import returns_webhooks
from devshop.catalog import numeric_id
from devshop.ids import gid
from devshop.returns_models import REQUESTED


class ReturnsMixin:
    def request_return(self, shop: str, order_id, lines: list[dict], *, shipping_fee: str | None = None):
        """`lines`: dicts of line_item_id, quantity (default 1), reason (a definition handle, e.g. "defective"),
        return_reason (a ReturnReason value), customer_note. Raises `ReturnError` where Shopify would refuse the request."""
        state = self.shops[shop]
        with state.lock:
            order = self.order(shop, order_id)
            specs = [self._request_line(state, order, spec) for spec in lines]
            fee = {"amount": {"amount": shipping_fee, "currencyCode": order.currency}} if shipping_fee else None
            ret = model.create_return(self, state, order, specs, fee, REQUESTED)
            returns_webhooks.send(self, state, "returns/request", ret)
            return ret

    def _request_line(self, state, order, spec: dict) -> dict:
        lid = numeric_id(spec["line_item_id"])
        ful = next((f for f in order.fulfillments if lid in f.line_item_ids), None)
        if ful is None:
            raise model.ReturnError("NOT_FOUND", ["requestedLineItems"], "The line item has not been fulfilled.")
        out = {"fulfillmentLineItemId": gid("FulfillmentLineItem", model.fulfillment_line_id(self, state, ful.id, lid)),
               "quantity": spec.get("quantity", 1), "customerNote": spec.get("customer_note"),
               "returnReason": spec.get("return_reason")}
        if spec.get("reason"):
            found = next((d for d in model.book(self, state).reasons if d.handle == spec["reason"]), None)
            if found is None:
                raise model.ReturnError("NOT_FOUND", ["requestedLineItems"], f"No return reason {spec['reason']!r}.")
            out["returnReasonDefinitionId"] = gid("ReturnReasonDefinition", found.id)
        return out

    # -- reading back --------------------------------------------------------------------------------------
    def returns(self, shop: str) -> list:
        return list(model.book(self, self.shops[shop]).returns.values())

    def get_return(self, shop: str, return_id):
        return model.book(self, self.shops[shop]).returns[numeric_id(return_id)]

    def reason_definitions(self, shop: str) -> list:
        return list(model.book(self, self.shops[shop]).reasons)

    def sent_webhooks(self, shop: str, topic: str | None = None) -> list:
        return [w for w in model.book(self, self.shops[shop]).outbox if topic is None or w.topic == topic]

    def store_credit(self, shop: str) -> list:
        return list(model.book(self, self.shops[shop]).store_credit)

    def order_transactions(self, shop: str, order_id) -> list:
        state = self.shops[shop]
        with state.lock:
            model.sale_transaction(self, state, self.order(shop, order_id))
            return list(model.book(self, state).transactions[numeric_id(order_id)])

    def receive_return(self, shop: str, return_id, disposition: str = "RESTOCKED", quantities: dict | None = None):
        """The merchant receives the return's items back: each line (or `quantities`: line item id → units) is
        disposed (`reverseFulfillmentOrderDispose`'s ReverseFulfillmentOrderDispositionType: RESTOCKED,
        NOT_RESTOCKED, PROCESSING_REQUIRED, MISSING) on the return's reverse fulfillment order."""
        from devshop.models import now_iso

        state = self.shops[shop]
        with state.lock:
            ret = self.get_return(shop, return_id)
            for line in ret.lines:
                left = line.quantity - sum(d["quantity"] for d in line.dispositions)
                units = left if quantities is None else min(left, quantities.get(line.line_item_id, 0))
                if units > 0:
                    line.dispositions.append({"id": f"gid://shopify/ReverseFulfillmentOrderDisposition/{self.next_id()}",
                                              "type": disposition, "quantity": units, "createdAt": now_iso()})
            return ret

    def return_outcome(self, shop: str, return_id) -> dict:
        """Shopify's computed figures for every unprocessed unit: subtotal, restocking fees, shipping fee, total."""
        from devshop.returns_process import outcome
        return outcome(self.get_return(shop, return_id))
