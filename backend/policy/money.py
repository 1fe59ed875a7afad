"""Money as Decimal: exact arithmetic, rounded half-up to the cent once per figure."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

CENT = Decimal("0.01")
ZERO = Decimal("0")
HUNDRED = Decimal("100")


def parse_money(value) -> Decimal:
    """Read a decimal string, an int, or a JSON number (through its decimal text). Raises ValueError."""
    if isinstance(value, bool):
        raise ValueError("expected a decimal string")
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, float):
        result = Decimal(repr(value))
    elif isinstance(value, str):
        try:
            result = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError(f"'{value}' is not a decimal amount") from None
    else:
        raise ValueError("expected a decimal string")
    if not result.is_finite():
        raise ValueError("expected a finite decimal amount")
    return result


def cents(value: Decimal) -> Decimal:
    """Round half-up to the cent."""
    return value.quantize(CENT, rounding=ROUND_HALF_UP)


def fmt(value: Decimal) -> str:
    """The contract's money text: always two decimals."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, rounded half-up to the cent."""
    return cents(amount * percent / HUNDRED)
