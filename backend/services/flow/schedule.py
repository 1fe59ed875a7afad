"""When Flow triggers fire: the shop's reminder days and the armed triggers of each order.

    arm(db, shop, order_id, armed: [flow_plan.Armed], now)       # after every applied decision
    claim_due(db, now) -> [FlowTrigger]                           # rows this worker now owns
    renew(db, row, now) -> bool                                   # just before sending: still ours?
    finish(db, row, status, error=None, retry_at=None)
    set_reminder_days(db, shop, days, tz=None, now=None) -> int   # also moves the armed reminders (with tz)

The rows and their once-per-order-and-deadline guarantee live in store/flow_triggers.py.
"""
from __future__ import annotations

from datetime import datetime, timezone

from backend.errors import ValidationError
from backend.services.flow.plan import DEFAULT_REMINDER_DAYS, REMINDERS, SCHEDULED, Armed, reminder_at
from backend.store import flow_triggers
from backend.store.flow_triggers import LEASE, claim_due, finish, renew, rows_for

MAX_ATTEMPTS = 8


def reminder_days(db, shop: str) -> int:
    days = flow_triggers.reminder_days(db, shop)
    return DEFAULT_REMINDER_DAYS if days is None else days


def reminder_days_in(session, shop: str) -> int:
    """`reminder_days` inside the caller's transaction."""
    days = flow_triggers.reminder_days_in(session, shop)
    return DEFAULT_REMINDER_DAYS if days is None else days


MIN_REMINDER_DAYS, MAX_REMINDER_DAYS = 0, 60


def reminder_days_errors(days) -> list[dict]:
    """Per-field errors for a reminder-days value (the admin Settings and the CLI share the bounds)."""
    if isinstance(days, int) and not isinstance(days, bool) and MIN_REMINDER_DAYS <= days <= MAX_REMINDER_DAYS:
        return []
    return [{"field": "reminder_days",
             "message": f"a whole number of days from {MIN_REMINDER_DAYS} to {MAX_REMINDER_DAYS}"}]


def set_reminder_days(db, shop: str, days: int, tz=None, now: datetime | None = None) -> int:
    """Store the shop's reminder days; with the shop's time zone, move its armed reminders to the new day in the
    same transaction (a reminder whose new day has passed fires at the next sweep). Returns how many moved."""
    errors = reminder_days_errors(days)
    if errors:
        raise ValidationError("reminder days must be a whole number from 0 to 60", details=errors)
    if tz is None:
        return flow_triggers.set_reminder_days(db, shop, days)
    now = now or datetime.now(timezone.utc)
    return flow_triggers.set_reminder_days(db, shop, days, REMINDERS,
                                           lambda deadline: reminder_at(deadline, tz, days, now))


def arm(db, shop: str, order_id: str, armed: list[Armed], now: datetime) -> None:
    flow_triggers.arm(db, shop, order_id, armed, now, SCHEDULED)


def arm_in(session, shop: str, order_id: str, armed: list[Armed], now: datetime) -> None:
    """`arm` inside the caller's transaction."""
    flow_triggers.arm_in(session, shop, order_id, armed, now, SCHEDULED)


__all__ = ["LEASE", "arm", "arm_in", "reminder_days_in", "claim_due", "renew", "finish", "reminder_days", "reminder_days_errors",
           "set_reminder_days", "rows_for"]
