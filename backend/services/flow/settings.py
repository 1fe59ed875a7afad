"""A shop's Flow settings: how many days before a deadline the reminders fire (the admin page's Settings and
`fineprint flow set-reminder-days` both come here).

    reminder_days(db, shop) -> int
    set_reminder_days(db, shop, days, now) -> int    # also moves the shop's armed reminders; how many moved
"""
from __future__ import annotations

from datetime import datetime, timezone

from backend.services.flow import schedule


def reminder_days(db, shop: str) -> int:
    return schedule.reminder_days(db, shop)


def _shop_tz(db, shop: str):
    from backend.errors import AppError
    from backend.services.decisions import context as decision_context

    try:
        with db.session() as s:
            return decision_context.shop_policy(s, shop)[0].tz
    except AppError:  # no policy yet (or one that no longer loads): nothing can be armed, nothing to move
        return None


def set_reminder_days(db, shop: str, days: int, now: datetime | None = None) -> int:
    """Validate (0–60, ValidationError on the field `reminder_days`), store, and move the armed reminders."""
    return schedule.set_reminder_days(db, shop, days, _shop_tz(db, shop), now or datetime.now(timezone.utc))
