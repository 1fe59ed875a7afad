"""The admin page in the store's own words: order names, product titles, times in the shop's zone.

    Store.for_shop(db, shop, policy=None) -> Store
    store.when(dt)            "Dec 3, 2026 09:41 PST"  (the shop's zone, always with the year)
    store.order_name(facts)   "#1010": Shopify's `name`; "order 5012" when an older snapshot lacks it
    line_titles(facts)        {line_item_id: "Classic Tote"}

The shop's zone is the one Shopify reports for it (`Shop.timezone`) or else the one its active
policy is written for (deadlines are counted there too); UTC when neither is known.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from backend.store import shops


@dataclass(frozen=True)
class Store:
    zone: tzinfo

    @classmethod
    def for_shop(cls, db, shop: str, policy=None) -> "Store":
        row = shops.get(db, shop)
        for name in (row.timezone if row else None, getattr(policy, "timezone", None)):
            if not name:
                continue
            try:
                return cls(ZoneInfo(name))
            except (ZoneInfoNotFoundError, ValueError):
                continue
        return cls(timezone.utc)

    def when(self, value: datetime | str | None) -> str:
        local = self._local(value)
        if not isinstance(local, datetime):
            return local
        return f"{local:%b} {local.day}, {local:%Y %H:%M} {local.tzname()}"

    def day(self, value: datetime | str | None) -> str:
        """The local calendar day, with its year ("Dec 3, 2026")."""
        local = self._local(value)
        return f"{local:%b} {local.day}, {local:%Y}" if isinstance(local, datetime) else local

    def _local(self, value: datetime | str | None) -> datetime | str:
        if not value:
            return "—"
        if isinstance(value, str):
            try:
                value = datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:  # not a timestamp we can place: show it as Shopify sent it
                return value
        if value.tzinfo is None:  # stored in UTC (SQLite hands back naive datetimes)
            value = value.replace(tzinfo=timezone.utc)
        return value.astimezone(self.zone)

    @staticmethod
    def order_name(facts: dict | None, order_id: str | None = None) -> str:
        name = (facts or {}).get("name")
        return str(name) if name else f"order {order_id or '?'}"


def line_titles(facts: dict | None) -> dict[str, str]:
    """Each line's product title (its SKU when the title is empty), by line item id."""
    out = {}
    for line in (facts or {}).get("line_items") or []:
        out[str(line.get("id"))] = line.get("title") or line.get("sku") or "item"
    return out
