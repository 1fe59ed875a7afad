"""The policy as frozen data, compiled at load time: every rule carries its match predicate."""
from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Callable
from zoneinfo import ZoneInfo

RESOLUTIONS = ("refund", "store_credit", "exchange")
CLASSES = ("protection", "external", "trial", "final_sale", "credit_only", "exchange_or_credit", "standard")
PRECEDENCE = {name: rank for rank, name in enumerate(reversed(CLASSES))}  # higher wins
# What a class permits regardless of windows: None = whatever the windows say.
CLASS_PERMITS = {
    "standard": None, "trial": None, "credit_only": frozenset({"store_credit"}),
    "final_sale": frozenset(), "external": frozenset(), "protection": frozenset(),
    "exchange_or_credit": frozenset({"store_credit", "exchange"}),  # "exchange or store credit, no refund"
}
ANCHORS = ("delivery", "shipment", "order")
CONDITIONS = ("new", "worn", "damaged")
REASONS = ("changed_mind", "size", "defective", "wrong_item", "carrier_damage", "not_as_described", "extra_item")
MERCHANT_FAULT = frozenset({"defective", "wrong_item", "carrier_damage", "not_as_described", "extra_item"})
FEE_KINDS = ("restocking", "handling", "label", "return_shipping")
# the kept gift's value is deducted / the refund becomes store credit / the bundle's paid value is shared by its units
BUNDLE_OUTCOMES = ("deduct", "store_credit", "split")

Match = Callable[[object], bool]


@dataclass(frozen=True)
class Info:
    """What every rule has: a stable id, a title, the policy sentence, and where it is written."""

    id: str
    title: str
    text: str
    line: int = 1
    col: int = 1
    reason: dict = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "reason", {"rule": self.id, "text": self.text})


@dataclass(frozen=True)
class Cond:
    """A rule's conditions as written (for lint and render) and compiled (`match`)."""

    when: dict
    when_any: tuple
    unless: dict | None
    match: Match


@dataclass(frozen=True)
class Window:
    """N days from an anchor, and/or a return-by date (`until`: a date, or (month, day) for the first such
    day on or after the order's local date). With both, the later deadline wins; `until` alone counts
    from the order."""

    days: int | None
    anchor: str
    until: date | tuple | None = None
    json: dict = field(init=False, compare=False, repr=False)

    def __post_init__(self):
        object.__setattr__(self, "json", {"days": self.days, "from": self.anchor})

    def as_json(self) -> dict:
        return dict(self.json)

    def until_date(self, ordered: date) -> date | None:
        """The return-by date for an order placed on `ordered` (None when the window has none)."""
        if self.until is None or type(self.until) is date:
            return self.until
        month, day = self.until
        found = date(ordered.year, month, day)
        return found if found >= ordered else date(ordered.year + 1, month, day)


@dataclass(frozen=True)
class LineRule:
    info: Info
    cond: Cond
    cls: str | None = None
    windows: dict = field(default_factory=dict)  # resolution -> Window | None (None = not permitted)
    contradicts: tuple = ()
    note: str | None = None


@dataclass(frozen=True)
class ReturnRule:
    info: Info
    cond: Cond
    refuse: bool = False
    allow_only: frozenset | None = None
    lifted_by_merchant_fault: bool = True


@dataclass(frozen=True)
class FeeRule:
    info: Info
    cond: Cond
    kind: str
    amount: Decimal | None = None
    percent: Decimal | None = None
    resolutions: frozenset = frozenset(RESOLUTIONS)
    waived_for_merchant_fault: bool = True
    waived_by_protection: bool = False
    per_item: bool = False  # a flat amount charged for every returned unit it applies to, not once per request
    per_order: bool = False  # a flat amount charged once per order: not when an earlier return paid this kind


@dataclass(frozen=True)
class BonusRule:
    """Extra store credit on a store-credit return: a percentage of the matching lines or a flat amount,
    at most `cap` (an outcome of its own: never a negative fee)."""

    info: Info
    cond: Cond
    amount: Decimal | None = None
    percent: Decimal | None = None
    cap: Decimal | None = None


@dataclass(frozen=True)
class BundleRule:
    """A condition across the lines of an order and its return (bundles.py): lines that earn a gift
    (`members`, None = every line that is neither a gift nor the protection line) and the gift lines.
    The bundle breaks when the return takes back a member and, with a `threshold`, takes the members
    kept below it; while a gift unit is kept, `outcome` applies: "deduct" (the gift's value, `gift_value`
    or its own unit price, comes off the refund) or "store_credit" (the returned members are paid as
    store credit instead of a refund). "split" is no break: every unit of the bundle (members and gifts)
    is worth an equal share of what the bundle was paid, whichever of them comes back."""

    info: Info
    cond: Cond  # which orders (order-level conditions)
    gift: Cond
    members: Cond | None
    outcome: str
    threshold: Decimal | None = None
    gift_value: Decimal | None = None
    resolutions: frozenset = frozenset({"refund", "store_credit"})
    threshold_items: int | None = None  # the gift was earned by this many member units ("2+1")


@dataclass(frozen=True)
class PriceAdjustmentRule:
    info: Info
    cond: Cond
    resolution: str | None
    days: int
    anchor: str = "order"


@dataclass(frozen=True)
class Protection:
    info: Info
    price: Decimal
    offered: Cond
    line: Cond


@dataclass(frozen=True)
class Rate:
    info: Info
    cond: Cond
    rate: Decimal


@dataclass(frozen=True)
class Season:
    info: Info
    start: str
    end: str
    business_days: int


@dataclass(frozen=True)
class ShipBy:
    info: Info
    business_days: int
    weekend: frozenset
    holidays: tuple
    country: str
    seasons: tuple


@dataclass(frozen=True)
class Shipping:
    info: Info
    currency: str
    rates: tuple
    ship_by: ShipBy | None


@dataclass(frozen=True)
class OrderRule:
    """Signature and blocking rules: conditions on the order only."""

    info: Info
    cond: Cond
    message: str | None = None


@dataclass(frozen=True)
class SalesTax:
    info: Info
    country: str
    states: dict  # province code -> start date


@dataclass(frozen=True)
class Contradiction:
    info: Info
    conflicts_with: str
    note: str


@dataclass(frozen=True)
class DeliveryFallback:
    info: Info
    days: int


@dataclass(frozen=True)
class Policy:
    name: str
    title: str
    version: str
    source_name: str
    timezone: str
    tz: ZoneInfo
    currency: str
    rules: tuple = ()
    return_rules: tuple = ()
    fees: tuple = ()
    bonus_credit: tuple = ()
    bundles: tuple = ()
    price_adjustments: tuple = ()
    protection: Protection | None = None
    signature: tuple = ()
    shipping: Shipping | None = None
    blocks: tuple = ()
    sales_tax: SalesTax | None = None
    contradictions: tuple = ()
    delivery_fallback: DeliveryFallback | None = None
    seed: str | None = None
    conditions: tuple = CONDITIONS  # the item conditions a return request may name ([policy] conditions)
    raw: dict = field(default_factory=dict, compare=False, repr=False)
    positions: dict = field(default_factory=dict, compare=False, repr=False)

    def reads(self, keys: tuple) -> bool:
        """Whether any condition of the policy, anywhere (every Cond field of every rule-like object of
        `all_rules`), names one of the condition `keys`."""
        for rule in self.all_rules():
            for f in fields(rule):
                cond = getattr(rule, f.name)
                if isinstance(cond, Cond) and any(key in table for table in (cond.when, *cond.when_any,
                                                                               cond.unless or {}) for key in keys):
                    return True
        return False

    def all_rules(self):
        """Every rule-like object with an `info`, in file order per section."""
        yield from self.rules
        yield from self.return_rules
        yield from self.fees
        yield from self.bonus_credit
        yield from self.bundles
        yield from self.price_adjustments
        if self.protection:
            yield self.protection
        yield from self.signature
        if self.shipping:
            yield self.shipping
            yield from self.shipping.rates
            if self.shipping.ship_by:
                yield self.shipping.ship_by
                yield from self.shipping.ship_by.seasons
        yield from self.blocks
        if self.sales_tax:
            yield self.sales_tax
