"""Typed reads of request fields; each problem is recorded as {"field", "message"}.

Each read tries the common shape first (a str where a str is expected) and only then the odd-but-valid
forms and the errors. Money and timestamp texts already read come from the compiled policy's memos."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal, InvalidOperation
from zoneinfo import ZoneInfo

from backend.policy.calendar import parse_timestamp
from backend.policy.money import parse_money

_MISSING = object()
YEARS = (1900, 2999)
MAX_MONEY = Decimal(10) ** 12  # amounts and counts beyond any real order would overflow cent rounding
MAX_COUNT = 1_000_000


_EMPTY = frozenset()
_NO_MEMO: dict = {}


def _keep_nothing(_key, value):
    return value


def _at(prefix, key: str) -> str:
    """The full path of a field; `prefix` is a path text, or (list path, index) rendered only when needed."""
    if type(prefix) is tuple:
        prefix = f"{prefix[0]}[{prefix[1]}]"
    return f"{prefix}.{key}" if prefix else key


class Fields:
    def __init__(self, tz: ZoneInfo, amounts=None, moments=None):
        """`amounts` (text -> Decimal) and `moments` (text -> (instant, local date)): Memo objects."""
        self.tz = tz
        self.errors: list[dict] = []
        amounts = amounts if amounts is not None and amounts.limit > 0 else None
        moments = moments if moments is not None and moments.limit > 0 else None
        self.amounts = amounts if amounts is not None else _NO_MEMO
        self.moments = moments if moments is not None else _NO_MEMO
        self.keep_amount = amounts.put if amounts is not None else _keep_nothing
        self.keep_moment = moments.put if moments is not None else _keep_nothing

    def error(self, field: str, message: str) -> None:
        """Record a problem; `field` is the full path ("order.line_items[0].price")."""
        self.errors.append({"field": field, "message": message})

    def _get(self, obj: dict, key: str, path: str, required: bool):
        value = obj.get(key, _MISSING) if isinstance(obj, dict) else _MISSING
        if value is _MISSING or value is None:
            if required:
                self.error(_at(path, key), "is required")
            return _MISSING
        return value

    def obj(self, o, key, path, required=True) -> dict | None:
        value = self._get(o, key, path, required)
        if value is _MISSING:
            return None
        if not isinstance(value, dict):
            self.error(_at(path, key), "expected an object")
            return None
        return value

    def items(self, o, key, path, required=True, kinds=(dict,)) -> list[tuple[int, object]]:
        value = self._get(o, key, path, required)
        if value is _MISSING:
            return []
        if not isinstance(value, list):
            self.error(_at(path, key), "expected a list")
            return []
        good = []
        for i, item in enumerate(value):
            if isinstance(item, kinds):
                good.append((i, item))
            else:
                self.error(f"{_at(path, key)}[{i}]", "expected an object" if kinds == (dict,) else "unexpected value")
        return good

    def moment(self, o, key, path, required=True):
        """(aware instant, its local date in the zone), or None when absent or wrong."""
        value = o.get(key) if type(o) is dict else None
        if type(value) is str:
            found = self.moments.get(value)
            if found is not None:
                return found
        instant = self.timestamp(o, key, path, required)
        if instant is None:
            return None
        try:
            local = instant.astimezone(self.tz).date()
        except (OverflowError, ValueError):
            self.error(_at(path, key), "expected a timestamp the shop's time zone can show")
            return None
        return self.keep_moment(value, (instant, local)) if type(value) is str else (instant, local)

    def timestamp(self, o, key, path, required=True):
        value = self._get(o, key, path, required)
        if value is _MISSING:
            return None
        moment = None
        if type(value) is str and len(value) > 19 and value[-6] in "+-" and value[-3] == ":":
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                pass
        try:
            moment = moment or parse_timestamp(value, self.tz)
        except (ValueError, TypeError):
            self.error(_at(path, key), "expected an ISO 8601 timestamp")
            return None
        if not YEARS[0] <= moment.year <= YEARS[1]:  # far-off dates overflow zone and deadline arithmetic
            self.error(_at(path, key), f"expected a timestamp between the years {YEARS[0]} and {YEARS[1]}")
            return None
        return moment

    def text(self, o, key, path) -> str:
        value = o.get(key) if type(o) is dict else None
        if type(value) is str:
            return value
        value = self._get(o, key, path, False)
        if value is _MISSING:
            return ""
        if not isinstance(value, str):
            self.error(_at(path, key), "expected a string")
            return ""
        return value

    def ident(self, o, key, path, required=True) -> str | None:
        value = o.get(key) if type(o) is dict else None
        if type(value) is str:
            return value
        value = self._get(o, key, path, required)
        if value is _MISSING:
            return None
        if isinstance(value, bool) or not isinstance(value, (str, int)):
            self.error(_at(path, key), "expected a string or an integer id")
            return None
        return str(value)

    def ident_list(self, o, key, path) -> list[str]:
        return [str(v) for _, v in self.items(o, key, path, kinds=(str, int))]

    def money(self, o, key, path, required=True):
        value = o.get(key) if type(o) is dict else None
        if type(value) is str:
            amount = self.amounts.get(value)
            if amount is not None:
                return amount
            try:
                amount = Decimal(value)
                if amount.is_finite() and 0 <= amount < MAX_MONEY:
                    return self.keep_amount(value, amount)
            except InvalidOperation:
                pass
        value = self._get(o, key, path, required)
        if value is _MISSING:
            return None
        try:
            amount = parse_money(value)
        except ValueError as exc:
            self.error(_at(path, key), str(exc))
            return None
        if amount < 0:
            self.error(_at(path, key), "must not be negative")
            return None
        if amount >= MAX_MONEY:
            self.error(_at(path, key), f"must be less than {MAX_MONEY:,}")
            return None
        return amount

    def count(self, o, key, path, minimum=0) -> int:
        value = o.get(key) if type(o) is dict else None
        if type(value) is int and minimum <= value <= MAX_COUNT:
            return value
        value = self._get(o, key, path, True)
        if value is _MISSING:
            return 0
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            self.error(_at(path, key), f"expected a whole number, {minimum} or more")
            return 0
        if value > MAX_COUNT:
            self.error(_at(path, key), f"must be at most {MAX_COUNT:,}")
            return 0
        return value

    def flag(self, o, key, path) -> bool:
        value = o.get(key) if type(o) is dict else None
        if value is False or value is True:
            return value
        value = self._get(o, key, path, False)
        if value is _MISSING:
            return False
        if not isinstance(value, bool):
            self.error(_at(path, key), "expected true or false")
            return False
        return value

    def choice(self, o, key, path, choices, default=None):
        value = self._get(o, key, path, default is None)
        if value is _MISSING:
            return default
        if value not in choices:
            self.error(_at(path, key), f"expected one of {', '.join(choices)}")
            return default
        return value

    def tags(self, o, key, path) -> frozenset:
        """A list of strings, or Shopify's comma-separated string; compared lower-case."""
        value = o.get(key) if type(o) is dict else None
        if value is None or value == []:
            return _EMPTY
        if isinstance(value, str):
            value = value.split(",")
        if not isinstance(value, list) or not all(isinstance(t, str) for t in value):
            self.error(_at(path, key), "expected a list of strings")
            return frozenset()
        return frozenset(t.strip().lower() for t in value if t.strip())

    def properties(self, item, path) -> dict:
        """A {name: value} object, or Shopify's [{"name", "value"}] list."""
        value = item.get("properties") if type(item) is dict else None
        if not value:
            return {}
        if isinstance(value, list) and all(isinstance(p, dict) and "name" in p for p in value):
            value = {p["name"]: p.get("value") for p in value}
        if not isinstance(value, dict):
            self.error(_at(path, "properties"), "expected an object of name: value")
            return {}
        return {str(k): "" if v is None else str(v).strip() for k, v in value.items()}
