"""The one description of a decision request (contract §5), as msgspec Structs.

`msgspec.convert` checks every type against it in C (what used to be a hand-written check per field) and
reads the odd-but-valid forms through its unions: numeric ids, Shopify's comma-separated tags, property
lists, JSON numbers as money (read through their decimal text, never a binary float). Unknown fields are
ignored. What types cannot say (money not negative, counts in range, timestamps, the policy's words) is
checked by request.py while it turns these into facts. Each type carries the message an author sees when
a value is not of that type (`Meta.extra["error"]`); `type_errors` walks this description to name every bad
field when msgspec, which stops at the first, rejects a request.
"""
from datetime import timezone
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional, Union, get_args, get_origin

import msgspec
from msgspec import Meta

from backend.policy.calendar import parse_timestamp
from backend.policy.model import FEE_KINDS, REASONS, RESOLUTIONS


YEARS = (1900, 2999)
MAX_MONEY = Decimal(10) ** 12  # amounts and counts beyond any real order would overflow cent rounding
MAX_COUNT = 1_000_000


def money_problem(amount: Decimal) -> str | None:
    """Why a decimal is not an amount of money a request may hold (None: it is)."""
    if not amount.is_finite():
        return "expected a finite decimal amount"
    if amount < 0:
        return "must not be negative"
    return f"must be less than {MAX_MONEY:,}" if amount >= MAX_MONEY else None


def count_problem(count: int) -> str | None:
    return f"must be at most {MAX_COUNT:,}" if count > MAX_COUNT else None


def moment_problem(text: str) -> str | None:
    """Why a text is not a timestamp a request may hold (None: it is); request.py reads it in the shop's zone."""
    try:
        instant = parse_timestamp(text, timezone.utc)
    except ValueError:
        return "expected an ISO 8601 timestamp"
    if not YEARS[0] <= instant.year <= YEARS[1]:  # far-off dates overflow zone and deadline arithmetic
        return f"expected a timestamp between the years {YEARS[0]} and {YEARS[1]}"
    return None


def _says(kind, message: str, check=None):
    """`kind`, with the message for a value not of it and the check (value -> problem or None) of a value
    that is (what a type cannot say)."""
    return Annotated[kind, Meta(extra={"error": message, "check": check})]


Text = _says(Optional[str], "expected a string")  # absent or null reads as ""
Ident = _says(Union[str, int], "expected a string or an integer id")
Count = _says(Annotated[int, Meta(ge=0)], "expected a whole number, 0 or more", count_problem)
Returned = _says(Annotated[int, Meta(ge=1)], "expected a whole number, 1 or more", count_problem)
Money = _says(Decimal, "expected a decimal amount (a decimal string)", money_problem)
Moment = _says(str, "expected an ISO 8601 timestamp", moment_problem)
Tags = _says(Union[list[str], str, None], "expected a list of strings")
Flag = _says(Optional[bool], "expected true or false")
Condition = _says(Optional[str], "expected an item condition word")  # the policy's words: `type_errors(checks=)`


def _choice(words: tuple):
    return _says(Optional[Literal[words]], f"expected one of {', '.join(words)}")


class Property(msgspec.Struct):
    name: str
    value: Any = None


class LineItem(msgspec.Struct):
    id: Ident
    quantity: Count
    price: Money
    sku: Text = None
    product_type: Text = None
    product_tags: Tags = None
    compare_at_price: Optional[Money] = None
    discount: Optional[Money] = None
    gift_card: Flag = None
    properties: _says(Union[dict[str, Any], list[Property], None], "expected an object of name: value") = None


class Address(msgspec.Struct):
    country_code: Text = None
    province_code: Text = None
    address1: Text = None
    address2: Text = None


class ShippingLine(msgspec.Struct):
    title: Text = None
    carrier: Text = None


class Fulfillment(msgspec.Struct):
    line_item_ids: Optional[list[Ident]] = None
    shipped_at: Optional[Moment] = None
    delivered_at: Optional[Moment] = None


class Code(msgspec.Struct):
    code: str


class Order(msgspec.Struct):
    created_at: Moment
    line_items: list[LineItem]
    id: Optional[Ident] = None
    currency: Text = None
    source_name: Text = None
    tags: Tags = None
    discount_codes: Optional[list[_says(Union[str, Code], 'expected a code string or {"code": ...}')]] = None
    shipping_address: Optional[Address] = None
    shipping_lines: Optional[list[ShippingLine]] = None
    fulfillments: Optional[list[Fulfillment]] = None
    payment_gateway_names: Tags = None


class ReturnLine(msgspec.Struct):
    line_item_id: Ident
    quantity: Returned
    condition: Condition = None  # one of the policy's condition words (request.py checks; "new" when absent)
    reason: _choice(REASONS) = None


class EarlierLine(msgspec.Struct):
    line_item_id: Ident
    quantity: Returned


class EarlierReturns(msgspec.Struct):
    lines: Optional[list[EarlierLine]] = None  # units the order's earlier returns took back (refund or credit)
    fee_kinds: Optional[list[_says(Literal[FEE_KINDS], f"expected one of {', '.join(FEE_KINDS)}")]] = None  # fee kinds those returns were charged


class ReturnRequest(msgspec.Struct):
    resolution: _says(Literal[RESOLUTIONS], f"expected one of {', '.join(RESOLUTIONS)}")
    lines: list[ReturnLine]
    channel: _choice(("mail", "in_store")) = None  # how a return comes back; "mail" when not said
    exchange_for: _choice(("same_style", "other_item")) = None  # for an exchange; "same_style" when not said
    exchanges_before: Optional[Count] = None  # exchanges already made on the order; 0 when not said
    earlier_returns: Optional[EarlierReturns] = None  # what the order's earlier returns took back; none when not said


class DecisionRequest(msgspec.Struct):
    order: Order
    as_of: Optional[Moment] = None
    return_request: Optional[ReturnRequest] = None


_MISSING = object()


def type_errors(value, kind=DecisionRequest, path: str = "", checks: dict | None = None) -> list[dict]:
    """Every value under `value` that is not of its type `kind`, or fails its type's check, as
    {"field", "message"} in document order (a field path as the contract writes it:
    "order.line_items[0].price"). Only for a request msgspec rejected: a slow walk, one field at a time.
    `checks`: {type: check} for what the caller knows beyond this description (the policy's words)."""
    out: list[dict] = []
    _walk(value, kind, path, out, checks or {})
    return out or [{"field": path, "message": "is not valid"}]


def _walk(value, kind, path: str, out: list, checks: dict) -> None:
    base, message, check = _unwrap(kind)
    check = checks.get(kind, check)
    try:
        found = msgspec.convert(value, kind)
    except msgspec.ValidationError:
        pass
    else:
        problem = check(found) if check is not None and found is not None else None
        if problem is None and type(found) is list and get_origin(base) is list:
            for i, item in enumerate(value):  # a list of checked values (none here yet) or of objects
                _walk(item, get_args(base)[0], f"{path}[{i}]", out, checks)
        elif problem is None and isinstance(found, msgspec.Struct):
            _walk_fields(value, type(found), path, out, checks)
        elif problem is not None:
            out.append({"field": path, "message": problem})
        return
    if isinstance(base, type) and issubclass(base, msgspec.Struct):
        if type(value) is not dict:
            out.append({"field": path, "message": "expected an object"})
            return
        _walk_fields(value, base, path, out, checks)
        return
    if get_origin(base) is list:
        if type(value) is not list:
            out.append({"field": path, "message": "expected a list"})
            return
        for i, item in enumerate(value):
            _walk(item, get_args(base)[0], f"{path}[{i}]", out, checks)
        return
    out.append({"field": path, "message": message or "is not valid"})


def _walk_fields(value: dict, struct: type, path: str, out: list, checks: dict) -> None:
    for field in msgspec.structs.fields(struct):
        item = value.get(field.encode_name, _MISSING)
        where = f"{path}.{field.encode_name}" if path else field.encode_name
        if item is _MISSING or item is None:
            if field.required:
                out.append({"field": where, "message": "is required"})
            continue
        _walk(item, field.type, where, out, checks)


def _unwrap(kind) -> tuple:
    """(the type under Annotated and Optional, the message for a value not of it, the check of one that is)."""
    message = check = None
    while True:
        if get_origin(kind) is Annotated:
            for meta in kind.__metadata__:
                if isinstance(meta, Meta) and meta.extra and "error" in meta.extra:
                    message, check = message or meta.extra["error"], check or meta.extra["check"]
            kind = get_args(kind)[0]
            continue
        args = get_args(kind)
        if get_origin(kind) is Union and len(args) == 2 and type(None) in args:
            kind = args[0] if args[1] is type(None) else args[1]
            continue
        return kind, message, check
