"""GraphQL views over the stored shop: the root, Shop, Product, ProductVariant.

graphql-core's resolver reads an attribute named like the field, calling it
with `(info, **args)` when it is a method; a field a view lacks is an error
that names it (see `graphql_api.field_resolver`).
"""
from __future__ import annotations

import zlib

from devshop.connections import _when, connection, search, sort_items
from devshop.ids import gid, parse_gid, require
from devshop.models import Product, Variant
from devshop.returns_exchange import ExchangeQueries
from devshop.returns_graphql import ReturnQueries


class View:
    TYPENAME = ""

    def __init__(self, obj, ctx):
        self.obj, self.ctx = obj, ctx

    @property
    def id_num(self) -> int:
        return self.obj.id

    @property
    def id(self) -> str:
        return gid(self.TYPENAME, self.obj.id)

    @property
    def legacyResourceId(self) -> str:
        return str(self.obj.id)


class VariantView(View):
    TYPENAME = "ProductVariant"

    def __getattr__(self, name):
        aliases = {"compareAtPrice": "compare_at_price", "title": "title", "price": "price", "sku": "sku"}
        if name in aliases:
            return getattr(self.obj, aliases[name])
        raise AttributeError(name)

    updatedAt = property(lambda self: self.ctx.state.products[self.obj.product_id].updated_at)
    createdAt = property(lambda self: self.ctx.state.products[self.obj.product_id].created_at)

    @property
    def displayName(self):
        return f"{self.ctx.state.products[self.obj.product_id].title} - {self.obj.title}"

    def product(self, info):
        return ProductView(self.ctx.state.products[self.obj.product_id], self.ctx)


class ProductView(View):
    TYPENAME = "Product"
    SEARCH = {"id": lambda p: p.id, "tag": lambda p: p.tags, "product_type": lambda p: p.product_type,
              "title": lambda p: p.title, "updated_at": lambda p: p.updated_at,
              "created_at": lambda p: p.created_at, "vendor": lambda p: p.vendor}
    SORT = {"ID": lambda p: p.id, "TITLE": lambda p: p.title, "PRODUCT_TYPE": lambda p: p.product_type,
            "UPDATED_AT": lambda p: _when(p.updated_at, "UTC"), "CREATED_AT": lambda p: _when(p.created_at, "UTC")}

    def __getattr__(self, name):
        plain = {"title", "tags", "vendor", "handle", "status"}
        snake = {"productType": "product_type", "createdAt": "created_at", "updatedAt": "updated_at"}
        if name in plain:
            return getattr(self.obj, name)
        if name in snake:
            return getattr(self.obj, snake[name])
        raise AttributeError(name)

    def variants(self, info, **args):
        return connection(info, [VariantView(v, self.ctx) for v in self.obj.variants], **args)

    isGiftCard = False

    @property
    def totalVariants(self):
        return len(self.obj.variants)

    @property
    def hasOnlyDefaultVariant(self):
        return len(self.obj.variants) == 1 and self.obj.variants[0].title == "Default Title"


class ShopView(View):
    TYPENAME = "Shop"

    @property
    def id_num(self):
        return zlib.crc32(self.obj.domain.encode())

    name = property(lambda self: self.obj.name)
    ianaTimezone = property(lambda self: self.obj.timezone)
    currencyCode = property(lambda self: self.obj.currency)
    myshopifyDomain = property(lambda self: self.obj.domain)

    def shopPolicies(self, info):
        from devshop.returns_graphql import shop_policies
        return shop_policies(self.obj)
    email = property(lambda self: f"owner@{self.obj.domain}")
    contactEmail = email


class QueryRoot(ReturnQueries, ExchangeQueries):
    def __init__(self, ctx):
        self.ctx = ctx

    def shop(self, info):
        return ShopView(self.ctx.state, self.ctx)

    def products(self, info, query=None, sortKey=None, **args):
        require(info, "read_products")
        items = search(list(self.ctx.state.products.values()), query, ProductView.SEARCH, self.ctx.state.timezone)
        items = sort_items(items, sortKey, ProductView.SORT)
        return connection(info, [ProductView(p, self.ctx) for p in items], **args)

    def product(self, info, id):
        require(info, "read_products")
        return self.ctx.lookup("Product", id)

    def productVariant(self, info, id):
        require(info, "read_products")
        return self.ctx.lookup("ProductVariant", id)

    def orders(self, info, query=None, sortKey=None, **args):
        from devshop.order_views import OrderView
        require(info, "read_orders")
        items = search(list(self.ctx.state.orders.values()), query, OrderView.SEARCH, self.ctx.state.timezone)
        items = sort_items(items, sortKey, OrderView.SORT)
        return connection(info, [OrderView(o, self.ctx) for o in items], **args)

    def order(self, info, id):
        require(info, "read_orders")
        return self.ctx.lookup("Order", id)

    def fulfillment(self, info, id):
        require(info, "read_orders")  # Fulfillment's requiredAccess in the 2026-10 schema: read_orders (or variants)
        return self.ctx.lookup("Fulfillment", id)

    def node(self, info, id):
        return self.ctx.lookup(None, id)

    def nodes(self, info, ids):
        return [self.ctx.lookup(None, i) for i in ids]

    def currentBulkOperation(self, info, type="QUERY"):
        from devshop.bulk import BulkOperationView
        ops = [op for op in self.ctx.state.bulk_operations.values() if op.type == type]
        return BulkOperationView(ops[-1], self.ctx) if ops else None


def find_view(ctx, kind: str | None, value: str):
    """The view for a GID, or None (Shopify answers null for unknown ids)."""
    from devshop.bulk import BulkOperationView
    from devshop.order_views import OrderView

    gkind, num = parse_gid(value)
    if kind and gkind != kind:
        return None
    state = ctx.state
    if gkind == "Order" and num in state.orders:
        return OrderView(state.orders[num], ctx)
    if gkind == "Product" and num in state.products:
        return ProductView(state.products[num], ctx)
    if gkind == "ProductVariant":
        for p in state.products.values():
            for v in p.variants:
                if v.id == num:
                    return VariantView(v, ctx)
    if gkind == "Fulfillment":
        from devshop.order_views import FulfillmentView
        for order in state.orders.values():
            for ful in order.fulfillments:
                if ful.id == num:
                    return FulfillmentView(ful, ctx.for_order(order))
    if gkind == "Return" and state.returns is not None and num in state.returns.returns:
        from devshop.returns_views import ReturnView
        return ReturnView(state.returns.returns[num], ctx)
    if gkind == "BulkOperation" and num in state.bulk_operations:
        return BulkOperationView(state.bulk_operations[num], ctx)
    return None


__all__ = ["Product", "Variant", "QueryRoot", "ShopView", "ProductView", "VariantView", "find_view", "View"]
