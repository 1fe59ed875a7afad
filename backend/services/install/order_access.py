"""How far back Fineprint can read a shop's orders, and how to say so plainly.

Shopify gives an app the last 60 days of orders; older ones need the `read_all_orders` scope, which the
app must first be approved for (shopify.dev Admin GraphQL `Order` object: "Only the last 60 days' worth of
orders from a store are accessible from the Order object by default"). We request it as an optional scope
(`shopify.app.toml` `optional_scopes`): the merchant grants it from the admin page (App Bridge
`shopify.scopes.request`) only to backfill older orders. Until then a backfill reads the last 60 days, and
the CLI and admin page say so.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from backend.store import shops

ALL_ORDERS = "read_all_orders"
DEFAULT_WINDOW_DAYS = 60


@dataclass(frozen=True)
class OrderAccess:
    all_orders: bool
    oldest: date | None   # the oldest order date Shopify lets us read; None with read_all_orders

    def notice(self) -> str | None:
        if self.all_orders:
            return None
        return (f"Fineprint can read only the last {DEFAULT_WINDOW_DAYS} days of orders (since {self.oldest}): "
                f"older orders need the optional \"{ALL_ORDERS}\" access, which this shop has not granted. "
                "A backfill decides and tags the orders of those 60 days only; grant the access on Fineprint's "
                "admin page (Settings) to include older orders.")


def of_scopes(scopes: str | None, today: date) -> OrderAccess:
    granted = {s.strip() for s in (scopes or "").split(",") if s.strip()}
    if ALL_ORDERS in granted:
        return OrderAccess(True, None)
    return OrderAccess(False, today - timedelta(days=DEFAULT_WINDOW_DAYS))


def for_shop(db, shop: str, today: date) -> OrderAccess:
    row = shops.get(db, shop)
    return of_scopes(row.scopes if row is not None else "", today)
