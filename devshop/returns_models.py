"""What a simulated shop holds about returns: returns and their lines, the order's payment transactions,
refunds and store-credit transactions, and the webhooks it sent (its outbox).

Money follows Shopify's documented model (shopify.dev, Admin GraphQL `ReturnLineItem.restockingFee` /
`RestockingFeeInput.percentage` "The value of the fee as a percentage", `ReturnShippingFeeInput.amount`
"The value of the fee as a fixed amount in the presentment currency of the order"): a restocking fee is that
percentage of what the returned units were paid (the line's discounted unit price × quantity,
`ReturnLineItem.withCodeDiscountedTotalPriceSet`), rounded half-up to the cent; a return shipping fee is
charged once per return, and both come off the refund (the 2026-10 schema's `returnCalculate`: "refund
amounts, taxes, RestockingFee charges, return shipping fees"). Shopify does not publish its rounding; devshop
rounds half-up to the cent, as the contract's money rules do. Taxes are not simulated (devshop orders carry none).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from devshop.models import now_iso

CENT = Decimal("0.01")
# ReturnStatus values; a request waits for the merchant, OPEN can be processed.
REQUESTED, OPEN, DECLINED, CANCELED, CLOSED = "REQUESTED", "OPEN", "DECLINED", "CANCELED", "CLOSED"
LIVE = (REQUESTED, OPEN, CLOSED)  # statuses whose lines are no longer returnable elsewhere


def cents(value) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


@dataclass
class ReasonDefinition:
    """A `ReturnReasonDefinition`. The simulator's library: one per `ReturnReason` value; the handles are
    devshop's (Shopify's handles are opaque to apps: read them, never guess them)."""
    id: int
    handle: str
    name: str
    deleted: bool = False


@dataclass
class ReturnLine:
    id: int
    line_item_id: int
    fulfillment_id: int
    fulfillment_line_id: int
    quantity: int
    unit_value: Decimal                     # what one unit was paid: (price × qty − discount) / qty
    reason: str = "UNKNOWN"                 # ReturnReason (deprecated in 2026-10, still answered)
    reason_definition: ReasonDefinition | None = None
    customer_note: str | None = None
    reason_note: str = ""
    restocking_percentage: float | None = None
    restocking_fee_id: int | None = None
    processed_quantity: int = 0
    refunded_quantity: int = 0
    # the reverse fulfillment order line's dispositions (ReverseFulfillmentOrderDisposition: id, type, quantity,
    # createdAt), made when the merchant receives the items back (devshop: Simulator.receive_return)
    dispositions: list[dict] = field(default_factory=list)

    @property
    def value(self) -> Decimal:
        return cents(self.unit_value * self.quantity)

    def restocking_fee(self, quantity: int | None = None) -> Decimal:
        if not self.restocking_percentage:
            return Decimal("0.00")
        units = self.quantity if quantity is None else quantity
        return cents(self.unit_value * units * Decimal(str(self.restocking_percentage)) / 100)


@dataclass
class Refund:
    id: int
    return_id: int
    order_id: int
    transactions: list["Transaction"]
    store_credit: list["StoreCreditTransaction"]
    created_at: str = field(default_factory=now_iso)

    @property
    def total(self) -> Decimal:
        return sum((t.amount for t in self.transactions), Decimal(0)) + \
            sum((c.amount for c in self.store_credit), Decimal(0))


@dataclass
class Return:
    id: int
    order_id: int
    name: str
    status: str
    lines: list[ReturnLine]
    shipping_fee: Decimal | None = None
    shipping_fee_id: int | None = None
    shipping_fee_charged: bool = False
    decline: dict | None = None             # {"reason": ReturnDeclineReason, "note"}
    created_at: str = field(default_factory=now_iso)
    request_approved_at: str | None = None
    closed_at: str | None = None
    refunds: list[Refund] = field(default_factory=list)
    notified: list[str] = field(default_factory=list)  # emails Shopify would send the customer

    @property
    def total_quantity(self) -> int:
        return sum(line.quantity for line in self.lines)


@dataclass
class Transaction:
    """An `OrderTransaction`: the order's SALE, and REFUND children of it."""
    id: int
    order_id: int
    kind: str
    amount: Decimal
    currency: str
    parent_id: int | None = None
    status: str = "SUCCESS"
    gateway: str = "bogus"
    created_at: str = field(default_factory=now_iso)


@dataclass
class StoreCreditTransaction:
    """Store credit issued to the order's customer by a refund (`StoreCreditAccountCreditTransaction`)."""
    id: int
    order_id: int
    return_id: int
    amount: Decimal
    currency: str
    expires_at: str | None = None
    created_at: str = field(default_factory=now_iso)


@dataclass
class SentWebhook:
    """A delivery as Shopify sends it: the raw body and its headers (HMAC included)."""
    topic: str
    body: bytes
    headers: dict


@dataclass
class ReturnsBook:
    """Everything returns-related of one shop, guarded by the shop's lock."""
    returns: dict[int, Return] = field(default_factory=dict)
    transactions: dict[int, list[Transaction]] = field(default_factory=dict)   # order id → transactions
    store_credit: list[StoreCreditTransaction] = field(default_factory=list)
    reasons: list[ReasonDefinition] = field(default_factory=list)
    fulfillment_lines: dict[tuple[int, int], int] = field(default_factory=dict)  # (fulfillment, line) → id
    outbox: list[SentWebhook] = field(default_factory=list)
