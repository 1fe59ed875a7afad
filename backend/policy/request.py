"""The one reader of a decision request (contract §5): typed facts, or a RequestError naming every bad field.

Each field is read in its common shape inline and otherwise through `Fields`, which accepts the
odd-but-valid forms (numeric ids, Shopify's comma-separated tags, property lists, JSON numbers as money)
and records one error per bad field, so there is a single description of what a request may hold.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from backend.policy.errors import RequestError
from backend.policy.facts import Fulfillment, Line, Order, Request, ReturnLine, carrier_of, is_po_box
from backend.policy.fields import MAX_COUNT, MAX_MONEY, YEARS, Fields
from backend.policy.model import CONDITIONS, MERCHANT_FAULT, REASONS, RESOLUTIONS
from backend.policy.money import ZERO

_EMPTY = frozenset()
_NONE = (None, None)
_ZERO = ZERO
EXCHANGE_SCOPES = ("same_style", "other_item")  # another size/colour of the same style, or something else
RETURN_CHANNELS = ("mail", "in_store")  # how a return comes back; "mail" when the request does not say
_RESOLUTIONS, _REASONS = (frozenset(c) for c in (RESOLUTIONS, REASONS))


def _money(f: Fields, value) -> Decimal | None:
    """A plain decimal text's amount (finite, not negative, in range; memoised), else None (then Fields
    decides)."""
    if type(value) is str:
        amount = f.amounts.get(value)
        if amount is not None:
            return amount
        try:
            amount = Decimal(value)
        except InvalidOperation:
            return None
        if amount.is_finite() and 0 <= amount < MAX_MONEY:
            return f.keep_amount(value, amount)
    return None


def _moment(f: Fields, o: dict, key: str, path, required: bool = True):
    """(instant, local date) of an ISO 8601 text with its offset, from the memo or read once; else Fields."""
    value = o.get(key)
    if type(value) is str:
        found = f.moments.get(value)
        if found is not None:
            return found
        if len(value) > 19 and (value[-6] in "+-" and value[-3] == ":"):
            try:
                instant = datetime.fromisoformat(value)
            except ValueError:
                instant = None
            if instant is not None and YEARS[0] <= instant.year <= YEARS[1]:
                return f.keep_moment(value, (instant, instant.astimezone(f.tz).date()))
    if value is None and not required:
        return None
    return f.moment(o, key, path, required)


def _objects(f: Fields, o: dict, key: str, path: str, required: bool = True) -> list:
    """[(index, object)] of a list of objects; anything else through Fields (which records the error)."""
    value = o.get(key)
    if type(value) is list:
        for item in value:
            if type(item) is not dict:
                return f.items(o, key, path, required)
        return list(enumerate(value))
    if value is None and not required:
        return []
    return f.items(o, key, path, required)


def read_request(data, tz: ZoneInfo, currency: str, amounts=None, moments=None,
                 conditions: tuple = CONDITIONS) -> Request:
    """Raises RequestError with every field error found; `amounts`/`moments` are the policy's memos,
    `conditions` the item conditions its policy knows (its `[policy] conditions`)."""
    if not isinstance(data, dict):
        raise RequestError([{"field": "", "message": "a decision request must be a JSON object"}])
    f = Fields(tz, amounts, moments)
    as_of = _moment(f, data, "as_of", "", required=False) or _NONE
    order = _order(f, f.obj(data, "order", ""), currency)
    resolution, lines = _return(f, data.get("return_request"), conditions)
    if f.errors:
        raise RequestError(f.errors)
    return Request(order, as_of[0], resolution, lines, as_of[1])


def _order(f: Fields, o: dict | None, currency: str) -> Order | None:
    if o is None:
        return None
    created, local_date = _moment(f, o, "created_at", "order") or _NONE
    country, province, po_box = _address(f, o.get("shipping_address"))
    lines = [_line(f, item, i) for i, item in _objects(f, o, "line_items", "order")]
    fulfillments = [_fulfillment(f, x, i) for i, x in _objects(f, o, "fulfillments", "order", required=False)]
    tags, ident, code, channel = o.get("tags"), o.get("id"), o.get("currency"), o.get("source_name")
    return Order(
        id=ident if type(ident) is str else f.ident(o, "id", "order", required=False), created=created,
        local_date=local_date,
        currency=(code if type(code) is str and code else f.text(o, "currency", "order") or currency).upper(),
        channel=(channel if type(channel) is str else f.text(o, "source_name", "order")).lower(),
        tags=_EMPTY if tags is None or tags == [] else f.tags(o, "tags", "order"), codes=_codes(f, o),
        country=country, province=province, po_box=po_box, carriers=_carriers(f, o), lines=lines,
        fulfillments=fulfillments,
        payments=_EMPTY if o.get("payment_gateway_names") is None else f.tags(o, "payment_gateway_names", "order"))


def _address(f: Fields, address) -> tuple:
    """(country, province, P.O. box?); each None when unknown: no address, or its field absent or redacted
    (Shopify withholds address fields without protected-customer-data approval:
    https://shopify.dev/docs/apps/launch/protected-customer-data). A known country without a province
    has none (""), as Shopify sends for countries without provinces."""
    if address is None:
        return None, None, None
    if type(address) is not dict:
        f.error("order.shipping_address", "expected an object")
        return None, None, None
    path = "order.shipping_address"
    country = f.text(address, "country_code", path).strip().upper() or None
    province = f.text(address, "province_code", path).strip().upper() or (None if country is None else "")
    street = [f.text(address, k, path) for k in ("address1", "address2") if address.get(k) is not None]
    return country, province, is_po_box(" ".join(street)) if address.get("address1") is not None else None


def _line(f: Fields, item: dict, i: int) -> Line:
    """The common shape (string texts, whole quantity, plain money) inline; the rest through Fields."""
    get = item.get
    ident, sku, ptype, quantity = get("id"), get("sku"), get("product_type"), get("quantity")
    path = ("order.line_items", i)  # rendered only for an error
    if type(ident) is not str or type(sku) is not str or type(ptype) is not str:
        ident, sku, ptype = f.ident(item, "id", path), f.text(item, "sku", path), f.text(item, "product_type", path)
    if type(quantity) is not int or not 0 <= quantity <= MAX_COUNT:
        quantity = f.count(item, "quantity", path, minimum=0)
    price, discount, marked_down, compare_at = _amounts(f, item, path)
    tags, gift, props = get("product_tags"), get("gift_card"), get("properties")
    has_discount = discount != ZERO
    return Line(
        ident, sku.lower(), ptype.strip().lower(),
        _EMPTY if tags is None or tags == [] else f.tags(item, "product_tags", path), quantity, price, discount,
        gift if gift is True or gift is False else f.flag(item, "gift_card", path),
        f.properties(item, path) if props else {}, marked_down, has_discount, marked_down or has_discount,
        compare_at if marked_down else None)


def _amounts(f: Fields, item: dict, path) -> tuple:
    """(price, discount, marked down?) of a line."""
    get = item.get
    price = _money(f, get("price"))
    if price is None:
        price = f.money(item, "price", path)
    compare_at = get("compare_at_price")
    if compare_at is not None and (compare_at := _money(f, compare_at)) is None:
        compare_at = f.money(item, "compare_at_price", path, required=False)
    discount = get("discount")
    if discount is not None and (discount := _money(f, discount)) is None:
        discount = f.money(item, "discount", path, required=False)
    return price, discount or _ZERO, compare_at is not None and price is not None and compare_at > price, compare_at


def _fulfillment(f: Fields, x: dict, i: int) -> Fulfillment:
    path = ("order.fulfillments", i)
    ids = x.get("line_item_ids")
    if ids is not None:
        ids = frozenset(ids) if type(ids) is list and all(type(v) is str for v in ids) else \
            frozenset(f.ident_list(x, "line_item_ids", path))
    shipped = _moment(f, x, "shipped_at", path, required=False) or _NONE
    delivered = _moment(f, x, "delivered_at", path, required=False) or _NONE
    return Fulfillment(ids, shipped[0], delivered[0], shipped[1], delivered[1])


def _codes(f: Fields, o: dict) -> tuple:
    if not o.get("discount_codes") and o.get("discount_codes") in (None, []):
        return ()
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
    for i, s in _objects(f, o, "shipping_lines", "order", required=False):
        path = ("order.shipping_lines", i)
        carrier = s.get("carrier")
        if type(carrier) is not str:
            carrier = f.text(s, "carrier", path)
        carrier = carrier_of(carrier, "" if carrier.strip() else f.text(s, "title", path))
        if carrier:
            found.add(carrier)
    return frozenset(found)


def _return(f: Fields, r, conditions: tuple) -> tuple:
    if r is None:
        return None, None
    if not isinstance(r, dict):
        f.error("return_request", "expected an object")
        return None, None
    resolution = r.get("resolution")
    if type(resolution) is not str or resolution not in _RESOLUTIONS:
        resolution = f.choice(r, "resolution", "return_request", RESOLUTIONS)
    channel = r.get("channel", "mail")
    if channel not in RETURN_CHANNELS:
        channel = f.choice(r, "channel", "return_request", RETURN_CHANNELS, default="mail")
    scope = None
    if resolution == "exchange":
        scope = r.get("exchange_for", "same_style")
        if scope not in EXCHANGE_SCOPES:
            scope = f.choice(r, "exchange_for", "return_request", EXCHANGE_SCOPES, default="same_style")
    before = r.get("exchanges_before")
    if before is None:
        before = 0
    elif type(before) is not int or not 0 <= before <= MAX_COUNT:
        before = f.count(r, "exchanges_before", "return_request")
    lines = [_return_line(f, x, i, conditions) for i, x in _objects(f, r, "lines", "return_request")]
    for line in lines:
        line.channel, line.exchange_for, line.exchanges_before = channel, scope, before
    return resolution, lines


def _return_line(f: Fields, x: dict, i: int, conditions: tuple) -> ReturnLine:
    get, path = x.get, ("return_request.lines", i)
    ident, quantity, condition, reason = get("line_item_id"), get("quantity"), get("condition", "new"), \
        get("reason", "changed_mind")
    if type(ident) is not str:
        ident = f.ident(x, "line_item_id", path)
    if type(quantity) is not int or not 1 <= quantity <= MAX_COUNT:
        quantity = f.count(x, "quantity", path, minimum=1)
    if type(condition) is not str or condition not in conditions:
        condition = f.choice(x, "condition", path, conditions, default="new")
    if type(reason) is not str or reason not in _REASONS:
        reason = f.choice(x, "reason", path, REASONS, default="changed_mind")
    return ReturnLine(ident, quantity, condition, reason, reason in MERCHANT_FAULT)
