"""The payloads Fineprint's Flow triggers carry, built from a fresh decision (pure).

Keys are the `key`s of the fields in `extensions/flow-*/shopify.extension.toml`: Flow trigger field keys may
hold only letters and spaces (the Shopify CLI rejects others), and an `order_reference` field travels as
`order_id` (the order's numeric id) — shopify.dev/docs/apps/build/flow/triggers/reference. A `schema.*` field
carries an object of the type declared in the extension's `schema.graphql`. tests/unit/test_flow_extensions.py
checks every payload against its extension's declared fields.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from backend.services.flow.plan import TRIAL

MAX_LINES = 50  # Flow refuses trigger payloads over 50 KB; an order of more lines is summarised by counts


def order_number(order_gid: str) -> int:
    return int(str(order_gid).rsplit("/", 1)[-1])


def open_resolutions(line: dict, deadline: str | None = None) -> list[str]:
    """Resolutions still allowed today for a line (optionally only those ending on `deadline`)."""
    out = []
    for name, res in (line.get("resolutions") or {}).items():
        if isinstance(res, dict) and res.get("allowed") and (deadline is None or res.get("deadline") == deadline):
            out.append(name)
    return sorted(out)


def policy_sentence(line: dict) -> str:
    """The written-policy sentence behind the line's windows: the most specific (last) rule that shaped it."""
    reasons = [r for r in line.get("reasons") or [] if r.get("text")]
    return reasons[-1]["text"] if reasons else ""


def _titles(facts: dict) -> dict[str, str]:
    return {str(li.get("id")): li.get("title") or "" for li in facts.get("line_items") or []}


def _days_left(deadline: str, today: date) -> int:
    return (date.fromisoformat(deadline) - today).days


def reminder_payload(decision: dict, facts: dict, deadline: str, today: date, trial: bool) -> dict | None:
    """"Return window closing" / "Trial period ending": the lines still returnable until `deadline`."""
    titles = _titles(facts)
    lines = []
    for line in decision.get("lines") or []:
        if (line.get("class") == TRIAL) != trial:
            continue
        still = open_resolutions(line, deadline)
        if still:
            lines.append({"lineItemId": str(line["line_item_id"]), "title": titles.get(str(line["line_item_id"]), ""),
                          "lineClass": line.get("class") or "", "openResolutions": still,
                          "policySentence": policy_sentence(line)})
    if not lines:
        return None
    resolutions = sorted({r for ln in lines for r in ln["openResolutions"]})
    window = {"deadline": deadline, "daysLeft": _days_left(deadline, today), "lineCount": len(lines),
              "lines": lines[:MAX_LINES]}
    return {"order_id": order_number(decision["order_id"]), "Deadline": deadline,
            "Days left": window["daysLeft"], "Open resolutions": ", ".join(resolutions),
            "Policy sentence": lines[0]["policySentence"], "Return window": window}


def trial_outcome(decision: dict, facts: dict, current: dict[str, int]) -> tuple[list, list]:
    """(kept, returned) trial lines; `current` is each line's quantity still on the order (Shopify's
    `LineItem.currentQuantity`: bought minus removed, so a returned and refunded pair is gone)."""
    titles = _titles(facts)
    bought = {str(li.get("id")): int(li.get("quantity") or 0) for li in facts.get("line_items") or []}
    kept, returned = [], []
    for line in decision.get("lines") or []:
        if line.get("class") != TRIAL:
            continue
        ident = str(line["line_item_id"])
        now_qty = max(0, min(current.get(ident, bought.get(ident, 0)), bought.get(ident, 0)))
        gone = bought.get(ident, 0) - now_qty
        if now_qty:
            kept.append({"lineItemId": ident, "title": titles.get(ident, ""), "quantity": now_qty})
        if gone:
            returned.append({"lineItemId": ident, "title": titles.get(ident, ""), "quantity": gone})
    return kept, returned


def trial_ended_payload(decision: dict, deadline: str, kept: list, returned: list, sentence: str) -> dict:
    result = {"deadline": deadline, "kept": kept[:MAX_LINES], "returned": returned[:MAX_LINES]}
    return {"order_id": order_number(decision["order_id"]), "Deadline": deadline,
            "Kept count": sum(k["quantity"] for k in kept), "Returned count": sum(r["quantity"] for r in returned),
            "Kept items": ", ".join(k["title"] for k in kept), "Policy sentence": sentence,
            "Trial result": result}


def kept_metafield(deadline: str, kept: list, returned: list, decided_at: datetime) -> dict:
    """What `$app:returns.trial_kept` holds: the pairs the shopper keeps, due for charging."""
    return {"deadline": deadline, "decided_at": decided_at.isoformat(), "kept": kept, "returned": returned}


def return_decided_payload(decision: dict) -> dict:
    """"Return request decided": the verdict, the money and the reasons of a decided return request."""
    outcome = decision.get("return") or {}
    reasons = [r.get("text") or "" for ln in outcome.get("lines") or [] for r in ln.get("reasons") or []]
    sentences = [policy_sentence(ln) for ln in decision.get("lines") or [] if policy_sentence(ln)]
    refund = Decimal(str(outcome.get("refund_total") or "0"))
    return {"order_id": order_number(decision["order_id"]), "Deadline": decision.get("return_deadline") or "",
            "Verdict": "allowed" if outcome.get("allowed") else "refused",
            "Resolution": outcome.get("resolution") or "", "Refund total": float(refund),
            "Open resolutions": ", ".join(sorted({r for ln in decision.get("lines") or [] for r in open_resolutions(ln)})),
            "Reasons": "; ".join(dict.fromkeys(r for r in reasons if r)),
            "Policy sentence": sentences[0] if sentences else "",
            "Return decision": {"allowed": bool(outcome.get("allowed")), "resolution": outcome.get("resolution") or "",
                                "refundTotal": f"{refund:.2f}",
                                "fees": [{"kind": f["kind"], "amount": f["amount"]} for f in outcome.get("fees") or []],
                                "lines": [{"lineItemId": str(ln["line_item_id"]), "quantity": int(ln.get("quantity") or 0),
                                           "allowed": bool(ln.get("allowed")), "amount": ln.get("amount") or "0.00"}
                                          for ln in outcome.get("lines") or []][:MAX_LINES]}}
