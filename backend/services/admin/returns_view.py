"""The admin page's Returns section: incoming Shopify returns with Fineprint's verdict, reasons and money,
filtered by Shopify's status and by verdict; the shop's returns mode; the audit log of decisions, writes
and overrides (also shown in the Activity section)."""
from __future__ import annotations

from backend.services.returns import mode as returns_mode
from backend.store import returns as repo

STATUSES = ("requested", "open", "declined", "canceled", "closed")
VERDICTS = ("approve", "partial", "decline")


def _db(app):
    return app.extensions["fineprint.db"]


def context(app, shop: str, args=None) -> dict:
    args = args or {}
    status = args.get("status") if args.get("status") in STATUSES else None
    verdict = args.get("verdict") if args.get("verdict") in VERDICTS else None
    with _db(app).session() as s:
        rows = repo.listing(s, shop, status=status, verdict=verdict)
        counts = repo.count_by_verdict(s, shop)
    return {"returns": [row_json(r) for r in rows], "returns_filter": {"status": status, "verdict": verdict},
            "returns_statuses": STATUSES, "returns_verdicts": VERDICTS, "returns_counts": counts,
            "returns_mode": returns_mode.get(_db(app), shop), "returns_modes": returns_mode.MODES,
            "return_activity": activity(app, shop, limit=20)}


def row_json(row) -> dict:
    d = row.decision or {}
    return {"return_id": row.return_id, "name": d.get("name") or f"Return {row.return_id}",
            "order_id": row.order_id, "status": row.status, "verdict": row.verdict, "action": row.action,
            "action_error": row.action_error, "policy": row.policy_name, "policy_version": row.policy_version,
            "decided_at": row.decided_at, "lines": d.get("lines") or [], "fees": d.get("fees") or [],
            "refund_total": d.get("refund_total"), "credit_total": d.get("credit_total"),
            "bonus_credit": d.get("bonus_credit"), "decline_reason": d.get("decline_reason"),
            "decline_note": d.get("decline_note"), "unknown_reasons": d.get("unknown_reasons") or [],
            "drift": d.get("drift") or [], "currency": d.get("currency"), "exchange": d.get("exchange")}


def activity(app, shop: str, limit: int = 50) -> list[dict]:
    with _db(app).session() as s:
        return [{"at": e.created_at, "return_id": e.return_id, "order_id": e.order_id, "actor": e.actor,
                 "action": e.action, "verdict": e.verdict, "note": e.note}
                for e in repo.audit_log(s, shop, limit=limit)]
