"""Test helpers to fill a simulated shop: products, variants, orders, fulfillments."""
from __future__ import annotations

from devshop import payloads
from devshop.models import Fulfillment, LineItem, Order, Product, Variant, now_iso


def numeric_id(value) -> int:
    """12, "12" or "gid://shopify/Order/12" -> 12."""
    return int(str(value).rsplit("/", 1)[-1])


class CatalogMixin:
    def add_product(self, shop: str, title: str = "Widget", *, product_type: str = "", tags=(),
                    price: str = "10.00", compare_at_price: str | None = None, sku: str | None = None,
                    variants: list[dict] | None = None, vendor: str = "Fineprint Dev") -> Product:
        """A product with one variant (or `variants`: dicts of title, price, compare_at_price, sku)."""
        pid = self.next_id()
        product = Product(id=pid, title=title, product_type=product_type, tags=list(tags), vendor=vendor,
                          handle=title.lower().replace(" ", "-"))
        specs = variants or [{"price": price, "compare_at_price": compare_at_price, "sku": sku}]
        for spec in specs:
            product.variants.append(Variant(id=self.next_id(), product_id=pid, **spec))
        with self.shops[shop].lock:
            self.shops[shop].products[pid] = product
        return product

    def update_product(self, shop: str, product_id, **changes) -> Product:
        product = self.product(shop, product_id)
        with self.shops[shop].lock:
            for key, value in changes.items():
                setattr(product, key, list(value) if key == "tags" else value)
            product.updated_at = now_iso()
        return product

    def product(self, shop: str, product_id) -> Product:
        return self.shops[shop].products[numeric_id(product_id)]

    def variant(self, shop: str, variant_id) -> Variant:
        vid = numeric_id(variant_id)
        for product in self.shops[shop].products.values():
            for variant in product.variants:
                if variant.id == vid:
                    return variant
        raise KeyError(variant_id)

    def add_order(self, shop: str, line_items: list[dict] | None = None, **fields) -> Order:
        """An order; each line is a dict with `variant` (a Variant or its id) and/or
        title, quantity, price, sku, discount, gift_card, properties. Other keyword
        arguments set Order fields (tags, created_at, shipping_address, ...)."""
        state = self.shops[shop]
        oid = fields.pop("id", None) or self.next_id()
        order = Order(id=numeric_id(oid), name=fields.pop("name", f"#{1000 + len(state.orders) + 1}"),
                      currency=fields.pop("currency", state.currency), **fields)
        if order.processed_at is None:
            order.processed_at = order.created_at
        order.shipping_lines = [{"id": self.next_id(), **s} for s in order.shipping_lines]
        for spec in line_items or [{"title": "Widget"}]:
            order.line_items.append(self._line_item(shop, dict(spec)))
        with state.lock:
            state.orders[order.id] = order
        return order

    def _line_item(self, shop: str, spec: dict) -> LineItem:
        variant = spec.pop("variant", None)
        if variant is not None and not isinstance(variant, Variant):
            variant = self.variant(shop, variant)
        if variant is not None:
            product = self.product(shop, variant.product_id)
            spec.setdefault("title", product.title)
            spec.setdefault("price", variant.price)
            spec.setdefault("sku", variant.sku)
            spec.setdefault("vendor", product.vendor)
            spec.update(variant_id=variant.id, product_id=product.id)
            if variant.title != "Default Title":
                spec.setdefault("variant_title", variant.title)
        spec.setdefault("title", "Item")
        return LineItem(id=numeric_id(spec.pop("id", None) or self.next_id()), **spec)

    def order(self, shop: str, order_id) -> Order:
        return self.shops[shop].orders[numeric_id(order_id)]

    def update_order(self, shop: str, order_id, **changes) -> Order:
        order = self.order(shop, order_id)
        with self.shops[shop].lock:
            for key, value in changes.items():
                setattr(order, key, value)
            order.touch()
        return order

    def fulfill(self, shop: str, order_id, line_item_ids=None, *, delivered_at: str | None = None,
                tracking_company: str | None = "UPS", created_at: str | None = None) -> Fulfillment:
        """Ship lines of an order (all by default); `delivered_at` marks the shipment delivered."""
        order = self.order(shop, order_id)
        ids = [numeric_id(i) for i in line_item_ids] if line_item_ids else [li.id for li in order.line_items]
        ful = Fulfillment(id=self.next_id(), line_item_ids=ids, tracking_company=tracking_company,
                          tracking_number=f"1Z{self.next_id():010d}", created_at=created_at or now_iso())
        if delivered_at:
            ful.shipment_status, ful.delivered_at = "delivered", delivered_at
        with self.shops[shop].lock:
            order.fulfillments.append(ful)
            order.touch()
        return ful

    def mark_delivered(self, shop: str, order_id, fulfillment_id, delivered_at: str) -> Fulfillment:
        order = self.order(shop, order_id)
        ful = next(f for f in order.fulfillments if f.id == numeric_id(fulfillment_id))
        with self.shops[shop].lock:
            ful.shipment_status, ful.delivered_at = "delivered", delivered_at
            order.touch()
        return ful

    # -- REST webhook payloads (see payloads.py) -----------------------------------
    def order_payload(self, shop: str, order_id) -> dict:
        return payloads.order_payload(self, shop, order_id)

    def product_payload(self, shop: str, product_id) -> dict:
        return payloads.product_payload(self, shop, product_id)

    def fulfillment_payload(self, shop: str, order_id, fulfillment_id) -> dict:
        return payloads.fulfillment_payload(self, shop, order_id, fulfillment_id)

    def fulfillment_event_payload(self, shop: str, order_id, fulfillment_id, status: str = "delivered",
                                  happened_at: str | None = None) -> dict:
        return payloads.fulfillment_event_payload(self, shop, order_id, fulfillment_id, status, happened_at)
