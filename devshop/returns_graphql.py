"""The Admin API's returns fields on the simulator's roots: `return`, `returnableFulfillments` and the
mutations `returnRequest`, `returnCreate`, `returnApproveRequest`, `returnDeclineRequest`, `returnCancel`,
`returnClose`, `returnProcess`. Scopes as the 2026-10 docs state them: read_returns for the queries,
write_returns for the mutations. Every change runs under the shop's lock (graphql_api) and is checked in
full before anything is written, so a refused mutation leaves the shop as it was.
"""
from __future__ import annotations

from devshop import returns as model
from devshop import returns_webhooks
from devshop.ids import parse_gid, require
from devshop.returns_models import OPEN, REQUESTED


def _payload(ret, ctx, errors=()):
    from devshop.returns_views import ReturnView
    return {"return": ReturnView(ret, ctx) if ret is not None and not errors else None, "userErrors": list(errors)}


def _order(ctx, order_id, field):
    kind, num = parse_gid(order_id)
    order = ctx.state.orders.get(num) if kind == "Order" else None
    if order is None:
        raise model.ReturnError("NOT_FOUND", field, "Order does not exist.")
    return order


def _return(ctx, return_id, field):
    kind, num = parse_gid(return_id)
    if kind != "Return":
        raise model.ReturnError("NOT_FOUND", field, "Return does not exist.")
    return model.get_return(ctx.sim, ctx.state, num, field)


def _notify(ctx, ret, wanted, what: str) -> None:
    email = ctx.state.orders[ret.order_id].email
    if wanted and email:  # "The customer will only receive a notification if `Order.email` is present."
        ret.notified.append(what)


class ReturnQueries:
    def returnableFulfillments(self, info, orderId, **args):
        from devshop.connections import connection
        from devshop.returns_views import returnable_fulfillments
        require(info, "read_returns")
        kind, num = parse_gid(orderId)
        order = self.ctx.state.orders.get(num) if kind == "Order" else None
        return connection(info, returnable_fulfillments(self.ctx, order) if order else [], **args)

    def return_(self, info, id):
        from devshop.returns_views import ReturnView
        require(info, "read_returns")
        kind, num = parse_gid(id)
        ret = model.book(self.ctx.sim, self.ctx.state).returns.get(num) if kind == "Return" else None
        return ReturnView(ret, self.ctx) if ret else None


setattr(ReturnQueries, "return", ReturnQueries.return_)  # `return` is a Python keyword, not a GraphQL one


class ReturnMutations:
    def _run(self, info, action):
        require(info, "write_returns")
        try:
            return _payload(action(), self.ctx)
        except model.ReturnError as exc:
            return _payload(None, self.ctx, [exc.user_error()])

    def _create(self, spec, status):
        order = _order(self.ctx, spec["orderId"], ["input", "orderId"])
        ret = model.create_return(self.ctx.sim, self.ctx.state, order, spec["returnLineItems"],
                                  spec.get("returnShippingFee"), status)
        if status == REQUESTED:
            returns_webhooks.send(self.ctx.sim, self.ctx.state, "returns/request", ret)
        return ret

    def returnRequest(self, info, input):
        return self._run(info, lambda: self._create(input, REQUESTED))

    def returnCreate(self, info, returnInput):
        if returnInput.get("exchangeLineItems"):  # exchanges: devshop/returns_exchange.py
            from devshop.returns_exchange import create_with_exchanges
            return self._run(info, lambda: create_with_exchanges(
                self.ctx.sim, self.ctx.state, _order(self.ctx, returnInput["orderId"], ["returnInput", "orderId"]),
                returnInput))
        return self._run(info, lambda: self._create(returnInput, OPEN))

    def returnApproveRequest(self, info, input):
        def act():
            ret = _return(self.ctx, input["id"], ["input", "id"])
            model.approve(ret)
            _notify(self.ctx, ret, input.get("notifyCustomer"), "approved")
            returns_webhooks.send(self.ctx.sim, self.ctx.state, "returns/approve", ret)
            return ret
        return self._run(info, act)

    def returnDeclineRequest(self, info, input):
        def act():
            ret = _return(self.ctx, input["id"], ["input", "id"])
            model.decline(ret, input["declineReason"], input.get("declineNote"))
            _notify(self.ctx, ret, input.get("notifyCustomer"), "declined")
            returns_webhooks.send(self.ctx.sim, self.ctx.state, "returns/decline", ret)
            return ret
        return self._run(info, act)

    def returnCancel(self, info, id, notifyCustomer=False):
        def act():
            ret = _return(self.ctx, id, ["id"])
            model.cancel(ret)
            _notify(self.ctx, ret, notifyCustomer, "canceled")
            returns_webhooks.send(self.ctx.sim, self.ctx.state, "returns/cancel", ret)
            return ret
        return self._run(info, act)

    def returnClose(self, info, id):
        def act():
            ret = _return(self.ctx, id, ["id"])
            model.close(ret)
            returns_webhooks.send(self.ctx.sim, self.ctx.state, "returns/close", ret)
            return ret
        return self._run(info, act)

    def returnProcess(self, info, input):
        from devshop.returns_process import process

        def act():
            ret = _return(self.ctx, input["returnId"], ["input", "returnId"])
            process(self.ctx.sim, self.ctx.state, ret, input)
            _notify(self.ctx, ret, input.get("notifyCustomer"), "processed")
            returns_webhooks.send(self.ctx.sim, self.ctx.state, "returns/process", ret)
            return ret
        return self._run(info, act)

    def removeFromReturn(self, info, returnId, returnLineItems=None, exchangeLineItems=None):
        """Takes units off a return's lines (a line left with none goes). Shopify allows it before the
        units are processed; exchange lines are not simulated."""
        def act():
            ret = _return(self.ctx, returnId, ["returnId"])
            if ret.status not in (REQUESTED, OPEN):
                raise model.ReturnError("INVALID_STATE", ["returnId"],
                                        f"Lines can't be removed from a return in status {ret.status}.")
            lines = {line.id: line for line in ret.lines}
            plan = {}
            for index, item in enumerate(returnLineItems or []):
                field = ["returnLineItems", str(index)]
                kind, num = parse_gid(item["returnLineItemId"])
                line = lines.get(num) if kind == "ReturnLineItem" else None
                if line is None:
                    raise model.ReturnError("NOT_FOUND", field + ["returnLineItemId"],
                                            "Return line item does not exist on this return.")
                qty = plan.get(num, 0) + item["quantity"]
                if item["quantity"] <= 0 or qty > line.quantity - line.processed_quantity:
                    raise model.ReturnError("LESS_THAN_OR_EQUAL_TO", field + ["quantity"],
                                            "Quantity must be greater than 0 and at most the unprocessed quantity.")
                plan[num] = qty
            if plan and sum(line.quantity for line in ret.lines) == sum(plan.values()):
                raise model.ReturnError("INVALID", ["returnLineItems"],
                                        "A return must keep at least one line; cancel or decline it instead.")
            for num, qty in plan.items():
                lines[num].quantity -= qty
            ret.lines[:] = [line for line in ret.lines if line.quantity > 0]
            return ret
        return self._run(info, act)

    def orderUpdate(self, info, input):
        """The order's note (what the app writes); other OrderInput fields are not simulated."""
        from graphql import GraphQLError

        from devshop.models import now_iso
        require(info, "write_orders")
        unsupported = sorted(k for k in input if k not in ("id", "note"))
        if unsupported:
            raise GraphQLError(f"devshop simulates orderUpdate's note only, not {', '.join(unsupported)}",
                               extensions={"code": "NOT_SIMULATED"})
        kind, num = parse_gid(input["id"])
        order = self.ctx.state.orders.get(num) if kind == "Order" else None
        if order is None:
            return {"order": None, "userErrors": [{"field": ["id"], "message": "Order does not exist"}]}
        if "note" in input:
            order.note = input["note"]
            order.updated_at = now_iso()
        return {"order": self.ctx.lookup(None, input["id"]), "userErrors": []}


def shop_policies(state) -> list[dict]:
    """Shop.shopPolicies: the legal pages a test or the demo set (`ShopState.policies`: type → body)."""
    bodies = getattr(state, "policies", None) or {}
    return [{"id": f"gid://shopify/ShopPolicy/{i + 1}", "type": kind, "title": kind.replace("_", " ").title(),
             "body": body, "url": f"https://{state.domain}/policies/{kind.lower().replace('_', '-')}",
             "updatedAt": "2026-01-01T00:00:00Z", "createdAt": "2026-01-01T00:00:00Z"}
            for i, (kind, body) in enumerate(sorted(bodies.items()))]
