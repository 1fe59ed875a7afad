"""Money as Decimal: exact arithmetic, rounded half-up to the cent once per figure."""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation

CENT = Decimal("0.01")
# Half-up rounding as a context of its own: Context.quantize is about twice as fast as Decimal.quantize with
# a rounding argument (a decision formats a handful of amounts). Precision and traps are the defaults, as
# the thread's context has them (the app never changes it); only its unread flags are shared.
_HALF_UP = Context(rounding=ROUND_HALF_UP)
_quantize = _HALF_UP.quantize
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
    return _quantize(value, CENT)


def fmt(value: Decimal) -> str:
    """The contract's money text: always two decimals."""
    return str(_quantize(value, CENT))


def percent_of(amount: Decimal, percent: Decimal) -> Decimal:
    """`percent` % of `amount`, rounded half-up to the cent."""
    return cents(amount * percent / HUNDRED)
