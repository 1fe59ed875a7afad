"""GraphQL views of orders: Order, LineItem, Fulfillment, Metafield."""
from __future__ import annotations

import hashlib
import json
from decimal import Decimal

from devshop.connections import _when, connection
from devshop.ids import gid, money, money_bag, resolve_namespace
from devshop.views import ProductView, VariantView, View

_ADDRESS_KEYS = {"address1": "address1", "address2": "address2", "city": "city", "province": "province",
                 "provinceCode": "province_code", "country": "country", "countryCodeV2": "country_code",
                 "zip": "zip", "firstName": "first_name", "lastName": "last_name", "name": "name",
                 "phone": "phone", "company": "company"}


def mailing_address(address: dict | None) -> dict | None:
    if address is None:
        return None
    out = {gql: address.get(rest) for gql, rest in _ADDRESS_KEYS.items()}
    out["countryCode"] = out["countryCodeV2"]
    return out


class MetafieldView(View):
    TYPENAME = "Metafield"
    namespace = property(lambda self: self.obj.namespace)
    key = property(lambda self: self.obj.key)
    type = property(lambda self: self.obj.type)
    value = property(lambda self: self.obj.value)
    createdAt = property(lambda self: self.obj.created_at)
    updatedAt = property(lambda self: self.obj.updated_at)
    ownerType = "ORDER"
    description = None

    @property
    def compareDigest(self):
        return digest(self.obj.value)

    @property
    def jsonValue(self):
        if self.obj.type == "json":
            return json.loads(self.obj.value)
        return self.obj.value


def digest(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


class LineItemView(View):
    TYPENAME = "LineItem"
    title = property(lambda self: self.obj.title)
    name = property(lambda self: self.obj.title + (f" - {self.obj.variant_title}" if self.obj.variant_title else ""))
    quantity = property(lambda self: self.obj.quantity)
    currentQuantity = property(lambda self: self.obj.quantity if self.obj.current_quantity is None
                               else self.obj.current_quantity)
    sku = property(lambda self: self.obj.sku)
    variantTitle = property(lambda self: self.obj.variant_title)
    vendor = property(lambda self: self.obj.vendor)
    isGiftCard = property(lambda self: self.obj.gift_card)
    requiresShipping = property(lambda self: not self.obj.gift_card)
    taxable = True
    customAttributes = property(lambda self: [{"key": k, "value": v} for k, v in self.obj.properties.items()])

    def _bag(self, amount):
        return money_bag(amount, self.ctx.order_currency)

    originalUnitPriceSet = property(lambda self: self._bag(self.obj.price))
    originalUnitPrice = property(lambda self: self.obj.price)
    originalTotalSet = property(lambda self: self._bag(f"{Decimal(self.obj.price) * self.obj.quantity:.2f}"))
    totalDiscountSet = property(lambda self: self._bag(self.obj.discount))
    discountedTotalSet = property(lambda self: self._bag(
        f"{Decimal(self.obj.price) * self.obj.quantity - Decimal(self.obj.discount):.2f}"))

    @property
    def discountAllocations(self):
        if Decimal(self.obj.discount) == 0:
            return []
        return [{"allocatedAmountSet": self._bag(self.obj.discount),
                 "allocatedAmount": money(self.obj.discount, self.ctx.order_currency)}]

    def variant(self, info):
        return self.ctx.lookup("ProductVariant", gid("ProductVariant", self.obj.variant_id)) \
            if self.obj.variant_id else None

    def product(self, info):
        return self.ctx.lookup("Product", gid("Product", self.obj.product_id)) if self.obj.product_id else None


class FulfillmentView(View):
    TYPENAME = "Fulfillment"
    createdAt = property(lambda self: self.obj.created_at)
    updatedAt = property(lambda self: self.obj.delivered_at or self.obj.created_at)
    deliveredAt = property(lambda self: self.obj.delivered_at)
    inTransitAt = property(lambda self: self.obj.created_at)
    estimatedDeliveryAt = None
    status = property(lambda self: self.obj.status.upper())
    displayStatus = property(lambda self: "DELIVERED" if self.obj.delivered_at else "FULFILLED")
    name = property(lambda self: f"#F{self.obj.id}")
    trackingInfo = property(lambda self: lambda info, first=None: [
        {"company": self.obj.tracking_company, "number": self.obj.tracking_number, "url": None}])

    def order(self, info):
        return OrderView(self.ctx.current_order, self.ctx)

    def fulfillmentLineItems(self, info, **args):
        order = self.ctx.current_order
        lines = [li for li in order.line_items if li.id in self.obj.line_item_ids]
        from devshop.returns_views import FulfillmentLineView  # its own id, shared with returns
        return connection(info, [FulfillmentLineView(li, self.ctx, self.obj, li.quantity) for li in lines], **args)


class OrderView(View):
    TYPENAME = "Order"
    SEARCH = {"id": lambda o: o.id, "name": lambda o: o.name, "tag": lambda o: o.tags,
              "created_at": lambda o: o.created_at, "updated_at": lambda o: o.updated_at,
              "processed_at": lambda o: o.processed_at, "source_name": lambda o: o.source_name}
    SORT = {"ID": lambda o: o.id, "CREATED_AT": lambda o: _when(o.created_at, "UTC"),
            "UPDATED_AT": lambda o: _when(o.updated_at, "UTC"),
            "PROCESSED_AT": lambda o: _when(o.processed_at, "UTC"), "ORDER_NUMBER": lambda o: o.name}

    def __init__(self, obj, ctx):
        super().__init__(obj, ctx.for_order(obj))

    name = property(lambda self: self.obj.name)
    createdAt = property(lambda self: self.obj.created_at)
    updatedAt = property(lambda self: self.obj.updated_at)
    processedAt = property(lambda self: self.obj.processed_at)
    cancelledAt = property(lambda self: self.obj.cancelled_at)
    closed = False
    test = property(lambda self: self.obj.test)
    note = property(lambda self: self.obj.note)
    email = property(lambda self: self.obj.email)
    currencyCode = property(lambda self: self.obj.currency)
    presentmentCurrencyCode = currencyCode
    sourceName = property(lambda self: self.obj.source_name)
    tags = property(lambda self: list(self.obj.tags))
    discountCodes = property(lambda self: [d["code"] for d in self.obj.discount_codes])
    discountCode = property(lambda self: self.discountCodes[0] if self.obj.discount_codes else None)
    shippingAddress = property(lambda self: mailing_address(self.obj.shipping_address))

    def _total(self) -> Decimal:
        lines = sum((Decimal(li.price) * li.quantity - Decimal(li.discount) for li in self.obj.line_items), Decimal(0))
        return lines + sum((Decimal(s.get("price", "0")) for s in self.obj.shipping_lines), Decimal(0))

    subtotalPriceSet = property(lambda self: money_bag(
        f"{sum((Decimal(li.price) * li.quantity - Decimal(li.discount) for li in self.obj.line_items), Decimal(0)):.2f}",
        self.obj.currency))
    totalPriceSet = property(lambda self: money_bag(f"{self._total():.2f}", self.obj.currency))
    currentTotalPriceSet = totalPriceSet

    def lineItems(self, info, **args):
        return connection(info, [LineItemView(li, self.ctx) for li in self.obj.line_items], **args)

    def returns(self, info, query=None, **args):  # devshop/returns_exchange.py
        from devshop.returns_exchange import order_returns
        return connection(info, order_returns(self.ctx, self.obj), **args)

    def shippingLines(self, info, includeRemovals=False, **args):
        return connection(info, [_ShippingLineView(s, self.ctx, i) for i, s in enumerate(self.obj.shipping_lines)],
                          **args)

    @property
    def shippingLine(self):
        return _ShippingLineView(self.obj.shipping_lines[0], self.ctx, 0) if self.obj.shipping_lines else None

    def transactions(self, info, first=None, capturable=None, manuallyResolvable=None):
        from devshop.returns_views import order_transactions  # the SALE, and refunds of returns
        return order_transactions(self.ctx, self.obj, first)

    def fulfillments(self, info, first=None, query=None):
        items = self.obj.fulfillments[:first] if first else self.obj.fulfillments
        return [FulfillmentView(f, self.ctx) for f in items]

    def metafield(self, info, key, namespace=None):
        ns = resolve_namespace(namespace, self.ctx.sim.app_id)
        if namespace is None and "." in key:
            ns, key = resolve_namespace(key.rsplit(".", 1)[0], self.ctx.sim.app_id), key.rsplit(".", 1)[1]
        found = self.obj.metafields.get((ns, key))
        return MetafieldView(found, self.ctx) if found else None

    def metafields(self, info, namespace=None, keys=None, **args):
        ns = resolve_namespace(namespace, self.ctx.sim.app_id) if namespace else None
        items = [MetafieldView(m, self.ctx) for m in self.obj.metafields.values()
                 if (ns is None or m.namespace == ns)
                 and (not keys or f"{m.namespace}.{m.key}" in {_full_key(k, self.ctx) for k in keys})]
        return connection(info, items, **args)


def _full_key(key: str, ctx) -> str:
    ns, name = key.rsplit(".", 1)
    return f"{resolve_namespace(ns, ctx.sim.app_id)}.{name}"


class _ShippingLineView(View):
    TYPENAME = "ShippingLine"

    def __init__(self, obj, ctx, index):
        super().__init__(obj, ctx)
        self.index = index

    id_num = property(lambda self: self.obj.get("id") or self.index + 1)
    id = property(lambda self: gid("ShippingLine", self.id_num))
    title = property(lambda self: self.obj.get("title"))
    code = property(lambda self: self.obj.get("code"))
    source = property(lambda self: self.obj.get("source", "shopify"))
    carrierIdentifier = property(lambda self: self.obj.get("carrier_identifier"))
    isRemoved = False
    custom = False
    originalPriceSet = property(lambda self: money_bag(self.obj.get("price", "0.00"), self.ctx.order_currency))
    discountedPriceSet = property(lambda self: money_bag(
        self.obj.get("discounted_price", self.obj.get("price", "0.00")), self.ctx.order_currency))
    currentDiscountedPriceSet = discountedPriceSet


__all__ = ["OrderView", "LineItemView", "FulfillmentView", "MetafieldView", "ProductView", "VariantView"]
