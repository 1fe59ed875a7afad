"""Identifiers, money, tags and carriers as Shopify writes them, read the same way by every payload module."""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Iterable

CARRIER_CODES = ("ups", "usps", "fedex", "dhl")


# ---------------------------------------------------------------- identifiers

def numeric_id(value) -> str | None:
    """`gid://shopify/Order/12` / `12` / 12 → "12"; None stays None."""
    if value is None or value == "":
        return None
    text = str(value)
    tail = text.rsplit("/", 1)[-1]
    return tail.split("?", 1)[0] or None


def gid(kind: str, value) -> str | None:
    ident = numeric_id(value)
    return f"gid://shopify/{kind}/{ident}" if ident else None


def _ident(obj: dict, kind: str) -> str | None:
    return numeric_id(obj.get("admin_graphql_api_id") or obj.get("id")) if obj else None


# ---------------------------------------------------------------------- money

def _money(value) -> str | None:
    if value is None or value == "":
        return None
    if isinstance(value, dict):  # GraphQL MoneyBag / MoneyV2 / REST price_set
        value = (value.get("shopMoney") or value.get("shop_money") or value).get("amount")
    try:
        return str(Decimal(str(value)))
    except InvalidOperation:
        return None


def _sum(amounts: Iterable) -> str:
    total = Decimal("0")
    for a in amounts:
        m = _money(a)
        total += Decimal(m) if m is not None else 0
    return f"{total:.2f}"


def split_tags(value) -> list[str]:
    if value is None:
        return []
    if isinstance(value, str):
        return [t.strip() for t in value.split(",") if t.strip()]
    return [str(t).strip() for t in value if str(t).strip()]


def _carrier(*candidates) -> str | None:
    for c in candidates:
        text = (c or "").strip().lower()
        if text in CARRIER_CODES:
            return text
    return None
