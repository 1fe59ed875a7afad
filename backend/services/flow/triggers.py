"""Fineprint's Shopify Flow triggers: armed after each applied decision, fired by the periodic sweep.

    after_apply(app, shop, order_id, policy, decision, now)   # called by services.orders.apply_decision
    sweep(app, now) -> {"sent", "cancelled", "retrying", "failed", "skipped"}
    return_decided(app, shop, decision)                        # hook for the native-returns feature

Each trigger is decided again when it fires (`decisions.decide_for_order`), so the payload tells what is
still open at that moment, not what was open when it was armed.

At most once per (order, trigger, deadline), without losing one: the send is one Admin request that runs
`flowTriggerReceive` and then writes the trigger's receipt on the order (backend/shopify/flow.py); it is
never resent blindly (`resend=False`: a timeout or 5xx raises WriteOutcomeUnknown). Any later attempt of
the same row — after such an unknown outcome, or after a worker died mid-send and its lease ran out — reads
the receipt first: found, the row is recorded `sent` without a second send; absent, the trigger never ran,
so it is sent. The README ("How a trigger fires exactly once") states the assumptions this rests on.
"""
from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

from backend.services.flow import payloads as flow_payloads
from backend.services.flow import plan as flow_plan
from backend.services.flow import schedule as flow_schedule
from backend.shopify import flow as wire

log = logging.getLogger(__name__)

RETRY_BASE = timedelta(minutes=1)


def after_apply(app, shop: str, order_id: str, policy, decision: dict | None, now: datetime,
                session=None) -> None:
    """Arm (or re-arm) the order's triggers from the decision just applied. Never breaks the pipeline. With
    `session` (the pipeline's, recording the decision): armed in that transaction, inside a savepoint, so a
    failure here rolls back only the arming."""
    db = app.extensions["fineprint.db"]
    try:
        if session is None:
            days = flow_schedule.reminder_days(db, shop)
            armed = flow_plan.plan(decision or {}, policy.tz, days, now) if decision else []
            flow_schedule.arm(db, shop, str(order_id), armed, now)
            return
        with session.begin_nested():
            days = flow_schedule.reminder_days_in(session, shop)
            armed = flow_plan.plan(decision or {}, policy.tz, days, now) if decision else []
            flow_schedule.arm_in(session, shop, str(order_id), armed, now)
    except Exception:  # a Flow problem must never stop tags and deadlines from being written
        log.exception("arming Flow triggers for %s/%s failed", shop, order_id)


def sweep(app, now: datetime | None = None) -> dict:
    now = now or datetime.now(timezone.utc)
    db = app.extensions["fineprint.db"]
    counts = {"sent": 0, "cancelled": 0, "retrying": 0, "failed": 0, "skipped": 0}
    for row in flow_schedule.claim_due(db, now):
        try:
            outcome = fire(app, row, now)
        except LeaseLost:
            outcome = "skipped"  # another worker holds the row now: it sends or records, not us
        except Exception as exc:
            outcome = _failed(db, row, exc, now)
        else:
            flow_schedule.finish(db, row, outcome)
        counts[outcome] += 1
    return counts


class LeaseLost(Exception):
    """The claim ran out and the row was claimed again before this worker sent it."""


def _failed(db, row, exc: Exception, now: datetime) -> str:
    from backend.services.install.tokens import ReauthorizationRequired
    from backend.shopify.errors import TokenRevoked

    error = f"{type(exc).__name__}: {exc}"
    permanent = isinstance(exc, (wire.FlowRejected, TokenRevoked, ReauthorizationRequired))
    if permanent or row.attempts >= flow_schedule.MAX_ATTEMPTS:
        log.error("Flow trigger %s for %s/%s failed: %s", row.trigger, row.shop_domain, row.order_id, error)
        flow_schedule.finish(db, row, "failed", error=error)
        return "failed"
    flow_schedule.finish(db, row, "armed", error=error, retry_at=now + RETRY_BASE * 2 ** (row.attempts - 1))
    return "retrying"


def fire(app, row, now: datetime) -> str:
    """Send one claimed trigger. "sent", or "cancelled" when nothing is left to say."""
    from backend.errors import NotFound
    from backend.services.decisions import context as decision_context
    from backend.services.decisions import shopper as decisions
    from backend.services.orders import state as orders

    db = app.extensions["fineprint.db"]
    with db.session() as s:
        state = orders.load(s, row.shop_domain, row.order_id)
        facts = dict(state.facts or {}) if state is not None else {}
        cancelled = state is None or state.cancelled_at is not None
        policy = None if cancelled else decision_context.shop_policy(s, row.shop_domain)[0]
    if cancelled:
        return "cancelled"
    if row.attempts > 1 and _receipt_found(app, row):
        return "sent"  # an earlier attempt's request ran on Shopify; its answer never reached us
    try:
        decision = decisions.decide_for_order(row.shop_domain, row.order_id, now)
    except NotFound:
        return "cancelled"
    today = now.astimezone(policy.tz).date()
    if row.trigger == flow_plan.TRIAL_ENDED:
        return _fire_trial_ended(app, row, decision, facts, now)
    payload = flow_payloads.reminder_payload(decision, facts, row.deadline, today,
                                             trial=row.trigger == flow_plan.TRIAL_ENDING)
    if payload is None:
        return "cancelled"  # every line was returned, or the policy no longer allows it
    receipt = _receipt(app, row, decision, now)
    _send(app, row.shop_domain, *wire.scheduled_request(row.trigger, payload, receipt))
    return "sent"


def _order_gid(row) -> str:
    return f"gid://shopify/Order/{row.order_id}"


def _receipt_found(app, row) -> bool:
    from backend.services.orders.apply_decision import admin_for

    data = admin_for(app, row.shop_domain).graphql(wire.RECEIPT_QUERY, {
        "id": _order_gid(row), "namespace": wire.RECEIPT_NAMESPACE, "key": wire.receipt_key(row.trigger, row.deadline)})
    return wire.receipt_found(data)


def _receipt(app, row, decision: dict, now: datetime) -> dict:
    """The receipt to write after the trigger; first makes sure this claim is still ours (else LeaseLost)."""
    if not flow_schedule.renew(app.extensions["fineprint.db"], row, now):
        raise LeaseLost(row.id)
    return wire.sent_marker(decision["order_id"], row.trigger, row.deadline, now.isoformat())


def _fire_trial_ended(app, row, decision: dict, facts: dict, now: datetime) -> str:
    from backend.services.orders.apply_decision import admin_for

    admin = admin_for(app, row.shop_domain)
    current = wire.current_quantities(admin.graphql(wire.ORDER_LINES_QUERY, {"id": decision["order_id"]}))
    kept, returned = flow_payloads.trial_outcome(decision, facts, current)
    if not kept and not returned:
        return "cancelled"
    sentence = next((flow_payloads.policy_sentence(ln) for ln in decision.get("lines") or []
                     if ln.get("class") == flow_plan.TRIAL), "")
    payload = flow_payloads.trial_ended_payload(decision, row.deadline, kept, returned, sentence)
    metafield = flow_payloads.kept_metafield(row.deadline, kept, returned, now)
    receipt = _receipt(app, row, decision, now)
    _send(app, row.shop_domain, *wire.trial_ended_request(decision["order_id"], bool(kept), metafield,
                                                          row.trigger, payload, receipt), admin=admin)
    return "sent"


def _send(app, shop: str, query: str, variables: dict, admin=None) -> None:
    """One request, never resent blindly: a timeout or 5xx raises WriteOutcomeUnknown (the row is retried,
    and the retry reads the receipt first)."""
    from backend.services.orders.apply_decision import admin_for

    data = (admin or admin_for(app, shop)).graphql(query, variables, resend=False)
    errors = wire.user_errors(data)
    if errors:
        raise wire.FlowRejected(errors)


def return_decided(app, shop: str, decision: dict) -> None:
    """Fire "Return request decided" for a decided return request (a decision carrying `return`).

    Not called by anything yet: the native-returns feature (returns/request → services.returns) calls it once
    it has decided a request. Fired at once rather than armed: the decision is the event."""
    if not decision.get("return"):
        raise ValueError("a return request decision carries `return`")
    _send(app, shop, *wire.trigger_request(flow_plan.RETURN_DECIDED, flow_payloads.return_decided_payload(decision)))
