"""A well-formed request read straight into facts (request.py's fast path); raises Unusual otherwise."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from backend.policy import fastread as r
from backend.policy.facts import Fulfillment, Line, Order, Request, ReturnLine, carrier_of, is_po_box

_ZERO = r.ZERO
_AMOUNTS = r.AMOUNTS
_EMPTY = frozenset()


def fast_request(data: dict, tz: ZoneInfo, currency: str) -> Request:
    as_of = r.timestamp(data, "as_of", tz, False)
    o = data.get("order")
    if type(o) is not dict:
        raise r.Unusual("order")
    order = _order(o, tz, currency)
    resolution, lines = _return(data.get("return_request"))
    return Request(order, as_of[0] if as_of else None, resolution, lines)


def _order(o: dict, tz: ZoneInfo, currency: str) -> Order:
    created, local_date = r.timestamp(o, "created_at", tz, True)
    address = o.get("shipping_address")
    if address is None:
        address = {}
    elif type(address) is not dict:
        raise r.Unusual("shipping_address")
    street = r.text(address, "address1") + " " + r.text(address, "address2")
    lines = [_line(item) for item in r.objects(o, "line_items", True)]
    fulfillments = [_fulfillment(x, tz) for x in r.objects(o, "fulfillments", False)]
    return Order(
        id=r.ident(o, "id", required=False), created=created, local_date=local_date,
        currency=(r.text(o, "currency") or currency).upper(), channel=r.text(o, "source_name").lower(),
        tags=r.tags(o, "tags"), codes=_codes(o), country=r.text(address, "country_code").upper() or None,
        province=r.text(address, "province_code").upper() or None, po_box=is_po_box(street),
        carriers=_carriers(o), lines=lines, fulfillments=fulfillments)


def _line(item: dict) -> Line:
    """The common shape inline (string texts, whole quantity, boolean gift card, plain money, no
    properties); anything else through the per-field helpers."""
    get = item.get
    sku, ptype, tags, quantity = get("sku"), get("product_type"), get("product_tags"), get("quantity")
    price, compare_at, discount, gift = get("price"), get("compare_at_price"), get("discount"), get("gift_card")
    price = _AMOUNTS.get(price) if type(price) is str else None
    discount = _AMOUNTS.get(discount) if type(discount) is str else _ZERO if discount is None else None
    if compare_at is not None:
        compare_at = _AMOUNTS.get(compare_at) if type(compare_at) is str else None
    if (price is None or discount is None or compare_at is None and get("compare_at_price") is not None
            or type(sku) is not str or type(ptype) is not str
            or type(quantity) is not int or not 0 <= quantity <= r.MAX_COUNT
            or (gift is not True and gift is not False) or get("properties")
            or tags is not None and type(tags) is not list):
        return _line_by_field(item)
    ident = get("id")
    if type(ident) is not str:
        return _line_by_field(item)
    discount = discount or _ZERO
    marked_down = compare_at is not None and compare_at > price
    has_discount = discount != _ZERO
    return Line(ident, sku.lower(), ptype.strip().lower(), r.tags(item, "product_tags") if tags else _EMPTY,
                quantity, price, discount, gift, {}, marked_down, has_discount, marked_down or has_discount)


def _line_by_field(item: dict) -> Line:
    price = r.money(item, "price")
    compare_at = r.money(item, "compare_at_price", required=False)
    discount = r.money(item, "discount", required=False) or _ZERO
    marked_down = compare_at is not None and compare_at > price
    has_discount = discount != _ZERO
    return Line(r.ident(item, "id"), r.text(item, "sku").lower(), r.text(item, "product_type").strip().lower(),
                r.tags(item, "product_tags"), r.count(item, "quantity", 0), price, discount,
                r.flag(item, "gift_card"), r.properties(item), marked_down, has_discount,
                marked_down or has_discount)


def _fulfillment(x: dict, tz: ZoneInfo) -> Fulfillment:
    ids = x.get("line_item_ids")
    if ids is not None:
        if type(ids) is not list or any(type(i) is not str for i in ids):
            raise r.Unusual("line_item_ids")
        ids = frozenset(ids)
    shipped = r.timestamp(x, "shipped_at", tz, False)
    delivered = r.timestamp(x, "delivered_at", tz, False)
    return Fulfillment(ids, shipped[0] if shipped else None, delivered[0] if delivered else None)


def _codes(o: dict) -> tuple:
    codes = o.get("discount_codes")
    if not codes:
        if codes is None or codes == []:
            return ()
        raise r.Unusual("discount_codes")
    if type(codes) is not list:
        raise r.Unusual("discount_codes")
    out = []
    for code in codes:
        text = code.get("code") if type(code) is dict else code
        if type(text) is not str:
            raise r.Unusual("discount_codes")
        out.append(text.strip().lower())
    return tuple(out)


def _carriers(o: dict) -> frozenset:
    found = set()
    for s in r.objects(o, "shipping_lines", False):
        carrier = r.text(s, "carrier")
        carrier = carrier_of(carrier, "" if carrier.strip() else r.text(s, "title"))
        if carrier:
            found.add(carrier)
    return frozenset(found)


def _return(x) -> tuple:
    if x is None:
        return None, None
    if type(x) is not dict:
        raise r.Unusual("return_request")
    resolution = r.choice(x, "resolution", r.RESOLUTIONS)
    lines = []
    for rl in r.objects(x, "lines", True):
        condition = r.choice(rl, "condition", r.CONDITIONS, "new")
        reason = r.choice(rl, "reason", r.REASONS, "changed_mind")
        lines.append(ReturnLine(r.ident(rl, "line_item_id"), r.count(rl, "quantity", 1), condition, reason,
                                reason in r.MERCHANT_FAULT))
    return resolution, lines
