"""The one reader of a decision request (contract §5): typed facts, or a RequestError naming every bad field.

`msgspec.convert` reads the request straight into the facts (facts.py, described with the rest of the
request in schema.py), checking every type in C. This module completes those facts in place (texts
lower-cased, tags as sets, timestamps read in the policy's zone, derived flags written) and checks in the
same pass what types cannot say: money finite, not negative and in range, counts in range, timestamps in
the years the zone arithmetic can hold, the policy's item condition words. That pass only learns *that*
something is wrong; the request is then read again by problems.py, which names every failing field (as
schema.type_errors does when a type is wrong). A valid request, the one that has to be fast, is read once.
Measured on bench/engine.py's aallyn 3-line orders (callgrind, PYTHONHASHSEED=0): 122.9k -> 112.2k
instructions per read against the reader that built a second object per line; then 101.4k -> 81.6k (ally,
whose zone is not the bench's -08:00: 101.4k -> 90.6k): a timestamp in the offset its zone holds all day
takes its local date from the zone's table of days (calendar.ZoneDays), not astimezone (-12k); one in
another offset, from its wall time shifted to the zone's offset of a day held all day; fields are read at
once (astuple) and derived facts written only where they change. What is left is mostly msgspec's
conversion (~39 %, a third of it Decimal parsing) and fromisoformat, in C.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import msgspec
from msgspec.structs import astuple

from backend.policy.calendar import ZoneDays, parse_timestamp
from backend.policy.errors import RequestError
from backend.policy.facts import Request, carrier_of, is_po_box
from backend.policy.fields import MAX_COUNT, MAX_MONEY, YEARS, Condition
from backend.policy.memo import Memo
from backend.policy.model import CONDITIONS, MERCHANT_FAULT
from backend.policy.money import ZERO
from backend.policy.problems import problems, words
from backend.policy.schema import DecisionRequest, type_errors

_EMPTY = frozenset()
_convert = msgspec.convert
_fields = astuple
_fromisoformat = datetime.fromisoformat
_FIRST_YEAR, _LAST_YEAR = YEARS


class _Invalid(Exception):
    """Some value fails a check: problems.py names which (raised only on the way to a RequestError)."""


def read_request(data, tz: ZoneInfo, currency: str, moments: Memo | None = None,
                 conditions: tuple = CONDITIONS, days: ZoneDays | None = None) -> Request:
    """Raises RequestError with every field error found; `moments` is the compiled policy's memo of
    timestamp texts (text -> (instant, local date)), `days` its zone's table of days (calendar.ZoneDays;
    None: astimezone for every timestamp), both for `tz`; `conditions` the item conditions its policy knows."""
    if type(data) is not dict:
        raise RequestError([{"field": "", "message": "a decision request must be a JSON object"}])
    try:
        doc = _convert(data, DecisionRequest)
    except msgspec.ValidationError:
        raise RequestError(type_errors(data, checks={Condition: words(conditions)})) from None
    read = _moment if moments is None or moments.limit <= 0 else _remembered(moments)
    try:
        return _complete(doc, tz, read, days, currency, conditions)
    except _Invalid:
        pass
    raise RequestError(problems(_convert(data, DecisionRequest), tz, conditions)
                       or [{"field": "", "message": "is not valid"}])


def _complete(doc: DecisionRequest, tz: ZoneInfo, read, days, currency: str, conditions: tuple) -> Request:
    order, as_of, ret = _fields(doc)
    as_of, as_of_date = read(as_of, tz, days) if as_of is not None else (None, None)
    _order(order, tz, read, days, currency)
    if ret is None:
        return Request(order, as_of, None, None, as_of_date)
    resolution, lines, earlier = _return_lines(ret, conditions)
    if earlier is None:
        return Request(order, as_of, resolution, lines, as_of_date)
    return Request(order, as_of, resolution, lines, as_of_date, *_earlier(earlier))


def _moment(text: str, tz: ZoneInfo, days: ZoneDays | None) -> tuple:
    """(aware instant, its local date in the policy's zone); a timestamp without an offset is read in the
    shop's zone (contract §5, fine print). Raises _Invalid for a text that is no timestamp, or one outside
    the years the zone and deadline arithmetic can hold. `days`: the zone's table of the offset it holds
    all day (calendar.ZoneDays), which spares astimezone for a text in that offset; None: astimezone."""
    try:  # the common shapes, read in C; parse_timestamp reads the same texts alike, and some more
        instant = _fromisoformat(text)
    except ValueError:
        instant = None
    if instant is None:
        try:
            instant = parse_timestamp(text, tz)
        except ValueError:
            raise _Invalid from None
    else:
        offset = instant.tzinfo
        if offset is None:  # read in the zone: shown at its own wall time (astimezone to its own zone is a no-op)
            instant = instant.replace(tzinfo=tz)
        elif days is not None:
            day = instant.date()
            held = days[day]  # only days of the years within YEARS are held
            if held == offset:
                return instant, day
            if held:  # another offset: its wall time under the zone's offset of that day falls on a day...
                day = (instant + (held.utcoffset(None) - offset.utcoffset(None))).date()
                if days[day] == held:  # ...whose offset it is all day: so the zone shows it there
                    return instant, day
    if not _FIRST_YEAR <= instant.year <= _LAST_YEAR:
        raise _Invalid
    try:
        return instant, instant.astimezone(tz).date()
    except (OverflowError, ValueError):
        raise _Invalid from None


def _remembered(moments: Memo):
    """`_moment` through the compiled policy's bounded memo of timestamp texts (keyed by text: one policy,
    one zone)."""
    get, keep = moments.get, moments.put

    def read(text: str, tz: ZoneInfo, days: ZoneDays) -> tuple:
        found = get(text)
        return found if found is not None else keep(text, _moment(text, tz, days))
    return read


def _order(order, tz: ZoneInfo, read, days, currency: str) -> None:
    """The order's facts, its lines' and its fulfilments', in place (its fields read at once, as a line's are)."""
    created, lines, ident, sent_currency, channel, tags, codes, address, carriers, fulfillments, payments, \
        _, _, _, _, merch = _fields(order)
    order.created, order.local_date = read(created, tz, days)
    if ident is not None and type(ident) is not str:
        order.id = str(ident)
    order.currency = (sent_currency or currency).upper()
    order.channel = channel.lower() if channel else ""
    order.tags = _tags(tags) if tags else _EMPTY
    order.codes = _codes(codes) if codes else ()
    order.country, order.province, order.po_box = _address(address)
    order.carriers = _carriers(carriers) if carriers else _EMPTY
    order.payments = _tags(payments) if payments else _EMPTY
    if merch is not ZERO:
        order.merch = ZERO
    _lines(lines)
    if fulfillments:
        for f in fulfillments:
            _fulfillment(f, tz, read, days)
    else:
        order.fulfillments = []


def _lines(lines: list) -> None:
    """Each line's facts, in place; _Invalid when an amount or count is out of range. One loop without a
    call per line or per amount: a decision reads every line of the order, and this is most of its reading.
    The fields are read at once (`astuple`: an attribute read of the compiled module is a generic look-up,
    ~130 instructions, callgrind) and a derived flag is written only when it is not already so (a write
    ~180). Each amount is compared as few times as its range check needs, ordering comparisons first: one
    with a NaN amount raises (decimal's InvalidOperation, an ArithmeticError)."""
    for ln in lines:
        ident, quantity, price, sku, ptype, tags, compare_at, discount, gift_card, props, was_marked_down, \
            had_discount, was_discounted = _fields(ln)
        if type(ident) is not str:
            ln.id = str(ident)
        ln.sku = sku.lower() if sku else ""
        ln.ptype = ptype.strip().lower() if ptype else ""
        ln.tags = _tags(tags) if tags else _EMPTY
        if props:  # an absent or empty object is already an empty dict of the line's own
            ln.props = _properties(props)
        elif type(props) is not dict:  # null, or an empty list of properties
            ln.props = {}
        if gift_card is None:
            ln.gift_card = False
        try:
            if quantity > MAX_COUNT or not ZERO <= price < MAX_MONEY:
                raise _Invalid
            if discount is None:
                ln.discount, has_discount = ZERO, False
            elif ZERO < discount:
                if not discount < MAX_MONEY:
                    raise _Invalid
                has_discount = True
            elif discount == ZERO:
                has_discount = False
            else:
                raise _Invalid
            if compare_at is None:
                marked_down = False
            elif compare_at > price:  # so not negative
                if not compare_at < MAX_MONEY:
                    raise _Invalid
                marked_down = True
            elif ZERO <= compare_at:
                marked_down = False
                ln.compare_at = None
            else:
                raise _Invalid
        except ArithmeticError:
            raise _Invalid from None
        discounted = marked_down or has_discount
        if was_marked_down is not marked_down:
            ln.marked_down = marked_down
        if had_discount is not has_discount:
            ln.has_discount = has_discount
        if was_discounted is not discounted:
            ln.discounted = discounted


def _tags(value) -> frozenset:
    """A list of strings, or Shopify's comma-separated string; compared lower-case."""
    if not value:
        return _EMPTY
    if type(value) is str:
        value = value.split(",")
    found = {t.strip().lower() for t in value}  # a blank tag lower-cases to "" alone, dropped here
    found.discard("")
    return frozenset(found)


def _properties(value) -> dict:
    """A {name: value} object, or Shopify's [{"name", "value"}] list; values as trimmed text."""
    if type(value) is list:
        value = {p.name: p.value for p in value}
    return {str(k): "" if v is None else str(v).strip() for k, v in value.items()}


def _address(address) -> tuple:
    """(country, province, P.O. box?); each None when unknown: no address, or its field absent or redacted
    (Shopify withholds address fields without protected-customer-data approval:
    https://shopify.dev/docs/apps/launch/protected-customer-data). A known country without a province
    has none (""), as Shopify sends for countries without provinces."""
    if address is None:
        return None, None, None
    country, province, street, more = _fields(address)
    country = (country or "").strip().upper() or None
    province = (province or "").strip().upper() or (None if country is None else "")
    if street is None:
        return country, province, None
    return country, province, is_po_box(street if more is None else f"{street} {more}")


def _codes(codes: list) -> tuple:
    return tuple((c if type(c) is str else c.code).strip().lower() for c in codes)


def _carriers(shipping_lines: list) -> frozenset:
    """The carrier codes: each line's `carrier`, else one named in its `title`."""
    found = set()
    for s in shipping_lines:
        title, carrier = _fields(s)
        carrier = carrier_of(carrier or "", title or "")
        if carrier:
            found.add(carrier)
    return frozenset(found)


def _fulfillment(f, tz: ZoneInfo, read, days) -> None:
    ids, shipped, delivered, _, _ = _fields(f)
    if ids is not None:
        f.line_ids = frozenset(v if type(v) is str else str(v) for v in ids)
    f.shipped, f.shipped_date = read(shipped, tz, days) if shipped is not None else (None, None)
    f.delivered, f.delivered_date = read(delivered, tz, days) if delivered is not None else (None, None)


def _return_lines(ret, conditions: tuple) -> tuple:
    """(resolution, the returned lines, earlier returns): the lines' facts completed in place, with the
    request's channel, exchange scope and exchange count."""
    resolution, lines, channel, scope, before, earlier = _fields(ret)
    channel = channel or "mail"
    scope = (scope or "same_style") if resolution == "exchange" else None
    before = before or 0
    if before > MAX_COUNT:
        raise _Invalid
    for x in lines:  # read at once, written where they change (as a line's facts are)
        ident, quantity, condition, reason, was_fault, was_channel, was_scope, was_before = _fields(x)
        if condition is None:
            x.condition = condition = "new"
        if condition not in conditions or quantity > MAX_COUNT:
            raise _Invalid
        if type(ident) is not str:
            x.line_item_id = str(ident)
        if reason is None:
            x.reason = reason = "changed_mind"
        fault = reason in MERCHANT_FAULT
        if was_fault is not fault:
            x.merchant_fault = fault
        if was_channel is not channel:
            x.channel = channel
        if was_scope is not scope:
            x.exchange_for = scope
        if was_before is not before:
            x.exchanges_before = before
    return resolution, lines, earlier


def _earlier(earlier) -> tuple:
    """({line id: units taken back by the order's earlier returns}, {fee kinds they were charged})."""
    returned: dict = {}
    for x in earlier.lines or ():
        if x.quantity > MAX_COUNT:
            raise _Invalid
        ident = x.line_item_id if type(x.line_item_id) is str else str(x.line_item_id)
        returned[ident] = returned.get(ident, 0) + x.quantity
    return returned, frozenset(earlier.fee_kinds or ())
