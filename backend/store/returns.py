"""SQL of the returns feature (issue 15): the returns mode, decisions kept on `returns` rows, the audit log.

Everything here takes a Session (callers own the transaction); no Shopify, no policy.
"""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, update
from sqlmodel import Session, select

from backend.store.models import ReturnAuditEntry, ReturnRecord, ReturnsSettings, Shop, utcnow

MODES = ("enforce", "recommend", "off")
DEFAULT_MODE = "recommend"  # a new shop: Fineprint says what it would do and touches no return


def shop_known(s: Session, shop: str) -> bool:
    return s.exec(select(Shop.id).where(Shop.domain == shop)).first() is not None


def settings(s: Session, shop: str) -> ReturnsSettings:
    """The shop's returns settings (an unsaved default row when the merchant never set them)."""
    return s.get(ReturnsSettings, shop) or ReturnsSettings(shop_domain=shop, mode=DEFAULT_MODE)


def save_settings(s: Session, shop: str, *, mode: str | None = None, process_on_receipt: bool | None = None,
                  user: str | None = None) -> ReturnsSettings:
    row = s.get(ReturnsSettings, shop) or ReturnsSettings(shop_domain=shop, mode=DEFAULT_MODE)
    if mode is not None:
        row.mode = mode
    if process_on_receipt is not None:
        row.process_on_receipt = process_on_receipt
    row.updated_by, row.updated_at = user, utcnow()
    s.add(row)
    s.flush()
    return row


def get(s: Session, shop: str, return_id: str) -> ReturnRecord | None:
    return s.exec(select(ReturnRecord).where(ReturnRecord.shop_domain == shop,
                                             ReturnRecord.return_id == str(return_id))).first()


def record_decision(s: Session, row_id: int, *, verdict: str, decision: dict, policy_name: str | None,
                    policy_version: str | None, decided_at: datetime) -> None:
    s.execute(update(ReturnRecord).where(ReturnRecord.id == row_id).values(
        verdict=verdict, decision=decision, policy_name=policy_name, policy_version=policy_version,
        decided_at=decided_at, updated_at=utcnow()))


def record_action(s: Session, row_id: int, action: str, error: str | None = None, status: str | None = None) -> None:
    values = {"action": action, "action_at": utcnow(), "action_error": error, "updated_at": utcnow()}
    if status is not None:
        values["status"] = status
    s.execute(update(ReturnRecord).where(ReturnRecord.id == row_id).values(**values))


def audit(s: Session, shop: str, return_id: str, order_id: str | None, actor: str, action: str,
          verdict: str | None = None, note: str | None = None) -> ReturnAuditEntry:
    entry = ReturnAuditEntry(shop_domain=shop, return_id=str(return_id), order_id=order_id, actor=actor,
                             action=action, verdict=verdict, note=note)
    s.add(entry)
    return entry


def audit_log(s: Session, shop: str, return_id: str | None = None, limit: int = 200) -> list[ReturnAuditEntry]:
    q = select(ReturnAuditEntry).where(ReturnAuditEntry.shop_domain == shop)
    if return_id is not None:
        q = q.where(ReturnAuditEntry.return_id == str(return_id))
    return list(s.exec(q.order_by(ReturnAuditEntry.id.desc()).limit(limit)))


def listing(s: Session, shop: str, *, status: str | None = None, verdict: str | None = None,
            limit: int = 100) -> list[ReturnRecord]:
    """Newest first; filtered by Shopify's status and by Fineprint's verdict."""
    q = select(ReturnRecord).where(ReturnRecord.shop_domain == shop)
    if status:
        q = q.where(ReturnRecord.status == status)
    if verdict:
        q = q.where(ReturnRecord.verdict == verdict)
    return list(s.exec(q.order_by(ReturnRecord.id.desc()).limit(limit)))


def exchanges_before(s: Session, shop: str, order_id: str, return_id: str) -> int:
    """Earlier returns of the order that were exchanges and were not declined or cancelled (the request fact
    `exchanges_before`): a stored return counts when its returns/request carried exchange lines."""
    return s.exec(select(func.count()).select_from(ReturnRecord).where(
        ReturnRecord.shop_domain == shop, ReturnRecord.order_id == str(order_id),
        ReturnRecord.return_id != str(return_id), ReturnRecord.status.not_in(("declined", "canceled")),
        ReturnRecord.exchange_line_count > 0)).one()


def set_exchange_lines(s: Session, shop: str, return_id: str, count: int | None) -> None:
    if count is not None:
        s.execute(update(ReturnRecord).where(ReturnRecord.shop_domain == shop,
                                             ReturnRecord.return_id == str(return_id))
                  .values(exchange_line_count=count))


def count_by_verdict(s: Session, shop: str) -> dict:
    rows = s.exec(select(ReturnRecord.verdict, func.count()).where(ReturnRecord.shop_domain == shop)
                  .group_by(ReturnRecord.verdict)).all()
    return {verdict or "undecided": n for verdict, n in rows}


def in_id_order(s: Session, shop: str, status: str | None = None) -> list[ReturnRecord]:
    """The shop's returns as recorded (oldest first), optionally of one Shopify status."""
    q = select(ReturnRecord).where(ReturnRecord.shop_domain == shop)
    if status:
        q = q.where(ReturnRecord.status == status)
    return list(s.exec(q.order_by(ReturnRecord.id)))


def earlier_decisions(s: Session, shop: str, order_id: str, return_id: str) -> list[dict]:
    """The kept decisions of the order's other returns that still stand (not declined or cancelled), oldest
    first: what `backend.policy.earlier_returns` reads into the request's `earlier_returns` (issue 14)."""
    rows = s.exec(select(ReturnRecord.decision).where(
        ReturnRecord.shop_domain == shop, ReturnRecord.order_id == str(order_id),
        ReturnRecord.return_id != str(return_id), ReturnRecord.status.not_in(("declined", "canceled")))
        .order_by(ReturnRecord.id)).all()
    return [d for d in rows if d]


APPROVED_ACTIONS = ("approved", "partial", "overridden_approve")


def awaiting_receipt(s: Session, shop: str, limit: int = 100) -> list[str]:
    """The shop's open returns that Fineprint or the merchant approved and nobody processed yet, oldest first:
    the ones a receipt of items may be about."""
    return list(s.exec(select(ReturnRecord.return_id).where(
        ReturnRecord.shop_domain == shop, ReturnRecord.status == "open",
        ReturnRecord.action.in_(APPROVED_ACTIONS)).order_by(ReturnRecord.id).limit(limit)))
