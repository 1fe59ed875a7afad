"""The types of a decision request's fields (contract §5), each with the message an author sees when a value
is not of it and the check of what a type cannot say (money not negative, counts in range, timestamps).

The facts (facts.py) and the rest of the request's description (schema.py) are declared with these, so that
`msgspec.convert` reads a request straight into facts in C; `schema.type_errors` reads the messages and
checks back (`Meta.extra`) to name every bad field when msgspec, which stops at the first, rejects one.
"""
from __future__ import annotations

from datetime import timezone
from decimal import Decimal
from typing import Annotated, Any, Literal, Optional, Union

import msgspec
from msgspec import Meta

from backend.policy.calendar import parse_timestamp

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


def says(kind, message: str, check=None):
    """`kind`, with the message for a value not of it and the check (value -> problem or None) of a value
    that is (what a type cannot say)."""
    return Annotated[kind, Meta(extra={"error": message, "check": check})]


def choice(words: tuple):
    return says(Optional[Literal[words]], f"expected one of {', '.join(words)}")


Text = says(Optional[str], "expected a string")  # absent or null reads as ""
Ident = says(Union[str, int], "expected a string or an integer id")
Count = says(Annotated[int, Meta(ge=0)], "expected a whole number, 0 or more", count_problem)
Returned = says(Annotated[int, Meta(ge=1)], "expected a whole number, 1 or more", count_problem)
Money = says(Decimal, "expected a decimal amount (a decimal string)", money_problem)
Moment = says(str, "expected an ISO 8601 timestamp", moment_problem)
Tags = says(Union[list[str], str, None], "expected a list of strings")
Flag = says(Optional[bool], "expected true or false")
Condition = says(Optional[str], "expected an item condition word")  # the policy's words: `type_errors(checks=)`


class Property(msgspec.Struct, gc=False):
    name: str
    value: Any = None


Properties = says(Union[dict[str, Any], list[Property], None], "expected an object of name: value")
# A fact the reader derives (request.py writes it on every fact it reads): whatever a request sends under
# its name is accepted here and overwritten, as an unknown field would be ignored.
Derived = Any


class Address(msgspec.Struct, gc=False):
    country_code: Text = None
    province_code: Text = None
    address1: Text = None
    address2: Text = None


class ShippingLine(msgspec.Struct, gc=False):
    title: Text = None
    carrier: Text = None


class Code(msgspec.Struct, gc=False):
    code: str


Codes = Optional[list[says(Union[str, Code], 'expected a code string or {"code": ...}')]]
