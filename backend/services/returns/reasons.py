"""Shopify's return reasons → the policy's.

A shopper's reason reaches us as a `ReturnReasonDefinition` handle (the shop's own list; Shopify's standard
definitions use the handles below, the lower-cased `ReturnReason` values with dashes) or, on older returns,
as a bare `ReturnReason` enum value. Only handles we know are mapped; any other handle is shown as it is and
decided as `changed_mind` — the reason that waives nothing — never guessed into a merchant-fault reason.
"""
from __future__ import annotations

from backend.policy.model import MERCHANT_FAULT

HANDLES = {
    "defective": "defective",
    "damaged": "defective",
    "wrong-item": "wrong_item",
    "not-as-described": "not_as_described",
    "size-too-large": "size",
    "size-too-small": "size",
    "unwanted": "changed_mind",
    "color": "changed_mind",
    "style": "changed_mind",
}
FALLBACK = "changed_mind"


def policy_reason(reason: dict | None, legacy: str | None = None) -> dict:
    """{"reason": the policy's, "handle", "name", "known": bool, "merchant_fault": bool} of one return line."""
    handle = (reason or {}).get("handle") or (legacy or "").strip().lower().replace("_", "-") or None
    mapped = HANDLES.get(handle or "")
    known = mapped is not None
    value = mapped or FALLBACK
    return {"reason": value, "handle": handle, "name": (reason or {}).get("name") or handle, "known": known,
            "merchant_fault": value in MERCHANT_FAULT}
