"""A decision request (contract §5) read into typed facts, with an error per bad field."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from backend.policy.errors import RequestError
from backend.policy.fastorder import fast_request
from backend.policy.fastread import Unusual
from backend.policy.facts import Fulfillment, Line, Order, Request, ReturnLine, carrier_of, is_po_box
from backend.policy.fields import Fields
from backend.policy.model import CONDITIONS, MERCHANT_FAULT, REASONS, RESOLUTIONS
from backend.policy.money import ZERO


def parse_request(data, tz: ZoneInfo, currency: str) -> Request:
    """Raises RequestError with every field error found. A well-formed request takes the fast path."""
    if type(data) is dict:
        try:
            return fast_request(data, tz, currency)
        except Unusual:
            pass
    return detailed_request(data, tz, currency)


def detailed_request(data, tz: ZoneInfo, currency: str) -> Request:
    """Every field read and checked on its own, each problem recorded with its path."""
    f = Fields(tz)
    if not isinstance(data, dict):
        raise RequestError([{"field": "", "message": "a decision request must be a JSON object"}])
    as_of = f.timestamp(data, "as_of", "", required=False)
    order = _order(f, f.obj(data, "order", ""), currency, tz)
    resolution, lines = _return(f, data.get("return_request"))
    if f.errors:
        raise RequestError(f.errors)
    return Request(order, as_of, resolution, lines)


def _order(f: Fields, o: dict | None, currency: str, tz: ZoneInfo) -> Order | None:
    if o is None:
        return None
    created = f.timestamp(o, "created_at", "order")
    address = f.obj(o, "shipping_address", "order", required=False) or {}
    country = f.text(address, "country_code", "order.shipping_address")
    province = f.text(address, "province_code", "order.shipping_address")
    street = " ".join(f.text(address, k, "order.shipping_address") for k in ("address1", "address2"))
    lines = [_line(f, item, f"order.line_items[{i}]") for i, item in f.items(o, "line_items", "order")]
    fulfillments = [_fulfillment(f, x, f"order.fulfillments[{i}]")
                    for i, x in f.items(o, "fulfillments", "order", required=False)]
    return Order(
        id=f.ident(o, "id", "order", required=False), created=created,
        local_date=created.astimezone(tz).date() if created else None,
        currency=(f.text(o, "currency", "order") or currency).upper(),
        channel=f.text(o, "source_name", "order").lower(),
        tags=f.tags(o, "tags", "order"), codes=_codes(f, o), country=country.upper() or None,
        province=province.upper() or None, po_box=is_po_box(street),
        carriers=_carriers(f, o), lines=lines, fulfillments=fulfillments)


def _line(f: Fields, item: dict, path: str) -> Line:
    price = f.money(item, "price", path)
    compare_at = f.money(item, "compare_at_price", path, required=False)
    discount = f.money(item, "discount", path, required=False) or ZERO
    marked_down = compare_at is not None and price is not None and compare_at > price
    return Line(
        id=f.ident(item, "id", path), sku=f.text(item, "sku", path).lower(),
        ptype=f.text(item, "product_type", path).strip().lower(),
        tags=f.tags(item, "product_tags", path),
        quantity=f.count(item, "quantity", path, minimum=0), price=price, discount=discount,
        gift_card=f.flag(item, "gift_card", path), props=f.properties(item, path),
        marked_down=marked_down, has_discount=discount != ZERO, discounted=marked_down or discount != ZERO)


def _fulfillment(f: Fields, x: dict, path: str) -> Fulfillment:
    ids = None
    if x.get("line_item_ids") is not None:
        ids = frozenset(f.ident_list(x, "line_item_ids", path))
    return Fulfillment(ids, f.timestamp(x, "shipped_at", path, required=False),
                       f.timestamp(x, "delivered_at", path, required=False))


def _codes(f: Fields, o: dict) -> tuple:
    codes = []
    for i, code in f.items(o, "discount_codes", "order", required=False, kinds=(str, dict)):
        text = code.get("code") if isinstance(code, dict) else code
        if not isinstance(text, str):
            f.error(f"order.discount_codes[{i}]", "expected a code string or {\"code\": ...}")
        else:
            codes.append(text.strip().lower())
    return tuple(codes)


def _carriers(f: Fields, o: dict) -> frozenset:
    found = set()
    for i, s in f.items(o, "shipping_lines", "order", required=False):
        path = f"order.shipping_lines[{i}]"
        carrier = f.text(s, "carrier", path)
        carrier = carrier_of(carrier, "" if carrier.strip() else f.text(s, "title", path))
        if carrier:
            found.add(carrier)
    return frozenset(found)


def _return(f: Fields, r) -> tuple:
    if r is None:
        return None, None
    if not isinstance(r, dict):
        f.error("return_request", "expected an object")
        return None, None
    resolution = f.choice(r, "resolution", "return_request", RESOLUTIONS)
    lines = []
    for i, x in f.items(r, "lines", "return_request"):
        path = f"return_request.lines[{i}]"
        condition = f.choice(x, "condition", path, CONDITIONS, default="new")
        reason = f.choice(x, "reason", path, REASONS, default="changed_mind")
        lines.append(ReturnLine(f.ident(x, "line_item_id", path),
                                f.count(x, "quantity", path, minimum=1),
                                condition, reason, reason in MERCHANT_FAULT))
    return resolution, lines
