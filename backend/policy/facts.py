"""The typed facts a decision request is read into: msgspec Structs that `msgspec.convert` builds straight
from the request, in C (schema.py describes the rest of the request), which request.py then completes.

Each field is declared as the request sends it (its wire name, its type from fields.py, so a bad value is
reported by its name); request.py replaces the raw value by the fact in place (texts lower-cased, tags as
frozensets, timestamps as aware instants, ids as text) and writes every `Derived` field, whatever a request
sent under its name. Reading into the facts themselves spares a second object per line, fulfilment and
returned line (measured on bench/engine.py's 3-line orders). Address facts may be unknown (None): the
request had no shipping address, or Shopify withheld or redacted its fields (protected customer data).
Conditions on an unknown fact are undetermined (vocabulary.py)."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import msgspec
from msgspec import field

from backend.policy.fields import (Address, Codes, Count, Derived, Flag, Ident, Moment, Money, Properties, Returned,
                                   ShippingLine, Tags, Text, Condition, choice)
from backend.policy.model import REASONS
from backend.policy.money import ZERO

_PO_BOX = re.compile(r"\b(?:p\s*\.?\s*o\s*\.?\s*box|post\s*office\s*box|pob)\b", re.IGNORECASE)
_CARRIER_WORDS = (("usps", "usps"), ("ups", "ups"), ("fedex", "fedex"), ("dhl", "dhl"))


class Line(msgspec.Struct, gc=False):  # holds no object that could refer back to it
    id: Ident  # text once read
    quantity: Count
    price: Money
    sku: Text = None  # lower-case once read ("" when absent)
    ptype: Text = field(default=None, name="product_type")  # trimmed, lower-case once read
    tags: Tags = field(default=None, name="product_tags")  # a frozenset of lower-case tags once read
    compare_at: Optional[Money] = field(default=None, name="compare_at_price")  # only when marked down, once read
    discount: Optional[Money] = None  # ZERO when absent, once read
    gift_card: Flag = False  # True or False once read (null reads as False)
    props: Properties = field(default_factory=dict, name="properties")  # {name: trimmed text} once read
    marked_down: Derived = False
    has_discount: Derived = False
    discounted: Derived = False

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
    line_ids: Optional[list[Ident]] = field(default=None, name="line_item_ids")  # a frozenset of texts once read
    shipped: Optional[Moment] = field(default=None, name="shipped_at")  # an aware instant once read
    delivered: Optional[Moment] = field(default=None, name="delivered_at")
    shipped_date: Derived = None  # the local dates in the policy's zone
    delivered_date: Derived = None


class Order(msgspec.Struct, gc=False):
    created: Moment = field(name="created_at")  # an aware instant once read
    lines: list[Line] = field(name="line_items")
    id: Optional[Ident] = None  # text (or None) once read
    currency: Text = None  # upper-case once read (the policy's currency when absent)
    channel: Text = field(default=None, name="source_name")  # lower-case once read
    tags: Tags = None  # frozenset once read
    codes: Codes = field(default=None, name="discount_codes")  # a tuple of trimmed lower-case codes once read
    address: Optional[Address] = field(default=None, name="shipping_address")  # as sent; read into the three below
    carriers: Optional[list[ShippingLine]] = field(default=None, name="shipping_lines")  # carrier codes once read
    fulfillments: Optional[list[Fulfillment]] = None  # a list once read
    payments: Tags = field(default=None, name="payment_gateway_names")  # lower-case names ("cash", "shopify_payments")
    local_date: Derived = None  # `created`'s date in the policy's zone
    country: Derived = None  # None: unknown
    province: Derived = None  # "": the address has none; None: unknown
    po_box: Derived = None  # None: unknown (no street)
    merch: Derived = ZERO

    @property
    def unknown_facts(self) -> list:
        """The request facts the decision could not know (contract: `unknown_facts`)."""
        if self.country is None or self.province is None or self.po_box is None:
            return ["shipping_address"]
        return []


class ReturnLine(msgspec.Struct, gc=False):
    line_item_id: Ident  # text once read
    quantity: Returned
    condition: Condition = None  # one of the policy's condition words once read ("new" when absent)
    reason: choice(REASONS) = None  # "changed_mind" when absent, once read
    merchant_fault: Derived = False
    channel: Derived = "mail"  # how it comes back: "mail" or "in_store" (the return request's `channel`)
    exchange_for: Derived = None  # for an exchange: "same_style" (default) or "other_item"
    exchanges_before: Derived = 0  # exchanges already made on the order (the return request's `exchanges_before`)


class Request(msgspec.Struct, gc=False):  # holds no object that could refer back to it
    order: Order
    as_of: datetime | None
    resolution: str | None
    return_lines: list | None
    as_of_date: date | None = None  # as_of's local date, when read with it
    # What the order's earlier returns took back ({line id: units}) and the fee kinds they were charged
    # (the return request's `earlier_returns`); empty for a first return and for old requests.
    returned_before: dict = {}  # a new empty dict for each request (msgspec copies an empty default)
    fees_before: frozenset = frozenset()


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
