"""REST webhook payloads (orders/*, products/*, fulfillments/*) built from a simulated shop's state,
in the shape of Shopify's published examples (`shared/shopify/webhooks/shopify-docs-examples/`)."""
from __future__ import annotations

from decimal import Decimal

from devshop.ids import gid


def _set(amount: str, currency: str) -> dict:
    money = {"amount": amount, "currency_code": currency}
    return {"shop_money": money, "presentment_money": dict(money)}


def order_payload(sim, shop: str, order_id) -> dict:
    order = sim.order(shop, order_id)
    cur = order.currency
    lines = [_line(li, cur) for li in order.line_items]
    subtotal = sum((Decimal(li.price) * li.quantity - Decimal(li.discount) for li in order.line_items), Decimal(0))
    shipping = sum((Decimal(s.get("price", "0")) for s in order.shipping_lines), Decimal(0))
    discounts = sum((Decimal(li.discount) for li in order.line_items), Decimal(0))
    return {
        "id": order.id, "admin_graphql_api_id": gid("Order", order.id), "name": order.name,
        "order_number": int(order.name.lstrip("#")) if order.name.lstrip("#").isdigit() else order.id,
        "email": order.email, "contact_email": order.email, "created_at": order.created_at,
        "updated_at": order.updated_at, "processed_at": order.processed_at, "cancelled_at": order.cancelled_at,
        "cancel_reason": "customer" if order.cancelled_at else None, "closed_at": None,
        "currency": cur, "presentment_currency": cur, "source_name": order.source_name, "test": order.test,
        "note": order.note, "note_attributes": [], "tags": ", ".join(order.tags),
        "financial_status": "paid", "fulfillment_status": "fulfilled" if order.fulfillments else None,
        "discount_codes": [{"code": d["code"], "amount": d.get("amount", "0.00"), "type": d.get("type", "fixed_amount")}
                           for d in order.discount_codes],
        "subtotal_price": f"{subtotal:.2f}", "total_discounts": f"{discounts:.2f}",
        "total_price": f"{subtotal + shipping:.2f}", "total_price_set": _set(f"{subtotal + shipping:.2f}", cur),
        "total_shipping_price_set": _set(f"{shipping:.2f}", cur),
        "shipping_address": order.shipping_address, "billing_address": order.shipping_address,
        "shipping_lines": [_shipping(i, s, cur) for i, s in enumerate(order.shipping_lines)],
        "line_items": lines,
        "fulfillments": [fulfillment_payload(sim, shop, order.id, f.id) for f in order.fulfillments],
        "customer": {"id": 1, "email": order.email, "first_name": "Dev", "last_name": "Customer",
                     "admin_graphql_api_id": gid("Customer", 1)},
        "refunds": [], "returns": [],
    }


def _line(li, cur: str) -> dict:
    return {
        "id": li.id, "admin_graphql_api_id": gid("LineItem", li.id), "variant_id": li.variant_id,
        "product_id": li.product_id, "title": li.title, "name": li.title, "variant_title": li.variant_title,
        "vendor": li.vendor, "sku": li.sku, "quantity": li.quantity, "current_quantity": li.quantity,
        "fulfillable_quantity": li.quantity, "price": li.price, "price_set": _set(li.price, cur),
        "total_discount": li.discount, "total_discount_set": _set(li.discount, cur),
        "discount_allocations": [] if Decimal(li.discount) == 0 else [
            {"amount": li.discount, "amount_set": _set(li.discount, cur), "discount_application_index": 0}],
        "gift_card": li.gift_card, "requires_shipping": not li.gift_card, "taxable": True,
        "properties": [{"name": k, "value": v} for k, v in li.properties.items()],
        "product_exists": li.product_id is not None, "fulfillment_status": None, "tax_lines": [], "duties": [],
    }


def _shipping(index: int, s: dict, cur: str) -> dict:
    price = s.get("price", "0.00")
    return {"id": s.get("id", index + 1), "title": s.get("title"), "code": s.get("code"),
            "source": s.get("source", "shopify"), "carrier_identifier": s.get("carrier_identifier"),
            "price": price, "price_set": _set(price, cur), "discounted_price": price,
            "discounted_price_set": _set(price, cur), "is_removed": False, "tax_lines": [],
            "discount_allocations": []}


def fulfillment_payload(sim, shop: str, order_id, fulfillment_id) -> dict:
    order = sim.order(shop, order_id)
    ful = next(f for f in order.fulfillments if f.id == int(str(fulfillment_id).rsplit("/", 1)[-1]))
    return {
        "id": ful.id, "admin_graphql_api_id": gid("Fulfillment", ful.id), "order_id": order.id,
        "status": ful.status, "created_at": ful.created_at, "updated_at": ful.delivered_at or ful.created_at,
        "shipment_status": ful.shipment_status, "tracking_company": ful.tracking_company,
        "tracking_number": ful.tracking_number, "tracking_numbers": [ful.tracking_number],
        "name": f"{order.name}.{order.fulfillments.index(ful) + 1}", "service": "manual",
        "line_items": [_line(li, order.currency) for li in order.line_items if li.id in ful.line_item_ids],
    }


def fulfillment_event_payload(sim, shop: str, order_id, fulfillment_id, status: str = "delivered",
                              happened_at: str | None = None) -> dict:
    ful = fulfillment_payload(sim, shop, order_id, fulfillment_id)
    at = happened_at or ful["updated_at"]
    event_id = sim.next_id()
    return {"id": event_id, "admin_graphql_api_id": gid("FulfillmentEvent", event_id),
            "fulfillment_id": ful["id"], "order_id": ful["order_id"], "status": status,
            "happened_at": at, "created_at": at, "updated_at": at, "message": None,
            "estimated_delivery_at": None, "country": None, "city": None, "province": None, "zip": None}


def product_payload(sim, shop: str, product_id) -> dict:
    p = sim.product(shop, product_id)
    return {
        "id": p.id, "admin_graphql_api_id": gid("Product", p.id), "title": p.title, "handle": p.handle,
        "product_type": p.product_type, "vendor": p.vendor, "tags": ", ".join(p.tags),
        "status": p.status.lower(), "created_at": p.created_at, "updated_at": p.updated_at,
        "body_html": None, "published_at": p.created_at, "template_suffix": None, "published_scope": "global",
        "variants": [{"id": v.id, "admin_graphql_api_id": gid("ProductVariant", v.id), "product_id": p.id,
                      "title": v.title, "price": v.price, "compare_at_price": v.compare_at_price, "sku": v.sku,
                      "position": i + 1, "created_at": p.created_at, "updated_at": p.updated_at,
                      "inventory_policy": "deny", "taxable": True}
                     for i, v in enumerate(p.variants)],
        "options": [], "images": [], "image": None, "media": [], "variant_gids": [],
    }
