"""`returnProcess` on a simulated shop: confirm returned quantities and issue the refund, split between the
order's original payment (`orderTransactions`, children of its SALE) and store credit
(`refundMethods: [{storeCreditRefund}]`), as the 2026-10 `ReturnProcessInput` shapes it.

Shopify's computed outcome for the processed units (`outcome()`): their value as paid, less their restocking
fees, less the return shipping fee the first time the return is processed. The refund itself may be any
amount up to what the order still has paid and unrefunded; more needs `allowOverRefunding`
(ReturnProcessRefundInput: "Whether to allow the total refunded amount to surpass the amount paid for the
order").
"""
from __future__ import annotations

from decimal import Decimal

from devshop.ids import parse_gid
from devshop.returns import ReturnError, book, sale_transaction
from devshop.returns_models import OPEN, Refund, Return, StoreCreditTransaction, Transaction, cents


def outcome(ret: Return, quantities: dict[int, int] | None = None) -> dict:
    """{"subtotal", "restocking_fees", "shipping_fee", "total"} for `quantities` (line id → units; default:
    every unprocessed unit), as decimal strings."""
    quantities = quantities if quantities is not None else \
        {line.id: line.quantity - line.processed_quantity for line in ret.lines}
    lines = {line.id: line for line in ret.lines}
    subtotal = sum((cents(lines[i].unit_value * q) for i, q in quantities.items()), Decimal(0))
    fees = sum((lines[i].restocking_fee(q) for i, q in quantities.items()), Decimal(0))
    shipping = ret.shipping_fee if ret.shipping_fee and not ret.shipping_fee_charged else Decimal(0)
    total = max(subtotal - fees - shipping, Decimal(0))
    return {"subtotal": f"{subtotal:.2f}", "restocking_fees": f"{fees:.2f}", "shipping_fee": f"{shipping:.2f}",
            "total": f"{total:.2f}"}


def process(sim, state, ret: Return, spec: dict) -> Refund | None:
    if ret.status != OPEN:
        raise ReturnError("INVALID_STATE", ["input", "returnId"],
                          f"Only an open return can be processed (this one is {ret.status}).")
    quantities = _quantities(ret, spec.get("returnLineItems") or [])
    order = state.orders[ret.order_id]
    refund_spec = (spec.get("financialTransfer") or {}).get("issueRefund")
    plan = _refund_plan(sim, state, order, refund_spec) if refund_spec else None
    for line in ret.lines:
        line.processed_quantity += quantities.get(line.id, 0)
        if plan is not None:
            line.refunded_quantity += quantities.get(line.id, 0)
    if quantities:
        ret.shipping_fee_charged = True
    order.touch()
    return _record(sim, state, ret, order, plan) if plan else None


def _quantities(ret: Return, items: list[dict]) -> dict[int, int]:
    out: dict[int, int] = {}
    lines = {line.id: line for line in ret.lines}
    for index, item in enumerate(items):
        field = ["input", "returnLineItems", str(index)]
        kind, num = parse_gid(item["id"])
        line = lines.get(num) if kind == "ReturnLineItem" else None
        if line is None:
            raise ReturnError("NOT_FOUND", field + ["id"], "Return line item does not exist on this return.")
        qty = out.get(num, 0) + item["quantity"]
        if item["quantity"] <= 0 or qty > line.quantity - line.processed_quantity:
            raise ReturnError("LESS_THAN_OR_EQUAL_TO", field + ["quantity"],
                              "Quantity must be greater than 0 and at most the unprocessed quantity.")
        out[num] = qty
    return out


def _refund_plan(sim, state, order, spec: dict) -> dict:
    sale = sale_transaction(sim, state, order)
    txns = book(sim, state).transactions[order.id]
    payments = []
    for index, item in enumerate(spec.get("orderTransactions") or []):
        field = ["input", "financialTransfer", "issueRefund", "orderTransactions", str(index)]
        kind, num = parse_gid(item["parentId"])
        parent = next((t for t in txns if t.id == num and t.kind in ("SALE", "CAPTURE")), None) \
            if kind == "OrderTransaction" else None
        if parent is None:
            raise ReturnError("NOT_FOUND", field + ["parentId"], "Parent transaction must be a SALE or CAPTURE "
                                                                 "of this order.")
        payments.append((parent, _amount(order, item["transactionAmount"], field + ["transactionAmount"])))
    credits = []
    for index, method in enumerate(spec.get("refundMethods") or []):
        credit = method.get("storeCreditRefund")
        if credit:
            field = ["input", "financialTransfer", "issueRefund", "refundMethods", str(index), "storeCreditRefund"]
            credits.append((_amount(order, credit["amount"], field + ["amount"]), credit.get("expiresAt")))
    _check_cap(sim, state, order, sale, payments, credits, bool(spec.get("allowOverRefunding")))
    return {"payments": payments, "credits": credits}


def _amount(order, money: dict, field: list[str]) -> Decimal:
    if money.get("currencyCode") != order.currency:
        raise ReturnError("INVALID", field + ["currencyCode"],
                          f"Currency must be the order's presentment currency ({order.currency}).")
    value = Decimal(str(money["amount"]))
    if value <= 0:
        raise ReturnError("GREATER_THAN", field + ["amount"], "Amount must be greater than 0.")
    return cents(value)


def _check_cap(sim, state, order, sale, payments, credits, allow_over: bool) -> None:
    refunded = refunded_total(sim, state, order.id)
    wanted = sum((a for _, a in payments), Decimal(0)) + sum((a for a, _ in credits), Decimal(0))
    if not allow_over and refunded + wanted > sale.amount:
        raise ReturnError("INVALID", ["input", "financialTransfer", "issueRefund"],
                          f"Refund of {wanted:.2f} exceeds the {sale.amount - refunded:.2f} the order has left to "
                          "refund.")
    for parent, amount in payments:
        given = sum((t.amount for t in book(sim, state).transactions[order.id] if t.parent_id == parent.id),
                    Decimal(0))
        if given + amount > parent.amount:
            raise ReturnError("INVALID", ["input", "financialTransfer", "issueRefund", "orderTransactions"],
                              "Transaction amount exceeds what the parent transaction can still refund.")


def refunded_total(sim, state, order_id: int) -> Decimal:
    rbook = book(sim, state)
    money = sum((t.amount for t in rbook.transactions.get(order_id, []) if t.kind == "REFUND"), Decimal(0))
    return money + sum((c.amount for c in rbook.store_credit if c.order_id == order_id), Decimal(0))


def _record(sim, state, ret: Return, order, plan: dict) -> Refund:
    rbook = book(sim, state)
    txns = [Transaction(sim.next_id(), order.id, "REFUND", amount, order.currency, parent_id=parent.id)
            for parent, amount in plan["payments"]]
    rbook.transactions[order.id].extend(txns)
    credits = [StoreCreditTransaction(sim.next_id(), order.id, ret.id, amount, order.currency, expires_at=expires)
               for amount, expires in plan["credits"]]
    rbook.store_credit.extend(credits)
    refund = Refund(sim.next_id(), ret.id, order.id, txns, credits)
    ret.refunds.append(refund)
    return refund
