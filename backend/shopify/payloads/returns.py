"""`returns/*` webhook bodies (REST JSON) → plain return facts.

Shapes as Shopify's webhook reference publishes them for 2026-04
(`tests/data/shopify/webhooks/2026-04/returns_*.json`): `returns/request`, `approve` and
`decline` carry `order: {id, admin_graphql_api_id}`; `cancel`, `close` and `reopen` carry a bare
numeric `order_id`; `decline` adds `decline: {reason, note}` with the reason in lower case.
Identity comes from `admin_graphql_api_id` (numeric ids above 2^53 are rounded in published examples).
"""
from __future__ import annotations

from backend.shopify.payloads.common import _ident, _money, gid, numeric_id

# What the topic itself says when a body has no `status` (Return.status, lower-cased as in the bodies).
TOPIC_STATUS = {"returns/request": "requested", "returns/approve": "open", "returns/decline": "declined",
                "returns/cancel": "canceled", "returns/close": "closed", "returns/reopen": "open"}
STATUSES = frozenset(TOPIC_STATUS.values())


class NotAReturn(ValueError):
    """The body names no return: nothing can be recorded from it."""


def return_from_webhook(payload: dict, topic: str | None = None) -> dict:
    """A returns/* body → {"id", "gid", "order_id", "status", "decline", "line_count", "exchange_count",
    "line_ids", "shipping_fees"}; ids are numeric strings, money decimal strings."""
    if not isinstance(payload, dict):
        raise NotAReturn("a returns webhook body is a JSON object")
    ident = _ident(payload, "Return")
    if not ident:
        raise NotAReturn("the body names no return (no admin_graphql_api_id or id)")
    return {
        "id": ident,
        "gid": gid("Return", ident),
        "order_id": _order_id(payload),
        "status": _status(payload, topic),
        "decline": _decline(payload.get("decline")),
        "line_count": _int(payload.get("total_return_line_items")),
        "exchange_count": _int(payload.get("total_exchange_line_items")),
        "line_ids": [_ident(li, "ReturnLineItem") for li in payload.get("return_line_items") or []
                     if isinstance(li, dict)],
        "shipping_fees": [_money(f.get("price")) for f in payload.get("return_shipping_fees") or []
                          if isinstance(f, dict)],
    }


def _order_id(payload: dict) -> str | None:
    order = payload.get("order")
    if isinstance(order, dict):
        return _ident(order, "Order")
    return numeric_id(payload.get("order_id"))


def _status(payload: dict, topic: str | None) -> str | None:
    status = str(payload.get("status") or "").strip().lower()
    return status if status in STATUSES else TOPIC_STATUS.get(topic or "")


def _decline(decline) -> dict | None:
    if not isinstance(decline, dict) or not decline.get("reason"):
        return None
    # The body spells the enum in lower case ("return_period_ended"); the Admin API's is ReturnDeclineReason.
    return {"reason": str(decline["reason"]).upper(), "note": decline.get("note")}


def _int(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None
