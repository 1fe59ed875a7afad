"""Which Flow triggers an order's decision arms, and when each fires (pure: no database, no clock).

    plan(decision, tz, reminder_days, now) -> [Armed(trigger, deadline, fire_at)]
    reminder_at(deadline, tz, reminder_days, now) -> fire_at    # also when the merchant changes reminder_days

* "Return window closing": one per distinct deadline of a non-trial line's resolution, `reminder_days`
  before it (at 00:00 in the shop's time zone); armed only while the deadline has not passed, and fired at
  once when the reminder day is already here.
* "Trial period ending": the trial lines' deadline (ALLY's 7 days from delivery), `reminder_days` before.
* "Trial period ended": the day after the trial deadline, whenever that is (the charge must happen).

A deadline is the engine's: the delivery fallback is already inside it, and a line whose anchor has not
happened yet (deadline null) arms nothing until a later decision gives it one.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

WINDOW_CLOSING = "return-window-closing"
TRIAL_ENDING = "trial-period-ending"
TRIAL_ENDED = "trial-period-ended"
RETURN_DECIDED = "return-request-decided"
SCHEDULED = (WINDOW_CLOSING, TRIAL_ENDING, TRIAL_ENDED)
REMINDERS = (WINDOW_CLOSING, TRIAL_ENDING)  # fired `reminder_days` before their deadline
DEFAULT_REMINDER_DAYS = 3
TRIAL = "trial"


@dataclass(frozen=True)
class Armed:
    trigger: str
    deadline: str  # YYYY-MM-DD
    fire_at: datetime  # UTC


def local_midnight(day: date, tz) -> datetime:
    return datetime.combine(day, time(0), tzinfo=tz).astimezone(timezone.utc)


def line_deadlines(line: dict) -> set[str]:
    """The deadlines of the resolutions the policy permits for a line (whatever today is)."""
    out = set()
    for res in (line.get("resolutions") or {}).values():
        if isinstance(res, dict) and res.get("window") and res.get("deadline"):
            out.add(res["deadline"])
    return out


def trial_deadline(decision: dict) -> str | None:
    days = [d for ln in decision.get("lines") or [] if ln.get("class") == TRIAL for d in line_deadlines(ln)]
    return max(days) if days else None


def window_deadlines(decision: dict) -> set[str]:
    return {d for ln in decision.get("lines") or [] if ln.get("class") != TRIAL for d in line_deadlines(ln)}


def reminder_at(deadline: str, tz, days: int, now: datetime) -> datetime:
    """When a reminder `days` before `deadline` fires: that day's local midnight, or now if it is already here."""
    return max(local_midnight(date.fromisoformat(deadline) - timedelta(days=days), tz), now)


def _reminder(trigger: str, deadline: str, tz, days: int, now: datetime) -> Armed | None:
    if now.astimezone(tz).date() > date.fromisoformat(deadline):
        return None  # the window has closed: a reminder now would be noise
    return Armed(trigger, deadline, reminder_at(deadline, tz, days, now))


def plan(decision: dict, tz, reminder_days: int, now: datetime) -> list[Armed]:
    armed = [_reminder(WINDOW_CLOSING, d, tz, reminder_days, now) for d in sorted(window_deadlines(decision))]
    trial = trial_deadline(decision)
    if trial:
        armed.append(_reminder(TRIAL_ENDING, trial, tz, reminder_days, now))
        armed.append(Armed(TRIAL_ENDED, trial, local_midnight(date.fromisoformat(trial) + timedelta(days=1), tz)))
    return [a for a in armed if a is not None]
