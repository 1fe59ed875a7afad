"""Decide one Shopify return by the shop's written policy, through the one decision recipe.

    decide(conn, shop, state, ret, now, policy=None, exchanges_before=0, earlier=None) -> return decision (a plain dict)

`earlier`: the request's `earlier_returns` (backend.policy.earlier_returns over the order's other kept
return decisions): units already taken back, fee kinds already charged.

`ret` is the return as `shopify.returns.return_from_graphql` reads it. A Shopify return request names lines
and reasons but no resolution: the shopper asks for their money back — unless the return carries exchange
lines (`exchangeLineItems`): then it is decided as an exchange, with the policy's exchange scope (`same_style`
when each new item is another variant of a returned product, else `other_item`), and nothing falls back to
store credit. Each line is decided as a refund
first; a line the policy refuses as a refund but allows as store credit (a credit-only sale item, a holiday
return past the refund window) is decided again as store credit, in a second request through the same
recipe. The two parts are one return: a flat per-request fee (e.g. "$15 restocking fee withheld for all
returns") is charged once, on the refund part when there is one.

The verdict: `approve` (every line allowed), `decline` (none), `partial` (some). A decline carries
Shopify's `ReturnDeclineReason` (FINAL_SALE when a line is final sale, RETURN_PERIOD_ENDED when a window
has ended, else OTHER) and a note quoting the policy's sentences (at most 500 characters, Shopify's limit).
Money: `refund_total` goes back to the original payment, `credit_total` (credit lines less their fees and
deductions, plus bonus credit, plus refund lines the policy pays as store credit) is issued as store credit;
each fee and deduction (a kept gift's value, the policy's [[bundles]]) says which part it was charged on.

The line's condition is not known when a request arrives (nobody has seen the item yet): it is decided as
`new`, and condition rules apply again when the merchant processes the return.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from backend.services.decisions.context import context_for_return
from backend.services.returns.reasons import policy_reason
from backend.shopify.returns import DECLINE_NOTE_MAX

APPROVE, PARTIAL, DECLINE = "approve", "partial", "decline"
FEE_KINDS_SHOPIFY_SHIPPING = ("return_shipping", "label")  # carried by Shopify as a return shipping fee


def decide(conn, shop: str, state, ret: dict, now: datetime, policy=None, exchanges_before: int = 0,
           earlier: dict | None = None) -> dict:
    mapped = [policy_reason(ln.get("reason")) for ln in ret["lines"]]
    asked = [{"line_item_id": str(ln["line_item_id"]), "quantity": int(ln["quantity"] or 0) or 1,
              "condition": "new", "reason": m["reason"]} for ln, m in zip(ret["lines"], mapped)]
    extra = {"exchanges_before": exchanges_before} if exchanges_before else {}
    if earlier:  # what the order's earlier returns took back and were charged (policy.earlier_returns)
        extra["earlier_returns"] = earlier
    exchange = exchange_of(ret)
    asked_for = "exchange" if exchange else "refund"
    if exchange:
        extra["exchange_for"] = exchange["scope"]
    first_ctx = context_for_return(conn, shop, state, {"resolution": asked_for, "lines": asked, **extra}, policy)
    first = first_ctx.decide(now)
    by_item = {ln["line_item_id"]: ln for ln in first["lines"]}
    outs = first["return"]["lines"]
    credit_idx = [] if exchange else [
        i for i, out in enumerate(outs) if not out["allowed"] and _allows(by_item.get(out["line_item_id"]),
                                                                          "store_credit")]
    second = None
    if credit_idx:
        second = first_ctx.with_return({"resolution": "store_credit", "lines": [asked[i] for i in credit_idx],
                                        **extra}).decide(now)
    second_out = dict(zip(credit_idx, second["return"]["lines"])) if second else {}

    unrelated = _not_about_returns(first_ctx.policy)
    lines = []
    for i, (ln, m) in enumerate(zip(ret["lines"], mapped)):
        out = second_out.get(i) if i in second_out and second_out[i]["allowed"] else outs[i]
        resolution = ("store_credit" if i in second_out and second_out[i]["allowed"] else asked_for) \
            if out["allowed"] else None
        item = by_item.get(str(ln["line_item_id"])) or {}
        lines.append({"return_line_id": ln["id"], "return_line_gid": ln["gid"],
                      "line_item_id": str(ln["line_item_id"]), "quantity": int(ln["quantity"] or 0),
                      "class": item.get("class"), "allowed": bool(out["allowed"]), "resolution": resolution,
                      "paid_as": out.get("paid_as"),
                      "amount": out["amount"], "reasons": _reasons(out, item, unrelated),
                      "shopper_reason": m, "customer_note": ln.get("customer_note"),
                      "shopify_restocking_fee": ln.get("restocking_fee")})
    refund_part = first["return"] if any(ln["resolution"] in ("refund", "exchange") for ln in lines) else None
    credit_part = second["return"] if second and any(ln["resolution"] == "store_credit" for ln in lines) else None
    fees, credit_fees = _fees(first_ctx.policy, refund_part, credit_part, asked_for)
    deductions = [{**d, "resolution": part} for part, found in ((asked_for, refund_part), ("store_credit", credit_part))
                  for d in (found or {}).get("deductions") or []]
    credit_value = sum((Decimal(ln["amount"]) for ln in lines if ln["resolution"] == "store_credit"), Decimal(0))
    credit_deducted = sum((Decimal(d["amount"]) for d in deductions if d["resolution"] == "store_credit"), Decimal(0))
    credit_total = Decimal(0)
    bonus = Decimal(0)
    if credit_part:
        bonus = Decimal(credit_part.get("bonus_credit") or "0")
        credit_total = max(Decimal(0), credit_value - credit_fees - credit_deducted) + bonus
    refund_total = Decimal(refund_part["refund_total"]) if refund_part else Decimal(0)
    if refund_part:  # lines of a refund the policy pays as store credit (e.g. a bundle's), after the charges
        credit_total += Decimal(refund_part.get("credit_total") or "0")
    allowed = [ln for ln in lines if ln["allowed"]]
    verdict = APPROVE if len(allowed) == len(lines) else DECLINE if not allowed else PARTIAL
    refused = [ln for ln in lines if not ln["allowed"]]
    decision = {
        "return_id": ret["id"], "return_gid": ret["gid"], "name": ret.get("name"), "order_id": ret["order_id"],
        "currency": ret.get("currency"), "policy": getattr(first_ctx.policy, "name", None),
        "policy_version": getattr(first_ctx.policy, "version", None), "as_of": now.isoformat(),
        "verdict": verdict, "lines": lines, "fees": fees, "deductions": deductions,
        "refund_total": f"{refund_total:.2f}", "bonus_credit": f"{bonus:.2f}", "credit_total": f"{credit_total:.2f}",
        "decline_reason": _decline_reason(refused, by_item) if refused else None,
        "decline_note": _note(refused) if refused else None,
        "unknown_reasons": sorted({m["handle"] for m in mapped if m["handle"] and not m["known"]}),
        "exchanges_before": exchanges_before, "exchange": exchange,
        "drift": drift(ret, lines, fees),
        "return_deadline": first.get("return_deadline"),
    }
    decision["engine"] = _for_flow(first, decision)
    return decision


def exchange_of(ret: dict) -> dict | None:
    """The return's exchange (its `exchangeLineItems`: the new items the shopper gets), or None for a refund.
    Its scope is the policy's `exchange_for`: `same_style` when every new item is another variant of a product
    being returned (another size), `other_item` when any is a different product."""
    news = ret.get("exchanges") or []
    if not news:
        return None
    returned = {ln.get("product_id") for ln in ret["lines"]} - {None}
    same = all(x.get("product_id") in returned for x in news)
    return {"scope": "same_style" if same else "other_item",
            "lines": [{k: x.get(k) for k in ("gid", "quantity", "title", "variant_title", "variant_id", "product_id")}
                      for x in news]}


def _allows(line: dict | None, resolution: str) -> bool:
    return bool(line and ((line.get("resolutions") or {}).get(resolution) or {}).get("allowed"))


def _reasons(out: dict, item: dict, unrelated: frozenset) -> list[dict]:
    """The return line's own reasons, else the line's (why it is final sale, which window applies) without
    the rules that say nothing about returning it (price adjustments, signature, shipping)."""
    found = list(out.get("reasons") or []) or list(item.get("reasons") or [])
    return [{"rule": r.get("rule"), "text": r.get("text")} for r in found if r.get("rule") not in unrelated]


def _not_about_returns(policy) -> frozenset:
    shipping = getattr(policy, "shipping", None)
    rules = [*getattr(policy, "price_adjustments", ()), *getattr(policy, "signature", ()),
             *getattr(policy, "blocks", ()), *(getattr(shipping, "rates", None) or ()),
             *[x for x in (shipping, getattr(policy, "sales_tax", None)) if x is not None]]
    return frozenset(getattr(getattr(r, "info", None), "id", None) for r in rules) - {None}


def _fees(policy, refund_part: dict | None, credit_part: dict | None,
          first: str = "refund") -> tuple[list[dict], Decimal]:
    """Both parts' fees, each tagged with its part; a flat per-request fee both parts charged counts once
    (on the refund part). Returns (fees, the credit part's fee total)."""
    flat = {f.info.title: f.amount for f in getattr(policy, "fees", ())
            if getattr(f, "amount", None) is not None and not getattr(f, "per_item", False)}
    fees = [{**f, "resolution": first} for f in (refund_part or {}).get("fees") or []]
    charged = {(f["kind"], name) for f in fees for name in (f.get("name") or "").split("; ")}
    credit_total = Decimal(0)
    for f in (credit_part or {}).get("fees") or []:
        amount = Decimal(f["amount"])
        names = (f.get("name") or "").split("; ")
        for name in names:
            if (f["kind"], name) in charged and name in flat:
                amount -= flat[name]
        if amount > 0:
            fees.append({**f, "amount": f"{amount:.2f}", "resolution": "store_credit"})
            credit_total += amount
    return fees, credit_total


def _decline_reason(refused: list[dict], by_item: dict) -> str:
    if any(ln["class"] == "final_sale" for ln in refused):
        return "FINAL_SALE"
    for ln in refused:
        resolutions = (by_item.get(ln["line_item_id"]) or {}).get("resolutions") or {}
        if any(r and r.get("deadline") and not r.get("allowed") for r in resolutions.values()):
            return "RETURN_PERIOD_ENDED"
    return "OTHER"


def _note(refused: list[dict]) -> str:
    """The policy's sentences behind the refusal, each once, within Shopify's 500 characters."""
    texts = list(dict.fromkeys(r["text"] for ln in refused for r in ln["reasons"] if r.get("text")))
    note = " ".join(texts) or "The return policy does not allow this return."
    return note if len(note) <= DECLINE_NOTE_MAX else note[:DECLINE_NOTE_MAX - 1].rstrip() + "…"


def drift(ret: dict, lines: list[dict], fees: list[dict]) -> list[dict]:
    """Where Shopify's own return rules told the shopper something the written policy does not say: the
    fees Shopify put on the request, and lines Shopify let the shopper ask for that the policy refuses."""
    found = []
    ours_restocking = sum((Decimal(f["amount"]) for f in fees if f["kind"] not in FEE_KINDS_SHOPIFY_SHIPPING),
                          Decimal(0))
    theirs_restocking = sum((Decimal(ln["shopify_restocking_fee"] or "0") for ln in lines), Decimal(0))
    if theirs_restocking != ours_restocking:
        found.append({"field": "restocking_fee", "shopify": f"{theirs_restocking:.2f}",
                      "policy": f"{ours_restocking:.2f}",
                      "text": f"Shopify's return rules charged a {theirs_restocking:.2f} restocking fee; the written "
                              f"policy charges {ours_restocking:.2f}."})
    ours_shipping = sum((Decimal(f["amount"]) for f in fees if f["kind"] in FEE_KINDS_SHOPIFY_SHIPPING), Decimal(0))
    theirs_shipping = Decimal(ret.get("shipping_fee") or "0")
    if theirs_shipping != ours_shipping:
        found.append({"field": "return_shipping_fee", "shopify": f"{theirs_shipping:.2f}",
                      "policy": f"{ours_shipping:.2f}",
                      "text": f"Shopify's return rules charged {theirs_shipping:.2f} for return shipping; the written "
                              f"policy charges {ours_shipping:.2f}."})
    for ln in lines:
        if not ln["allowed"]:
            why = ln["reasons"][0]["text"] if ln["reasons"] else ""
            what = "final sale" if ln["class"] == "final_sale" else "not returnable"
            found.append({"field": "returnable", "line_item_id": ln["line_item_id"], "shopify": "returnable",
                          "policy": what,
                          "text": f"Shopify let the shopper request line {ln['line_item_id']}; the written policy "
                                  f"says it is {what}: {why}".strip()})
    return found


def _for_flow(first: dict, decision: dict) -> dict:
    """The engine decision with this return as its `return` (what the Flow trigger "Return request decided"
    carries): the merged lines, fees and totals."""
    resolution = "exchange" if decision.get("exchange") else \
        "refund" if any(ln["resolution"] == "refund" for ln in decision["lines"]) else \
        "store_credit" if any(ln["resolution"] == "store_credit" for ln in decision["lines"]) else "refund"
    merged = {"resolution": resolution, "allowed": decision["verdict"] != DECLINE,
              "lines": [{"line_item_id": ln["line_item_id"], "quantity": ln["quantity"], "allowed": ln["allowed"],
                         "amount": ln["amount"], "reasons": ln["reasons"]} for ln in decision["lines"]],
              "fees": [{"kind": f["kind"], "amount": f["amount"]} for f in decision["fees"]],
              "refund_total": decision["refund_total"], "bonus_credit": decision["bonus_credit"],
              "credit_total": decision["credit_total"]}
    return {"order_id": first.get("order_id"), "return_deadline": first.get("return_deadline"),
            "lines": first.get("lines") or [], "return": merged}
