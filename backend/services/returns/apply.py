"""Decide a Shopify return request and act on it as the shop's returns mode says (one job per return).

    apply_return(app, shop, return_id, trigger, admin=None, now=None) -> outcome

Outcomes: "approved", "declined", "partial" (refused lines removed, the rest approved) in enforce mode;
"recommended" (a verdict tag and a line in the order's note) in recommend mode; "off"; "left_alone" (the
return is no longer a request: cancelled, or approved or declined by someone else, before we decided);
"unchanged" (already acted on: a duplicate or late webhook); "missing" (Shopify has no such return);
"no_policy". Errors propagate: the job retries (throttling is retried inside the Admin client first) and is
parked with its last error after its attempts, visible in `jobs list` and the admin page.

Idempotent: the row's `action` says what was done, and Shopify itself refuses to approve or decline a
return twice (`INVALID_STATE`), which is read back as done when the return is in the state we wanted.
The Flow trigger "Return request decided" fires once, when a request is first acted on.
"""
from __future__ import annotations

import logging
from datetime import datetime, timezone

from backend.policy import earlier_returns
from backend.services.decisions.context import NoActivePolicy, shop_policy
from backend.services.orders import state as orders
from backend.services.returns import decide as deciding
from backend.shopify import returns as wire
from backend.store import returns as repo

log = logging.getLogger(__name__)

ACTOR = "fineprint"
VERDICT_TAGS = {deciding.APPROVE: "return-approve", deciding.PARTIAL: "return-partial",
                deciding.DECLINE: "return-decline"}
NOTE_MARK = "Fineprint"
DONE = ("approved", "declined", "partial", "recommended", "overridden_approve", "overridden_decline", "processed")


class OrderNotRecorded(Exception):
    """The return's order has not reached us yet (its orders/create is on its way): retried."""


class ReturnRejected(Exception):
    """Shopify refused a write for a reason that a retry will not change."""

    def __init__(self, errors: list[dict]):
        super().__init__("; ".join(f"{e.get('code') or ''} {e.get('message')}".strip() for e in errors))
        self.errors = errors


def _db(app):
    return app.extensions["fineprint.db"]


def _admin(app, shop: str):
    from backend.services.orders.apply_decision import admin_for
    return admin_for(app, shop)


def read_return(admin, return_gid: str) -> dict | None:
    return wire.return_from_graphql(admin.graphql(wire.RETURN_QUERY, {"id": return_gid}))


def decide_stored(app, shop: str, row, ret: dict, now: datetime, session=None) -> dict:
    """The decision for a return read from Shopify, with the shop's active policy and the order's stored
    facts; kept on the row with the policy version and logged."""
    db = _db(app)
    with db.session() as s:
        state = orders.load(s, shop, ret["order_id"] or row.order_id)
        if state is None or orders.decision_request(state) is None:
            raise OrderNotRecorded(f"order {ret['order_id']} of return {row.return_id} is not recorded yet")
        policy, _ = shop_policy(s, shop)
        exchanges = repo.exchanges_before(s, shop, state.order_id, row.return_id)
        earlier = earlier_returns(repo.earlier_decisions(s, shop, state.order_id, row.return_id))
        decision = deciding.decide(s, shop, state, ret, now, policy, exchanges_before=exchanges, earlier=earlier)
        repo.record_decision(s, row.id, verdict=decision["verdict"], decision=decision,
                             policy_name=decision["policy"], policy_version=decision["policy_version"],
                             decided_at=now)
        repo.audit(s, shop, row.return_id, state.order_id, ACTOR, "decided", decision["verdict"],
                   _summary(decision))
    return decision


def apply_return(app, shop: str, return_id: str, trigger: str = "", admin=None, now: datetime | None = None) -> str:
    now = now or datetime.now(timezone.utc)
    db = _db(app)
    with db.session() as s:
        row = repo.get(s, shop, return_id)
        if row is None:
            return "missing"
        mode = repo.settings(s, shop).mode
        acted = row.action in DONE
        status = row.status
        s.expunge(row)
    if status != "requested" and not acted and row.verdict is None:
        return _left_alone(db, row, f"the return was {status} before Fineprint decided it")
    if mode == "off":
        with db.session() as s:
            repo.record_action(s, row.id, "off")
        return "off"
    admin = admin or _admin(app, shop)
    ret = read_return(admin, f"gid://shopify/Return/{return_id}")
    if ret is None:
        return "missing"
    if ret["status"] != "REQUESTED" and not acted:
        return _left_alone(db, row, f"Shopify has the return {ret['status'].lower()}, no longer a request")
    try:
        decision = decide_stored(app, shop, row, ret, now)
    except NoActivePolicy:
        with db.session() as s:
            repo.record_action(s, row.id, "no_policy")
        return "no_policy"
    if acted:
        return "unchanged"  # decided again for the record (an update); what was done stays done
    outcome = _enforce(admin, row, ret, decision) if mode == "enforce" else _recommend(admin, row, ret, decision)
    with db.session() as s:
        repo.record_action(s, row.id, outcome, status=_status_after(outcome))
        repo.audit(s, shop, row.return_id, row.order_id, ACTOR, outcome, decision["verdict"],
                   decision.get("decline_note") if outcome == "declined" else _summary(decision))
    _fire_flow(app, shop, decision)
    return outcome


def _status_after(outcome: str) -> str | None:
    return {"approved": "open", "partial": "open", "declined": "declined"}.get(outcome)


def _left_alone(db, row, why: str) -> str:
    with db.session() as s:
        repo.record_action(s, row.id, "left_alone", error=None)
        repo.audit(s, row.shop_domain, row.return_id, row.order_id, ACTOR, "left_alone", None, why)
    return "left_alone"


def _summary(decision: dict) -> str:
    money = f"refund {decision['refund_total']}, store credit {decision['credit_total']}"
    fees = ", ".join(f"{f['kind']} {f['amount']}" for f in decision["fees"]) or "no fees"
    return f"{decision['verdict']}: {money}; {fees}"


# ------------------------------------------------------------------ enforce

def _enforce(admin, row, ret: dict, decision: dict) -> str:
    verdict = decision["verdict"]
    if verdict == deciding.DECLINE:
        query, variables = wire.decline_request(ret["gid"], decision["decline_reason"], decision["decline_note"])
        _write(admin, ret["gid"], query, variables, wanted="DECLINED")
        return "declined"
    if verdict == deciding.PARTIAL:
        still_there = {ln["gid"] for ln in ret["lines"]}
        refused = [(ln["return_line_gid"], ln["quantity"]) for ln in decision["lines"]
                   if not ln["allowed"] and ln["return_line_gid"] in still_there]
        if refused:
            _write(admin, ret["gid"], *wire.remove_lines(ret["gid"], refused), wanted=None)
    _write(admin, ret["gid"], *wire.approve_request(ret["gid"]), wanted="OPEN")
    return "partial" if verdict == deciding.PARTIAL else "approved"


def _write(admin, return_gid: str, query: str, variables: dict, wanted: str | None) -> None:
    data = admin.graphql(query, variables)
    _, errors = wire.write_result(data)
    if not errors:
        return
    if wanted and any(e.get("code") == "INVALID_STATE" for e in errors):
        now = read_return(admin, return_gid)
        if now is not None and now["status"] == wanted:
            return  # done before (a duplicate delivery, a retry after an unanswered write): done once
    raise ReturnRejected(errors)


# ---------------------------------------------------------------- recommend

def _recommend(admin, row, ret: dict, decision: dict) -> str:
    order_gid = f"gid://shopify/Order/{ret['order_id']}"
    found = wire.order_note(admin.graphql(wire.ORDER_NOTE_QUERY, {"id": order_gid}))
    if found is None:
        raise ReturnRejected([{"message": f"order {ret['order_id']} not found"}])
    note, tags = found
    line = note_line(decision)
    tag = VERDICT_TAGS[decision["verdict"]]
    if line in note and tag in tags:
        return "recommended"
    new_note = line if not note.strip() else (note if line in note else f"{note.rstrip()}\n{line}")
    data = admin.graphql(*wire.recommend_request(order_gid, tag, new_note))
    errors = wire.recommend_errors(data)
    if errors:
        raise ReturnRejected(errors)
    return "recommended"


def note_line(decision: dict) -> str:
    """One line per return in the order's note, naming the return and quoting the policy."""
    name = decision.get("name") or f"return {decision['return_id']}"
    verdict = {"approve": "approve", "partial": "approve in part", "decline": "decline"}[decision["verdict"]]
    text = f"{NOTE_MARK}: {name}: {verdict} (refund {decision['refund_total']}, store credit " \
           f"{decision['credit_total']})"
    if decision.get("decline_note"):
        text += f" — {decision['decline_note']}"
    return text[:1000]


# --------------------------------------------------------------------- flow

def _fire_flow(app, shop: str, decision: dict) -> None:
    from backend.services.flow import triggers as flow_triggers

    try:
        flow_triggers.return_decided(app, shop, decision["engine"])
    except Exception:  # Flow must never undo a decision already written to Shopify
        log.exception("Flow trigger 'return request decided' for %s/%s failed", shop, decision["return_id"])


# ---------------------------------------------------------------- merchant

class OverrideRefused(Exception):
    pass


def override(app, shop: str, return_id: str, action: str, note: str, user: str | None, admin=None) -> dict:
    """The merchant approves or declines a request against (or without) Fineprint's verdict, from the admin
    page; the note is kept in the audit log with who did it. `action`: "approve" | "decline"."""
    from backend.errors import NotFound, ValidationError

    if action not in ("approve", "decline"):
        raise ValidationError("action is approve or decline", details=[{"field": "action",
                                                                        "message": "approve or decline"}])
    if not (note or "").strip():
        raise ValidationError("an override needs a note saying why", details=[{"field": "note",
                                                                               "message": "required"}])
    db = _db(app)
    with db.session() as s:
        row = repo.get(s, shop, return_id)
        if row is None:
            raise NotFound(f"no return {return_id}")
        s.expunge(row)
    admin = admin or _admin(app, shop)
    gid = f"gid://shopify/Return/{return_id}"
    if action == "approve":
        _write(admin, gid, *wire.approve_request(gid), wanted="OPEN")
    else:
        reason = (row.decision or {}).get("decline_reason") or "OTHER"
        _write(admin, gid, *wire.decline_request(gid, reason, note.strip()[:wire.DECLINE_NOTE_MAX]),
               wanted="DECLINED")
    outcome = f"overridden_{action}"
    with db.session() as s:
        repo.record_action(s, row.id, outcome, status="open" if action == "approve" else "declined")
        repo.audit(s, shop, return_id, row.order_id, user or "merchant", outcome, row.verdict, note.strip())
    return {"return_id": str(return_id), "action": outcome, "verdict": row.verdict}


def process(app, shop: str, return_id: str, user: str | None = None, admin=None) -> dict:
    """Process an approved return as its decision says: the allowed lines, `refund_total` back to the original
    payment and `credit_total` as store credit (`returnProcess`). Once: a return processed before (by us, or
    every unit of it processed in Shopify) is answered with `"unchanged": true` and nothing is refunded again."""
    from backend.errors import Conflict, NotFound
    from backend.services.returns.money import refund_split

    db = _db(app)
    with db.session() as s:
        row = repo.get(s, shop, return_id)
        if row is None:
            raise NotFound(f"no return {return_id}")
        s.expunge(row)
    if not row.decision:
        raise Conflict("this return has not been decided yet", code="return_not_decided")
    split = refund_split(row.decision)
    done = {"return_id": str(return_id), "to_payment": split["to_payment"],
            "to_store_credit": split["to_store_credit"], "unchanged": True}
    if row.action == "processed":
        return done  # processed before (a second click, a duplicate receipt): refunded once
    admin = admin or _admin(app, shop)
    ret = read_return(admin, f"gid://shopify/Return/{return_id}")
    if ret is None:
        raise NotFound(f"Shopify has no return {return_id}")
    present = {ln["gid"]: ln["quantity"] - ln["processed_quantity"] for ln in ret["lines"]}
    lines = [(gid, min(qty, present[gid])) for gid, qty in split["lines"] if present.get(gid)]
    if split["lines"] and not lines:  # Shopify has every unit processed: our write landed, its answer was lost
        with db.session() as s:
            repo.record_action(s, row.id, "processed")
        return done
    payment = ret["payments"][0]["gid"] if ret["payments"] else None
    query, variables = wire.process_request(ret["gid"], lines, ret["currency"], to_payment=split["to_payment"],
                                            payment_gid=payment, to_store_credit=split["to_store_credit"],
                                            allow_over_refunding=split["over_refund"])
    _write(admin, ret["gid"], query, variables, wanted=None)
    with db.session() as s:
        repo.record_action(s, row.id, "processed")
        repo.audit(s, shop, return_id, row.order_id, user or ACTOR, "processed", row.verdict,
                   f"refund {split['to_payment']} to the original payment, store credit {split['to_store_credit']}")
    return {"return_id": str(return_id), "to_payment": split["to_payment"],
            "to_store_credit": split["to_store_credit"]}


def process_on_receipt(app, shop: str, return_id: str, admin=None) -> str:
    """When the merchant asked for it (the returns setting `process_on_receipt`), process a decided, approved
    return once Shopify has all its items back (every unit of its reverse fulfillment orders disposed, none
    MISSING): the refund split exactly as the decision says (`process`). Outcomes: "not_asked", "missing",
    "not_decided", "not_approved", "not_received", "processed", "unchanged" (processed before: once under
    duplicate receipts). Errors propagate (the job retries, then parks them visibly on the return's row)."""
    db = _db(app)
    with db.session() as s:
        row = repo.get(s, shop, return_id)
        asked = repo.settings(s, shop).process_on_receipt
        if row is not None:
            s.expunge(row)
    if not asked:
        return "not_asked"
    if row is None:
        return "missing"
    if row.action == "processed":
        return "unchanged"
    if not row.decision or row.verdict == deciding.DECLINE:
        return "not_decided" if not row.decision else "not_approved"
    admin = admin or _admin(app, shop)
    receipt = wire.receipt_from(admin.graphql(wire.RECEIPT_QUERY, {"id": f"gid://shopify/Return/{return_id}"}))
    if receipt is None:
        return "missing"
    if receipt["status"] != "OPEN":
        return "not_approved" if receipt["status"] in ("REQUESTED", "DECLINED") else "unchanged"
    if receipt["missing"] or not receipt["units"] or receipt["received"] < receipt["units"]:
        return "not_received"
    done = process(app, shop, return_id, user=ACTOR, admin=admin)
    return "unchanged" if done.get("unchanged") else "processed"
