"""What one simulated shop holds: catalog, orders, tokens, its cost bucket.

Plain mutable dataclasses guarded by `ShopState.lock`; the GraphQL views
(`views.py`) and the REST payload builder (`payloads.py`) read them.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timezone


def now_iso() -> str:
    return datetime.now(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


@dataclass
class Variant:
    id: int
    product_id: int
    title: str = "Default Title"
    price: str = "10.00"
    compare_at_price: str | None = None
    sku: str | None = None


@dataclass
class Product:
    id: int
    title: str
    product_type: str = ""
    tags: list[str] = field(default_factory=list)
    vendor: str = "Fineprint Dev"
    handle: str = ""
    status: str = "ACTIVE"
    variants: list[Variant] = field(default_factory=list)
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)


@dataclass
class LineItem:
    id: int
    title: str
    quantity: int = 1
    price: str = "10.00"
    sku: str | None = None
    variant_id: int | None = None
    product_id: int | None = None
    discount: str = "0.00"          # total allocated to the line (all units)
    gift_card: bool = False
    properties: dict = field(default_factory=dict)
    variant_title: str | None = None
    vendor: str | None = None
    current_quantity: int | None = None  # after removals (a returned, refunded unit); None: quantity


@dataclass
class Fulfillment:
    id: int
    line_item_ids: list[int]
    created_at: str = field(default_factory=now_iso)
    status: str = "success"
    shipment_status: str | None = None   # e.g. "delivered"
    delivered_at: str | None = None
    tracking_company: str | None = None
    tracking_number: str | None = None


@dataclass
class Metafield:
    id: int
    namespace: str
    key: str
    type: str
    value: str
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)


@dataclass
class Order:
    id: int
    name: str
    created_at: str = field(default_factory=now_iso)
    updated_at: str = field(default_factory=now_iso)
    processed_at: str | None = None
    cancelled_at: str | None = None
    currency: str = "USD"
    source_name: str = "web"
    email: str | None = "customer@example.com"
    tags: list[str] = field(default_factory=list)
    discount_codes: list[dict] = field(default_factory=list)   # [{"code", "amount", "type"}]
    shipping_address: dict | None = None
    shipping_lines: list[dict] = field(default_factory=list)   # [{"title", "code", "price", "carrier_identifier"}]
    line_items: list[LineItem] = field(default_factory=list)
    fulfillments: list[Fulfillment] = field(default_factory=list)
    metafields: dict[tuple[str, str], Metafield] = field(default_factory=dict)
    note: str | None = None
    test: bool = False

    def touch(self) -> None:
        self.updated_at = now_iso()


@dataclass
class Token:
    value: str
    shop: str
    scope: str
    mode: str = "offline"                 # offline | online
    expires_at: float | None = None       # epoch seconds; None = never
    refresh_token: str | None = None
    refresh_expires_at: float | None = None
    revoked: bool = False
    user_id: int | None = None


@dataclass
class ShopState:
    domain: str
    name: str
    timezone: str = "America/New_York"
    currency: str = "USD"
    granted_scopes: str | None = None     # None: grant what was asked
    products: dict[int, Product] = field(default_factory=dict)
    orders: dict[int, Order] = field(default_factory=dict)
    bulk_operations: dict[int, object] = field(default_factory=dict)
    returns: object = None                # devshop.returns_models.ReturnsBook, made on first use
    flow_runs: list = field(default_factory=list)  # accepted flowTriggerReceive calls (devshop/flow.py)
    policies: dict = field(default_factory=dict)   # Shop.shopPolicies: ShopPolicyType → body (returns drift)
    lock: threading.RLock = field(default_factory=threading.RLock)
