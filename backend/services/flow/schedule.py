"""When Flow triggers fire: the shop's reminder days and the armed triggers of each order.

    arm(db, shop, order_id, armed: [flow_plan.Armed], now)       # after every applied decision
    claim_due(db, now) -> [FlowTrigger]                           # rows this worker now owns
    finish(db, row_id, status, error=None, retry_at=None)

The rows and their once-per-order-and-deadline guarantee live in store/flow_triggers.py.
"""
from __future__ import annotations

from datetime import datetime

from backend.errors import ValidationError
from backend.services.flow.plan import DEFAULT_REMINDER_DAYS, SCHEDULED, Armed
from backend.store import flow_triggers
from backend.store.flow_triggers import claim_due, finish, rows_for

MAX_ATTEMPTS = 8


def reminder_days(db, shop: str) -> int:
    days = flow_triggers.reminder_days(db, shop)
    return DEFAULT_REMINDER_DAYS if days is None else days


def set_reminder_days(db, shop: str, days: int) -> None:
    if not isinstance(days, int) or isinstance(days, bool) or not 0 <= days <= 60:
        raise ValidationError("reminder days must be a whole number from 0 to 60",
                              details=[{"field": "reminder_days", "message": "expected 0..60"}])
    flow_triggers.set_reminder_days(db, shop, days)


def arm(db, shop: str, order_id: str, armed: list[Armed], now: datetime) -> None:
    flow_triggers.arm(db, shop, order_id, armed, now, SCHEDULED)


__all__ = ["arm", "claim_due", "finish", "reminder_days", "set_reminder_days", "rows_for"]
