"""The one description of a decision request (contract §5), as msgspec Structs: the facts themselves
(facts.py) where a request's object maps one fact, and the few objects around them.

`msgspec.convert` checks every type against it in C (what used to be a hand-written check per field) and
reads the odd-but-valid forms through its unions: numeric ids, Shopify's comma-separated tags, property
lists, JSON numbers as money (read through their decimal text, never a binary float). Unknown fields are
ignored. What types cannot say (money not negative, counts in range, timestamps, the policy's words) is
checked by request.py while it completes the facts. Each field's type carries the message an author sees
when a value is not of it (fields.py); `type_errors` walks this description to name every bad field when
msgspec, which stops at the first, rejects a request.
"""
from typing import Annotated, Literal, Optional, Union, get_args, get_origin

import msgspec
from msgspec import Meta

from backend.policy.facts import Order, ReturnLine
from backend.policy.fields import Count, Ident, Moment, Returned, choice, says
from backend.policy.model import FEE_KINDS, RESOLUTIONS


class EarlierLine(msgspec.Struct, gc=False):
    line_item_id: Ident
    quantity: Returned


class EarlierReturns(msgspec.Struct, gc=False):
    lines: Optional[list[EarlierLine]] = None  # units the order's earlier returns took back (refund or credit)
    fee_kinds: Optional[list[says(Literal[FEE_KINDS], f"expected one of {', '.join(FEE_KINDS)}")]] = None  # fee kinds those returns were charged


class ReturnRequest(msgspec.Struct, gc=False):
    resolution: says(Literal[RESOLUTIONS], f"expected one of {', '.join(RESOLUTIONS)}")
    lines: list[ReturnLine]
    channel: choice(("mail", "in_store")) = None  # how a return comes back; "mail" when not said
    exchange_for: choice(("same_style", "other_item")) = None  # for an exchange; "same_style" when not said
    exchanges_before: Optional[Count] = None  # exchanges already made on the order; 0 when not said
    earlier_returns: Optional[EarlierReturns] = None  # what the order's earlier returns took back; none when not said


class DecisionRequest(msgspec.Struct, gc=False):
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
