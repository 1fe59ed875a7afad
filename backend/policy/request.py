"""The one reader of a decision request (contract §5): typed facts, or a RequestError naming every bad field.

`msgspec.convert` checks the request against its one description (schema.py) in C; this module turns the
result into facts (facts.py) and checks what types cannot say: money finite, not negative and in range,
counts in range, timestamps (with or without an offset, in a year the zone arithmetic can hold), the item
condition words of the policy. A type error is reported for every bad field by walking the description
(schema.type_errors); the checks here record every failing field too. Measured on the bench's 3-line
orders, msgspec plus this step reads a request in about half the time of the hand-written per-field
reader it replaced (bench/engine.py).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec

from backend.policy import schema
from backend.policy.schema import MAX_COUNT, MAX_MONEY, YEARS, count_problem, money_problem
from backend.policy.calendar import parse_timestamp
from backend.policy.errors import RequestError
from backend.policy.facts import Fulfillment, Line, Order, Request, ReturnLine, carrier_of, is_po_box
from backend.policy.model import CONDITIONS, MERCHANT_FAULT
from backend.policy.money import ZERO

_EMPTY = frozenset()
_NONE = (None, None)
_NO_MEMO: dict = {}
_convert = msgspec.convert
_fromisoformat = datetime.fromisoformat
_FIRST_YEAR, _LAST_YEAR = YEARS


def read_request(data, tz: ZoneInfo, currency: str, moments=None, conditions: tuple = CONDITIONS) -> Request:
    """Raises RequestError with every field error found; `moments` is the compiled policy's memo of
    timestamp texts (text -> (instant, local date)); `conditions` the item conditions its policy knows."""
    if type(data) is not dict:
        raise RequestError([{"field": "", "message": "a decision request must be a JSON object"}])
    try:
        doc = _convert(data, schema.DecisionRequest)
    except msgspec.ValidationError:
        raise RequestError(schema.type_errors(data, checks={schema.Condition: _words(conditions)})) from None
    r = _Reading(tz, moments)
    as_of = r.moment(doc.as_of, "as_of") if doc.as_of is not None else _NONE
    order = _order(r, doc.order, currency)
    resolution, lines = _return(r, doc.return_request, conditions)
    earlier = doc.return_request.earlier_returns if doc.return_request is not None else None
    returned, kinds = _earlier(r, earlier) if earlier is not None else (None, None)
    if r.errors:
        raise RequestError(r.errors)
    if earlier is None:
        return Request(order, as_of[0], resolution, lines, as_of[1])
    return Request(order, as_of[0], resolution, lines, as_of[1], returned, kinds)


class _Reading:
    """One request's checks: the errors found so far and the timestamps read (through the policy's memo)."""

    __slots__ = ("tz", "errors", "moments", "keep")

    def __init__(self, tz: ZoneInfo, moments):
        self.tz, self.errors = tz, []
        usable = moments is not None and moments.limit > 0
        self.moments = moments if usable else _NO_MEMO
        self.keep = moments.put if usable else None

    def error(self, field: str, message: str) -> None:
        self.errors.append({"field": field, "message": message})

    def moment(self, text: str, field: str, index: int | None = None) -> tuple:
        """(aware instant, its local date in the policy's zone); (None, None) after recording an error
        for `field` (with `index` put in it: the text of a field is only built for an error).
        A timestamp without an offset is read in the shop's zone (contract §5, fine print)."""
        keep = self.keep
        if keep is not None:
            found = self.moments.get(text)
            if found is not None:
                return found
        instant = None
        if len(text) > 19 and text[-6] in "+-" and text[-3] == ":":  # the common shape, read in C
            try:
                instant = _fromisoformat(text)
            except ValueError:
                pass
        if instant is None:
            try:
                instant = parse_timestamp(text, self.tz)
            except ValueError:
                self.error(field.format(index), "expected an ISO 8601 timestamp")
                return _NONE
        if not _FIRST_YEAR <= instant.year <= _LAST_YEAR:  # far-off dates overflow zone and deadline arithmetic
            self.error(field.format(index), f"expected a timestamp between the years {YEARS[0]} and {YEARS[1]}")
            return _NONE
        try:
            found = (instant, instant.astimezone(self.tz).date())
        except (OverflowError, ValueError):
            self.error(field.format(index), "expected a timestamp the shop's time zone can show")
            return _NONE
        return found if keep is None else keep(text, found)

    def money(self, amount: Decimal, field: str) -> Decimal:
        """`amount` when finite, not negative and in range; else ZERO after recording why."""
        problem = money_problem(amount)
        if problem is None:
            return amount
        self.error(field, problem)
        return ZERO

    def count(self, count: int, field: str) -> int:
        problem = count_problem(count)
        if problem is None:
            return count
        self.error(field, problem)
        return 0


def _words(conditions: tuple):
    """The check of an item condition: one of the policy's words (`[policy] conditions`)."""
    return lambda word: None if word in conditions else f"expected one of {', '.join(conditions)}"


def _tags(value) -> frozenset:
    """A list of strings, or Shopify's comma-separated string; compared lower-case."""
    if not value:
        return _EMPTY
    if type(value) is str:
        value = value.split(",")
    found = {t.strip().lower() for t in value}  # a blank tag lower-cases to "" alone, dropped here
    found.discard("")
    return frozenset(found)


def _order(r: _Reading, o: schema.Order, currency: str) -> Order:
    created, local_date = r.moment(o.created_at, "order.created_at")
    country, province, po_box = _address(o.shipping_address)
    lines = [_line(r, item, i) for i, item in enumerate(o.line_items)]
    fulfillments = [_fulfillment(r, x, i) for i, x in enumerate(o.fulfillments)] if o.fulfillments else []
    ident = o.id
    return Order(
        id=ident if ident is None or type(ident) is str else str(ident), created=created, local_date=local_date,
        currency=(o.currency or currency).upper(), channel=(o.source_name or "").lower(), tags=_tags(o.tags),
        codes=_codes(o.discount_codes) if o.discount_codes else (), country=country, province=province,
        po_box=po_box, carriers=_carriers(o.shipping_lines) if o.shipping_lines else _EMPTY, lines=lines,
        fulfillments=fulfillments, payments=_tags(o.payment_gateway_names))


def _address(address: schema.Address | None) -> tuple:
    """(country, province, P.O. box?); each None when unknown: no address, or its field absent or redacted
    (Shopify withholds address fields without protected-customer-data approval:
    https://shopify.dev/docs/apps/launch/protected-customer-data). A known country without a province
    has none (""), as Shopify sends for countries without provinces."""
    if address is None:
        return None, None, None
    country = (address.country_code or "").strip().upper() or None
    province = (address.province_code or "").strip().upper() or (None if country is None else "")
    if address.address1 is None:
        return country, province, None
    street = address.address1 if address.address2 is None else f"{address.address1} {address.address2}"
    return country, province, is_po_box(street)


def _line(r: _Reading, item: schema.LineItem, i: int) -> Line:
    ident, quantity, price, compare_at, discount = item.id, item.quantity, item.price, item.compare_at_price, \
        item.discount
    if not (price.is_finite() and ZERO <= price < MAX_MONEY):
        price = r.money(price, f"order.line_items[{i}].price")
    if quantity > MAX_COUNT:
        quantity = r.count(quantity, f"order.line_items[{i}].quantity")
    if compare_at is not None and not (compare_at.is_finite() and ZERO <= compare_at < MAX_MONEY):
        compare_at = r.money(compare_at, f"order.line_items[{i}].compare_at_price")
    if discount is None:
        discount = ZERO
    elif not (discount.is_finite() and ZERO <= discount < MAX_MONEY):
        discount = r.money(discount, f"order.line_items[{i}].discount")
    marked_down = compare_at is not None and compare_at > price
    has_discount = discount != ZERO
    return Line(
        ident if type(ident) is str else str(ident), (item.sku or "").lower(), (item.product_type or "").strip().lower(),
        _tags(item.product_tags) if item.product_tags else _EMPTY, quantity, price, discount, item.gift_card is True,
        _properties(item.properties) if item.properties else {}, marked_down, has_discount,
        marked_down or has_discount, compare_at if marked_down else None)


def _properties(value) -> dict:
    """A {name: value} object, or Shopify's [{"name", "value"}] list; values as trimmed text."""
    if type(value) is list:
        value = {p.name: p.value for p in value}
    return {str(k): "" if v is None else str(v).strip() for k, v in value.items()}


def _fulfillment(r: _Reading, x: schema.Fulfillment, i: int) -> Fulfillment:
    ids = x.line_item_ids
    if ids is not None:
        ids = frozenset(v if type(v) is str else str(v) for v in ids)
    shipped = r.moment(x.shipped_at, "order.fulfillments[{}].shipped_at", i) if x.shipped_at is not None else _NONE
    delivered = r.moment(x.delivered_at, "order.fulfillments[{}].delivered_at", i) \
        if x.delivered_at is not None else _NONE
    return Fulfillment(ids, shipped[0], delivered[0], shipped[1], delivered[1])


def _codes(codes: list) -> tuple:
    return tuple((c if type(c) is str else c.code).strip().lower() for c in codes)


def _carriers(shipping_lines: list) -> frozenset:
    """The carrier codes: each line's `carrier`, else one named in its `title`."""
    found = set()
    for s in shipping_lines:
        carrier = s.carrier or ""
        carrier = carrier_of(carrier, "" if carrier.strip() else s.title or "")
        if carrier:
            found.add(carrier)
    return frozenset(found)


def _earlier(r: _Reading, earlier: schema.EarlierReturns) -> tuple:
    """({line id: units taken back by the order's earlier returns}, {fee kinds they were charged})."""
    returned: dict = {}
    for i, x in enumerate(earlier.lines or ()):
        quantity = x.quantity if x.quantity <= MAX_COUNT else \
            r.count(x.quantity, f"return_request.earlier_returns.lines[{i}].quantity")
        ident = x.line_item_id if type(x.line_item_id) is str else str(x.line_item_id)
        returned[ident] = returned.get(ident, 0) + quantity
    return returned, frozenset(earlier.fee_kinds or ())


def _return(r: _Reading, ret: schema.ReturnRequest | None, conditions: tuple) -> tuple:
    if ret is None:
        return None, None
    resolution, channel = ret.resolution, ret.channel or "mail"
    scope = (ret.exchange_for or "same_style") if resolution == "exchange" else None
    before = ret.exchanges_before or 0
    if before > MAX_COUNT:
        before = r.count(before, "return_request.exchanges_before")
    lines = []
    for i, x in enumerate(ret.lines):
        condition = x.condition if x.condition is not None else "new"
        reason = x.reason or "changed_mind"
        if condition not in conditions:
            r.error(f"return_request.lines[{i}].condition", _words(conditions)(condition))
        ident = x.line_item_id
        lines.append(ReturnLine(ident if type(ident) is str else str(ident),
                                x.quantity if x.quantity <= MAX_COUNT else r.count(x.quantity, f"return_request.lines[{i}].quantity"), condition, reason,
                                reason in MERCHANT_FAULT, channel, scope, before))
    return resolution, lines
