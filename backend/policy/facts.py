"""The typed facts a decision request is read into (by request.py, the one reader).

They are msgspec Structs (built in C: a decision builds one per line, fulfilment and returned line).
Address facts may be unknown (None): the request had no shipping address, or Shopify withheld or redacted
its fields (protected customer data). Conditions on an unknown fact are undetermined (vocabulary.py)."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal

import msgspec

from backend.policy.money import ZERO

_PO_BOX = re.compile(r"\b(?:p\s*\.?\s*o\s*\.?\s*box|post\s*office\s*box|pob)\b", re.IGNORECASE)
_CARRIER_WORDS = (("usps", "usps"), ("ups", "ups"), ("fedex", "fedex"), ("dhl", "dhl"))


class Line(msgspec.Struct, gc=False):  # holds no object that could refer back to it
    id: str
    sku: str
    ptype: str
    tags: frozenset
    quantity: int
    price: Decimal
    discount: Decimal
    gift_card: bool
    props: dict
    marked_down: bool
    has_discount: bool
    discounted: bool
    compare_at: Decimal | None = None  # only when marked down (compare-at above the price)

    @property
    def off(self) -> Decimal:
        """How far below its compare-at (else its) price the line was paid, in percent: markdown, line
        discounts and discount codes (Shopify allocates those to the line's `discount`) together. Computed
        only when a `discount_percent_*` condition asks."""
        if not self.discounted:
            return ZERO
        units = self.quantity or 1
        before = (self.compare_at if self.compare_at is not None else self.price) * units
        if before <= ZERO:
            return ZERO
        paid = self.price * units - (self.discount if self.quantity else ZERO)
        return (before - paid) * 100 / before


class Fulfillment(msgspec.Struct, gc=False):
    line_ids: frozenset | None
    shipped: datetime | None
    delivered: datetime | None
    shipped_date: date | None = None  # the local dates in the policy's zone
    delivered_date: date | None = None


class Order(msgspec.Struct):
    id: str | None
    created: datetime
    local_date: date
    currency: str
    channel: str
    tags: frozenset
    codes: tuple
    country: str | None  # None: unknown
    province: str | None  # "": the address has none; None: unknown
    po_box: bool | None  # None: unknown (no street)
    carriers: frozenset
    lines: list
    fulfillments: list
    merch: Decimal = ZERO
    payments: frozenset = frozenset()  # Shopify's payment gateway names, lower-case ("cash", "shopify_payments")

    @property
    def unknown_facts(self) -> list:
        """The request facts the decision could not know (contract: `unknown_facts`)."""
        if self.country is None or self.province is None or self.po_box is None:
            return ["shipping_address"]
        return []


class ReturnLine(msgspec.Struct, gc=False):
    line_item_id: str
    quantity: int
    condition: str
    reason: str
    merchant_fault: bool
    channel: str = "mail"  # how it comes back: "mail" or "in_store" (the return request's `channel`)
    exchange_for: str | None = None  # for an exchange: "same_style" (default) or "other_item"
    exchanges_before: int = 0  # exchanges already made on the order (the return request's `exchanges_before`)


class Request(msgspec.Struct):
    order: Order
    as_of: datetime | None
    resolution: str | None
    return_lines: list | None
    as_of_date: date | None = None  # as_of's local date, when read with it
    # What the order's earlier returns took back ({line id: units}) and the fee kinds they were charged
    # (the return request's `earlier_returns`); empty for a first return and for old requests.
    returned_before: dict = msgspec.field(default_factory=dict)
    fees_before: frozenset = msgspec.field(default_factory=frozenset)


def carrier_of(carrier: str, title: str) -> str:
    """The carrier code of a shipping line: its `carrier`, else a carrier named in its title ("" if none)."""
    carrier = carrier.strip().lower()
    if carrier:
        return carrier
    words = set(re.findall(r"[a-z]+", title.lower()))
    words |= {"fedex"} if "fed" in words and "ex" in words else set()
    return next((code for word, code in _CARRIER_WORDS if word in words), "")


def is_po_box(street: str) -> bool:
    low = street.lower()  # every form the pattern knows holds "box" or "pob": most streets skip the search
    if "box" not in low and "pob" not in low:
        return False
    return bool(_PO_BOX.search(street))
