"""The GraphQL documents of Shopify's returns (Admin API 2026-10) and their answers as plain objects.

Read: `RETURN_QUERY` (one return: lines, quantities, reason definitions and handles, customer notes, fees,
fulfillment line items → order line ids, and the order's payments a refund goes back to).
Write: approve, decline (reason + note + notifyCustomer), remove refused lines, the recommend-mode tag and
note, and process (the refund split into original
payment and store credit: `financialTransfer.issueRefund` with `orderTransactions` and
`refundMethods: [{storeCreditRefund}]`, the 2026-10 `ReturnProcessInput` shape).
Every document is priced by tests/unit/test_query_cost.py and validated against the 2026-10 schema.
"""
from __future__ import annotations

from decimal import Decimal

from backend.shopify.payloads.common import _money, numeric_id

MAX_LINES = 50          # return lines read at once; a bigger return says `truncated`
MAX_TRANSACTIONS = 20   # order payments read (a refund's parents)
MAX_EXCHANGE_LINES = 20  # exchange lines read (the new items an exchange sends out)
DECLINE_REASONS = ("FINAL_SALE", "RETURN_PERIOD_ENDED", "OTHER")  # the schema's ReturnDeclineReason
DECLINE_NOTE_MAX = 500  # ReturnDeclineRequestInput.declineNote: "Maximum length: 500 characters."

RETURN_QUERY = """
query FineprintReturn($id: ID!) {
  return(id: $id) {
    id name status createdAt requestApprovedAt
    decline { reason note }
    order {
      id currencyCode
      transactions(first: %d) { id kind status amountSet { shopMoney { amount currencyCode } } }
    }
    returnShippingFees { id amountSet { shopMoney { amount currencyCode } } }
    returnLineItems(first: %d) {
      pageInfo { hasNextPage }
      nodes {
        id quantity processedQuantity customerNote returnReasonNote
        returnReasonDefinition { id handle name }
        ... on ReturnLineItem {
          restockingFee { percentage amountSet { shopMoney { amount } } }
          withCodeDiscountedTotalPriceSet { shopMoney { amount } }
          fulfillmentLineItem { id lineItem { id product { id } } }
        }
      }
    }
    exchangeLineItems(first: %d) {
      nodes { id quantity title variantTitle variantId productId }
    }
  }
}
""" % (MAX_TRANSACTIONS, MAX_LINES, MAX_EXCHANGE_LINES)

# Are the return's items back? "Creating a return or approving a return creates a reverse fulfillment order"
# (shopify.dev, Manage reverse fulfillment orders); receiving an item disposes its units there
# (ReverseFulfillmentOrderDisposition: RESTOCKED, NOT_RESTOCKED, PROCESSING_REQUIRED, MISSING — the last one
# "An item that was expected but absent"), which Shopify announces as `reverse_fulfillment_orders/dispose`.
MAX_REVERSE_ORDERS = 5
RECEIPT_QUERY = """
query FineprintReturnReceipt($id: ID!) {
  return(id: $id) {
    id status
    reverseFulfillmentOrders(first: %d) {
      nodes { id status lineItems(first: %d) { nodes { totalQuantity dispositions { type quantity } } } }
    }
  }
}
""" % (MAX_REVERSE_ORDERS, MAX_LINES)

_RESULT = "return { id status } userErrors { code field message }"
APPROVE_MUTATION = ("mutation FineprintReturnApprove($input: ReturnApproveRequestInput!) "
                    "{ returnApproveRequest(input: $input) { %s } }" % _RESULT)
DECLINE_MUTATION = ("mutation FineprintReturnDecline($input: ReturnDeclineRequestInput!) "
                    "{ returnDeclineRequest(input: $input) { %s } }" % _RESULT)
PROCESS_MUTATION = ("mutation FineprintReturnProcess($input: ReturnProcessInput!) "
                    "{ returnProcess(input: $input) { %s } }" % _RESULT)
# A return Fineprint opens itself (a merchant-side return, or the shopper preview's) carries the policy's fees
# in Shopify's model: per-line restocking percentages and a return shipping fee (services/returns/money.py).
# The one `returnCreate` document (the shopper's exchange, services/returns/shopper_actions.py, sends it too).
CREATE_MUTATION = ("mutation FineprintReturnCreate($returnInput: ReturnInput!) "
                   "{ returnCreate(returnInput: $returnInput) { return { id name status } "
                   "userErrors { code field message } } }")

# The refused lines of a partly allowed request leave it before it is approved (Shopify approves or declines
# a request as a whole). `removeFromReturn`: `returnLineItemRemoveFromReturn` is deprecated in 2026-10.
REMOVE_MUTATION = ("mutation FineprintReturnRemoveLines($returnId: ID!, $lines: [ReturnLineItemRemoveFromReturnInput!]) "
                   "{ removeFromReturn(returnId: $returnId, returnLineItems: $lines) { %s } }" % _RESULT)

# Recommend mode writes the verdict on the order: a tag, and a line in the order's note. The Admin API has no
# mutation for the order's timeline ("comments" are written by staff in the admin only), so the note —
# which merchants see on the order page — carries it; `orderUpdate(input: {note})` replaces the whole note,
# hence the read first and the merchant's own text kept above ours.
ORDER_NOTE_QUERY = "query FineprintOrderNote($id: ID!) { order(id: $id) { id note tags } }"
RECOMMEND_MUTATION = """
mutation FineprintReturnRecommend($id: ID!, $tags: [String!]!, $input: OrderInput!) {
  tagsAdd(id: $id, tags: $tags) { userErrors { field message } }
  orderUpdate(input: $input) { order { id note } userErrors { field message } }
}
"""

# Shopify's own word to shoppers on returns: the shop's refund policy (2026-10 exposes no return-rules object
# to apps: `shopPolicies` is what Shopify shows shoppers; each return also carries the fees Shopify's rules set).
SHOP_POLICIES_QUERY = "query FineprintShopPolicies { shop { shopPolicies { type title body url updatedAt } } }"


# -- reading ---------------------------------------------------------------------------------------------

def return_from_graphql(data: dict | None) -> dict | None:
    """RETURN_QUERY's data → {"id", "gid", "name", "status", "order_id", "currency", "decline",
    "shipping_fee", "lines", "exchanges", "payments", "truncated"}; None when Shopify has no such return."""
    ret = (data or {}).get("return")
    if not ret:
        return None
    order = ret.get("order") or {}
    lines = ret.get("returnLineItems") or {}
    return {
        "id": numeric_id(ret["id"]), "gid": ret["id"], "name": ret.get("name"), "status": ret.get("status"),
        "order_id": numeric_id(order.get("id")), "currency": order.get("currencyCode"),
        "decline": ret.get("decline"),
        "shipping_fee": _total(f.get("amountSet") for f in ret.get("returnShippingFees") or []),
        "lines": [_line(node) for node in lines.get("nodes") or []],
        "exchanges": [_exchange(node) for node in (ret.get("exchangeLineItems") or {}).get("nodes") or []],
        "payments": [_payment(t) for t in order.get("transactions") or []
                     if t.get("kind") in ("SALE", "CAPTURE") and t.get("status") == "SUCCESS"],
        "truncated": bool((lines.get("pageInfo") or {}).get("hasNextPage")),
    }


def _line(node: dict) -> dict:
    reason = node.get("returnReasonDefinition")
    fee = node.get("restockingFee")
    ful = node.get("fulfillmentLineItem") or {}
    return {
        "id": numeric_id(node["id"]), "gid": node["id"],
        "line_item_id": numeric_id((ful.get("lineItem") or {}).get("id")),
        "product_id": numeric_id(((ful.get("lineItem") or {}).get("product") or {}).get("id")),
        "fulfillment_line_item_id": numeric_id(ful.get("id")),
        "quantity": node.get("quantity"), "processed_quantity": node.get("processedQuantity") or 0,
        "customer_note": node.get("customerNote"), "reason_note": node.get("returnReasonNote") or "",
        # The handle is the shop's own name for the reason: shown as it is, never guessed into another.
        "reason": {"id": reason["id"], "handle": reason["handle"], "name": reason["name"]} if reason else None,
        "restocking_percentage": fee.get("percentage") if fee else None,
        "restocking_fee": _money(fee.get("amountSet")) if fee else None,
        "value": _money(node.get("withCodeDiscountedTotalPriceSet")),
    }


def receipt_from(data: dict | None) -> dict | None:
    """RECEIPT_QUERY's data → {"status", "units", "received", "missing"}: the units the return's reverse
    fulfillment orders expect, those disposed as received (any type but MISSING) and those disposed MISSING;
    None when Shopify has no such return."""
    ret = (data or {}).get("return")
    if not ret:
        return None
    units = received = missing = 0
    for rfo in (ret.get("reverseFulfillmentOrders") or {}).get("nodes") or []:
        for line in (rfo.get("lineItems") or {}).get("nodes") or []:
            units += int(line.get("totalQuantity") or 0)
            for d in line.get("dispositions") or []:
                if d.get("type") == "MISSING":
                    missing += int(d.get("quantity") or 0)
                else:
                    received += int(d.get("quantity") or 0)
    return {"status": ret.get("status"), "units": units, "received": received, "missing": missing}


def _exchange(node: dict) -> dict:
    """An exchange line: the new item the shopper gets for what they send back."""
    return {"gid": node["id"], "quantity": node.get("quantity"), "title": node.get("title"),
            "variant_title": node.get("variantTitle"), "variant_id": numeric_id(node.get("variantId")),
            "product_id": numeric_id(node.get("productId"))}


def _payment(t: dict) -> dict:
    money = (t.get("amountSet") or {}).get("shopMoney") or {}
    return {"gid": t["id"], "kind": t["kind"], "amount": _money(money.get("amount")),
            "currency": money.get("currencyCode")}


def _total(bags) -> str:
    return f"{sum((Decimal(_money(b) or 0) for b in bags), Decimal(0)):.2f}"


# -- writing ---------------------------------------------------------------------------------------------

def approve_request(return_gid: str, *, notify_customer: bool = True) -> tuple[str, dict]:
    return APPROVE_MUTATION, {"input": {"id": return_gid, "notifyCustomer": notify_customer}}


def decline_request(return_gid: str, reason: str, note: str | None, *,
                    notify_customer: bool = True) -> tuple[str, dict]:
    """`reason` is a ReturnDeclineReason; the note (the policy's sentence) must fit Shopify's 500 characters."""
    if reason not in DECLINE_REASONS:
        raise ValueError(f"decline reason {reason!r} is not one of {', '.join(DECLINE_REASONS)}")
    if note is not None and len(note) > DECLINE_NOTE_MAX:
        raise ValueError(f"a decline note is at most {DECLINE_NOTE_MAX} characters (this one is {len(note)})")
    spec = {"id": return_gid, "declineReason": reason, "notifyCustomer": notify_customer}
    if note:
        spec["declineNote"] = note
    return DECLINE_MUTATION, {"input": spec}


def process_request(return_gid: str, lines: list[tuple[str, int]], currency: str, *,
                    to_payment: str = "0", payment_gid: str | None = None, to_store_credit: str = "0",
                    notify_customer: bool = True, allow_over_refunding: bool = False) -> tuple[str, dict]:
    """Process `lines` ((return line gid, quantity)) and refund `to_payment` to the order's payment
    `payment_gid` and `to_store_credit` as store credit (decimal strings; a zero part is left out)."""
    spec: dict = {"returnId": return_gid, "notifyCustomer": notify_customer,
                  "returnLineItems": [{"id": gid, "quantity": qty} for gid, qty in lines]}
    payment, credit = Decimal(str(to_payment)), Decimal(str(to_store_credit))
    if payment < 0 or credit < 0:
        raise ValueError("refund parts are never negative")
    if payment and not payment_gid:
        raise ValueError("a refund to the original payment names the payment (its SALE or CAPTURE transaction)")
    refund: dict = {"orderTransactions": []}
    if payment:
        refund["orderTransactions"].append({"parentId": payment_gid, "transactionAmount": _money_input(payment,
                                                                                                      currency)})
    if credit:
        refund["refundMethods"] = [{"storeCreditRefund": {"amount": _money_input(credit, currency)}}]
    if allow_over_refunding:  # bonus store credit is more than the shopper paid for the lines
        refund["allowOverRefunding"] = True
    if payment or credit:
        spec["financialTransfer"] = {"issueRefund": refund}
    return PROCESS_MUTATION, {"input": spec}


def _money_input(amount: Decimal, currency: str) -> dict:
    return {"amount": f"{amount:.2f}", "currencyCode": currency}


def write_result(data: dict | None) -> tuple[dict | None, list[dict]]:
    """(the return as written: {"gid", "status"} | None, userErrors) of any of the three mutations."""
    for value in (data or {}).values():
        if isinstance(value, dict) and "userErrors" in value:
            ret = value.get("return")
            return ({"gid": ret["id"], "status": ret["status"]} if ret else None), list(value["userErrors"] or [])
    return None, []


def remove_lines(return_gid: str, lines: list[tuple[str, int]]) -> tuple[str, dict]:
    return REMOVE_MUTATION, {"returnId": return_gid, "lines": [{"returnLineItemId": gid, "quantity": qty}
                                                              for gid, qty in lines]}


def recommend_request(order_gid: str, tag: str, note: str) -> tuple[str, dict]:
    return RECOMMEND_MUTATION, {"id": order_gid, "tags": [tag], "input": {"id": order_gid, "note": note}}


def order_note(data: dict | None) -> tuple[str, list[str]] | None:
    order = (data or {}).get("order")
    return (order.get("note") or "", list(order.get("tags") or [])) if order else None


def recommend_errors(data: dict | None) -> list[dict]:
    return [e for key in ("tagsAdd", "orderUpdate") for e in (((data or {}).get(key) or {}).get("userErrors") or [])]


def refund_policy(data: dict | None) -> dict | None:
    """SHOP_POLICIES_QUERY's data → the REFUND_POLICY {"title", "body", "url"}, or None."""
    for policy in ((data or {}).get("shop") or {}).get("shopPolicies") or []:
        if policy.get("type") == "REFUND_POLICY":
            return {"title": policy.get("title"), "body": policy.get("body") or "", "url": policy.get("url")}
    return None


def create_return(order_gid: str, lines: list[dict], currency: str, *, restocking: dict | None = None,
                  shipping_fee: str | None = None, notify_customer: bool = False) -> tuple[str, dict]:
    """`lines`: {"fulfillment_line_item_id" (gid), "quantity", "key"}; `restocking`: key → percentage (a
    float, Shopify's RestockingFeeInput); `shipping_fee`: the return shipping fee, a decimal string."""
    items = []
    for line in lines:
        item = {"fulfillmentLineItemId": line["fulfillment_line_item_id"], "quantity": line["quantity"],
                "returnReason": "UNKNOWN"}
        pct = (restocking or {}).get(line.get("key"))
        if pct:
            item["restockingFee"] = {"percentage": pct}
        items.append(item)
    spec: dict = {"orderId": order_gid, "returnLineItems": items, "notifyCustomer": notify_customer}
    if shipping_fee and Decimal(shipping_fee) > 0:
        spec["returnShippingFee"] = {"amount": _money_input(Decimal(shipping_fee), currency)}
    return CREATE_MUTATION, {"returnInput": spec}
