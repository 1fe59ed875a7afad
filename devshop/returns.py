"""Shopify's returns model over a simulated shop's state: what is returnable, and the life of a return
(request → approve | decline → process → closed; cancel; close). Every rule refuses with a `ReturnError`,
which the GraphQL layer answers as a `ReturnUserError` (codes from the schema's `ReturnErrorCode`).

Shopify does not publish its userError wording; the codes are the schema's and the messages say the
same thing in plain words.
"""
from __future__ import annotations

from decimal import Decimal

from devshop.ids import parse_gid
from devshop.models import Order, ShopState, now_iso
from devshop.returns_models import (CANCELED, CLOSED, DECLINED, LIVE, OPEN, REQUESTED, ReasonDefinition,
                                            Return, ReturnLine, ReturnsBook, Transaction, cents)

REASONS = ("COLOR", "DEFECTIVE", "NOT_AS_DESCRIBED", "OTHER", "SIZE_TOO_LARGE", "SIZE_TOO_SMALL", "STYLE",
           "UNWANTED", "WRONG_ITEM")


class ReturnError(Exception):
    def __init__(self, code: str, field: list[str] | None, message: str):
        super().__init__(message)
        self.code, self.field, self.message = code, field, message

    def user_error(self) -> dict:
        return {"code": self.code, "field": self.field, "message": self.message}


def book(sim, state: ShopState) -> ReturnsBook:
    if state.returns is None:
        state.returns = ReturnsBook(reasons=[ReasonDefinition(sim.next_id(), r.lower().replace("_", "-"),
                                                              r.replace("_", " ").capitalize()) for r in REASONS])
    return state.returns


def fulfillment_line_id(sim, state: ShopState, fulfillment_id: int, line_item_id: int) -> int:
    """A FulfillmentLineItem's own id (never the LineItem's), stable once given."""
    lines = book(sim, state).fulfillment_lines
    return lines.setdefault((fulfillment_id, line_item_id), sim.next_id())


def find_fulfillment_line(sim, state: ShopState, order: Order, fulfillment_line_id_: int):
    for ful in order.fulfillments:
        for li in order.line_items:
            if li.id in ful.line_item_ids and fulfillment_line_id(sim, state, ful.id, li.id) == fulfillment_line_id_:
                return ful, li
    return None, None


def returnable_quantity(sim, state: ShopState, order: Order, ful, li) -> int:
    """What was fulfilled less what live returns already hold (a declined or cancelled return frees its lines)."""
    held = sum(line.quantity for r in book(sim, state).returns.values() if r.order_id == order.id
               and r.status in LIVE for line in r.lines if line.fulfillment_id == ful.id and line.line_item_id == li.id)
    return max(li.quantity - held, 0)


def unit_value(li) -> Decimal:
    return (Decimal(li.price) * li.quantity - Decimal(li.discount)) / li.quantity


def sale_transaction(sim, state: ShopState, order: Order) -> Transaction:
    """The order's payment: one SALE of its total, made on first use (devshop orders are paid in full)."""
    txns = book(sim, state).transactions.setdefault(order.id, [])
    if not txns:
        txns.append(Transaction(sim.next_id(), order.id, "SALE", order_total(order), order.currency,
                                created_at=order.processed_at or order.created_at))
    return txns[0]


def order_total(order: Order) -> Decimal:
    lines = sum((Decimal(li.price) * li.quantity - Decimal(li.discount) for li in order.line_items), Decimal(0))
    return cents(lines + sum((Decimal(s.get("price", "0")) for s in order.shipping_lines), Decimal(0)))


# -- creating ------------------------------------------------------------------------------------------------

def create_return(sim, state: ShopState, order: Order, lines: list[dict], shipping_fee: dict | None,
                  status: str) -> Return:
    """`lines`: ReturnRequestLineItemInput / ReturnLineItemInput dicts. Checks everything before writing."""
    if order.cancelled_at:
        raise ReturnError("INVALID_STATE", ["orderId"], "A return can't be created for a canceled order.")
    if not lines:
        raise ReturnError("BLANK", ["returnLineItems"], "Return line items can't be blank.")
    built = [_line(sim, state, order, i, spec) for i, spec in enumerate(lines)]
    _check_totals(sim, state, order, built)
    fee = _shipping_fee(order, shipping_fee)
    rbook = book(sim, state)
    count = sum(1 for r in rbook.returns.values() if r.order_id == order.id)
    ret = Return(sim.next_id(), order.id, f"{order.name}-R{count + 1}", status, built, shipping_fee=fee,
                 shipping_fee_id=sim.next_id() if fee is not None else None)
    if status == OPEN:
        ret.request_approved_at = ret.created_at
    rbook.returns[ret.id] = ret
    order.touch()
    return ret


def _line(sim, state, order, index: int, spec: dict) -> ReturnLine:
    field = ["returnLineItems", str(index)]
    kind, num = parse_gid(spec["fulfillmentLineItemId"])
    ful, li = find_fulfillment_line(sim, state, order, num) if kind == "FulfillmentLineItem" else (None, None)
    if li is None:
        raise ReturnError("NOT_FOUND", field + ["fulfillmentLineItemId"], "Fulfillment line item does not exist.")
    if spec["quantity"] <= 0:
        raise ReturnError("GREATER_THAN", field + ["quantity"], "Quantity must be greater than 0.")
    pct = (spec.get("restockingFee") or {}).get("percentage")
    if pct is not None and not 0 <= pct <= 100:
        raise ReturnError("INVALID", field + ["restockingFee", "percentage"],
                          "Restocking fee percentage must be between 0 and 100.")
    note = spec.get("customerNote")
    if note is not None and len(note) > 300:  # ReturnRequestLineItemInput.customerNote: "Maximum length: 300"
        raise ReturnError("TOO_LONG", field + ["customerNote"], "Customer note is too long (maximum is 300).")
    return ReturnLine(sim.next_id(), li.id, ful.id, fulfillment_line_id(sim, state, ful.id, li.id), spec["quantity"],
                      unit_value(li), reason=spec.get("returnReason") or "UNKNOWN",
                      reason_definition=_reason(sim, state, spec.get("returnReasonDefinitionId"), field),
                      customer_note=note, reason_note=spec.get("returnReasonNote") or "",
                      restocking_percentage=pct, restocking_fee_id=sim.next_id() if pct else None)


def _reason(sim, state, definition_id, field) -> ReasonDefinition | None:
    if definition_id is None:
        return None
    kind, num = parse_gid(definition_id)
    found = next((d for d in book(sim, state).reasons if d.id == num and kind == "ReturnReasonDefinition"), None)
    if found is None:
        raise ReturnError("NOT_FOUND", field + ["returnReasonDefinitionId"], "Return reason definition not found.")
    return found


def _check_totals(sim, state, order, built: list[ReturnLine]) -> None:
    wanted: dict[tuple[int, int], int] = {}
    for line in built:
        wanted[(line.fulfillment_id, line.line_item_id)] = wanted.get((line.fulfillment_id, line.line_item_id), 0) \
            + line.quantity
    for (fid, lid), qty in wanted.items():
        ful = next(f for f in order.fulfillments if f.id == fid)
        li = next(li for li in order.line_items if li.id == lid)
        if qty > returnable_quantity(sim, state, order, ful, li):
            index = next(i for i, line in enumerate(built) if line.line_item_id == lid)
            raise ReturnError("LESS_THAN_OR_EQUAL_TO", ["returnLineItems", str(index), "quantity"],
                              "Quantity must be less than or equal to the returnable quantity.")


def _shipping_fee(order: Order, spec: dict | None) -> Decimal | None:
    if not spec:
        return None
    amount = spec["amount"]
    if amount.get("currencyCode") != order.currency:
        raise ReturnError("INVALID", ["returnShippingFee", "amount", "currencyCode"],
                          f"Currency must be the order's presentment currency ({order.currency}).")
    value = Decimal(str(amount["amount"]))
    if value < 0:
        raise ReturnError("GREATER_THAN_OR_EQUAL_TO", ["returnShippingFee", "amount"], "Amount must be positive.")
    return cents(value)


# -- moving a return -------------------------------------------------------------------------------------

def get_return(sim, state, return_id: int, field: list[str]) -> Return:
    ret = book(sim, state).returns.get(return_id)
    if ret is None:
        raise ReturnError("NOT_FOUND", field, "Return does not exist.")
    return ret


def approve(ret: Return) -> None:
    if ret.status != REQUESTED:  # approving twice is refused, never applied twice
        raise ReturnError("INVALID_STATE", ["input", "id"],
                          f"Return is not approvable. Only returns with status REQUESTED can be approved "
                          f"(this one is {ret.status}).")
    ret.status, ret.request_approved_at = OPEN, now_iso()


def decline(ret: Return, reason: str, note: str | None) -> None:
    if ret.status != REQUESTED:
        raise ReturnError("INVALID_STATE", ["input", "id"],
                          f"Return is not declinable. Only returns with status REQUESTED can be declined "
                          f"(this one is {ret.status}).")
    if note is not None and len(note) > 500:  # ReturnDeclineRequestInput.declineNote: "Maximum length: 500"
        raise ReturnError("TOO_LONG", ["input", "declineNote"], "Decline note is too long (maximum is 500).")
    ret.status, ret.decline = DECLINED, {"reason": reason, "note": note}


def cancel(ret: Return) -> None:
    # returnCancel: "only available before any work has been done on the return (such as an inspection or refund)"
    if ret.status not in (REQUESTED, OPEN) or any(line.processed_quantity for line in ret.lines):
        raise ReturnError("INVALID_STATE", ["id"], f"Return can't be canceled (status {ret.status}, or processed).")
    ret.status = CANCELED


def close(ret: Return) -> None:
    if ret.status != OPEN:
        raise ReturnError("INVALID_STATE", ["id"], f"Only an open return can be closed (this one is {ret.status}).")
    ret.status, ret.closed_at = CLOSED, now_iso()
