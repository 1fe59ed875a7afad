"""A well-formed request read straight into facts (request.py's fast path); raises Unusual otherwise."""
from __future__ import annotations

from zoneinfo import ZoneInfo

from backend.policy import fastread as r
from backend.policy.facts import Fulfillment, Order, Request, ReturnLine, carrier_of, is_po_box
from backend.policy.fastline import line

_ZERO = r.ZERO
_EMPTY = frozenset()
_NONE = (None, None)
_PLAIN = (str, type(None))
_ADDRESSES: dict[tuple, tuple] = {}
_CARRIERS: dict[tuple, str] = {}


def fast_request(data: dict, tz: ZoneInfo, currency: str) -> Request:
    as_of = r.timestamp(data, "as_of", tz, False)
    o = data.get("order")
    if type(o) is not dict:
        raise r.Unusual("order")
    order = _order(o, tz, currency)
    resolution, lines = _return(data.get("return_request"))
    if as_of is None:
        return Request(order, None, resolution, lines)
    return Request(order, as_of[0], resolution, lines, as_of[1])


def _order(o: dict, tz: ZoneInfo, currency: str) -> Order:
    get = o.get
    created, local_date = r.timestamp(o, "created_at", tz, True)
    country, province, po_box = _address(get("shipping_address"))
    lines = [line(item) for item in r.objects(o, "line_items", True)]
    fulfillments, local = _fulfillments(o, tz)
    ident, code, channel = get("id"), get("currency"), get("source_name")
    if type(ident) is not str:
        ident = r.ident(o, "id", required=False)
    if type(code) is not str or not code:
        code = r.text(o, "currency") or currency
    if type(channel) is not str:
        channel = r.text(o, "source_name")
    tags = get("tags")
    return Order(ident, created, local_date, code.upper(), channel.lower(),
                 _EMPTY if tags == [] else r.tags(o, "tags"), _codes(o), country, province, po_box,
                 _carriers(o), lines, fulfillments, _ZERO, local)


def _address(address) -> tuple:
    """(country, province, P.O. box?) of the shipping address, memoised by its four texts."""
    if address is None:
        return None, None, False
    if type(address) is not dict:
        raise r.Unusual("shipping_address")
    get = address.get
    key = (get("country_code"), get("province_code"), get("address1"), get("address2"))
    for value in key:
        if value is not None and type(value) is not str:
            raise r.Unusual("shipping_address")
    found = _ADDRESSES.get(key)
    if found is None:
        country, province, line1, line2 = key
        found = ((country or "").upper() or None, (province or "").upper() or None,
                 is_po_box((line1 or "") + " " + (line2 or "")))
        if len(_ADDRESSES) >= 4096:
            _ADDRESSES.clear()
        _ADDRESSES[key] = found
    return found


def _fulfillments(o: dict, tz: ZoneInfo) -> tuple[list, list]:
    """The fulfillments, and (line ids, shipped date, delivered date) for each in the policy's zone."""
    found, local = [], []
    for x in r.objects(o, "fulfillments", False):
        ids = x.get("line_item_ids")
        if ids is not None:
            if type(ids) is not list or any(type(i) is not str for i in ids):
                raise r.Unusual("line_item_ids")
            ids = frozenset(ids)
        shipped = r.timestamp(x, "shipped_at", tz, False) or _NONE
        delivered = r.timestamp(x, "delivered_at", tz, False) or _NONE
        found.append(Fulfillment(ids, shipped[0], delivered[0]))
        local.append((ids, shipped[1], delivered[1]))
    return found, local


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
        carrier, title = s.get("carrier"), s.get("title")
        plain = type(carrier) in _PLAIN and type(title) in _PLAIN
        code = _CARRIERS.get((carrier, title)) if plain else None
        if code is None:
            code = _carrier(s)
            if plain:
                if len(_CARRIERS) >= 4096:
                    _CARRIERS.clear()
                _CARRIERS[(carrier, title)] = code
        if code:
            found.add(code)
    return frozenset(found)


def _carrier(s: dict) -> str:
    carrier = r.text(s, "carrier")
    return carrier_of(carrier, "" if carrier.strip() else r.text(s, "title"))


def _return(x) -> tuple:
    if x is None:
        return None, None
    if type(x) is not dict:
        raise r.Unusual("return_request")
    resolution = r.choice(x, "resolution", r.RESOLUTIONS)
    return resolution, [_return_line(rl) for rl in r.objects(x, "lines", True)]


def _return_line(rl: dict) -> ReturnLine:
    get = rl.get
    ident, quantity, condition, reason = get("line_item_id"), get("quantity"), get("condition"), get("reason")
    if condition is None:
        condition = "new"
    elif type(condition) is not str or condition not in r.CONDITIONS:
        raise r.Unusual("condition")
    if reason is None:
        reason = "changed_mind"
    elif type(reason) is not str or reason not in r.REASONS:
        raise r.Unusual("reason")
    if type(ident) is not str:
        ident = r.ident(rl, "line_item_id")
    if type(quantity) is not int or not 1 <= quantity <= r.MAX_COUNT:
        raise r.Unusual("quantity")
    return ReturnLine(ident, quantity, condition, reason, reason in r.MERCHANT_FAULT)
