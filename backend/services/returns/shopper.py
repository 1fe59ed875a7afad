"""A shopper's self-serve return from the customer account (issue 16): what each line of their order allows,
the live outcome of what they pick, and (returns/shopper_submit.py) the Shopify returns it becomes.

    options(app, shop, order_id, now, customer) -> {"lines", "reasons", "conditions", "currency", ...}
    preview(shop, order_id, body, now, customer) -> {"lines", "groups", "fees", "bonus_credit", ...}

Every figure is the one decision recipe's (`decisions.context.context_for_order`) with the shopper's
`return_request` added: the same input the native-returns enforcement decides a Shopify return with. A
request names one resolution, so the picked lines are decided in one request per resolution (refund, store
credit, exchange) and the totals are their sums. Customer scoping is the decision API's: a shopper reads and
acts on their own orders only (404 otherwise, as for an unknown id); a guest never gets here (403).
"""
from __future__ import annotations

import dataclasses
from datetime import datetime
from decimal import Decimal

from flask import current_app

from backend.errors import NotFound, ValidationError
from backend.policy import earlier_returns
from backend.policy.model import CONDITIONS
from backend.services.decisions.context import DecisionContext, context_for_order
from backend.services.decisions.shopper import customer_may_see, run_engine
from backend.services.orders import state as orders
from backend.services.returns import reasons
from backend.shopify.payloads import numeric_id
from backend.store import returns as returns_repo

RESOLUTIONS = ("refund", "store_credit", "exchange")
MAX_PICKED = 50


@dataclasses.dataclass(frozen=True)
class ShopperOrder:
    """A stored order the shopper may act on, with its decision input (the recipe's context)."""
    order_id: str
    context: DecisionContext
    earlier: dict = dataclasses.field(default_factory=dict)  # the request's `earlier_returns`


NO_RETURN = ""  # no return of the shopper's own yet: every kept return of the order is an earlier one


def load_order(shop: str, order_id: str, customer_gid: str | None) -> ShopperOrder:
    ident = numeric_id(order_id) if order_id else None
    if not ident or not ident.isdigit() or len(ident) > 20:
        raise NotFound("no such order")
    with current_app.extensions["fineprint.db"].session() as s:
        state = orders.load(s, shop, ident)
        if state is None or orders.decision_request(state) is None or not customer_may_see(state.facts,
                                                                                            customer_gid):
            raise NotFound("no such order")
        # What the order's earlier returns took back and were charged (a fee `per = "order"`, a gift threshold),
        # read from the decisions Fineprint kept for them, as apply.decide_stored reads them: the return this
        # request becomes on Shopify is decided by that enforcement with exactly this input, so the preview
        # cannot promise less than it will charge. (Shopify's own returns of the order carry no fee kinds: the
        # flat fees all travel as one returnShippingFee.) A return whose webhook has not been decided yet is
        # not counted, by either path.
        earlier = earlier_returns(returns_repo.earlier_decisions(s, shop, state.order_id, NO_RETURN))
        return ShopperOrder(ident, context_for_order(s, shop, state), earlier)


def line_ids(order: ShopperOrder) -> set[str]:
    """The ids of the order's lines, as the stored order (and so the decision) names them."""
    items = (order.context.request.get("order") or {}).get("line_items") or []
    return {str(item["id"]) for item in items if isinstance(item, dict) and item.get("id") is not None}


def reason_of(handle: str | None) -> tuple[str, bool]:
    """(the policy's reason for a Shopify reason handle, whether the handle is a known one): the very reading
    the native-returns enforcement gives the request (returns/reasons.py), so the preview cannot drift from it.
    An unknown handle decides as `changed_mind` (no merchant-fault waiver) and is reported as not mapped."""
    read = reasons.policy_reason({"handle": (handle or "").lower()} if handle else None)
    return read["reason"], read["known"]


def conditions(context: DecisionContext) -> list[str]:
    return list(getattr(context.policy, "conditions", CONDITIONS) or CONDITIONS)


# ----------------------------------------------------------------------------------------------- options

def line_options(decision: dict) -> list[dict]:
    """Per decided line: which resolutions are open until when, or why none is (the policy's sentences)."""
    out = []
    for line in decision.get("lines") or []:
        if line.get("class") == "protection":
            continue
        # allowed with no deadline yet: its window starts on delivery, which has not happened
        open_ = {k: v["deadline"] for k, v in line["resolutions"].items() if v.get("allowed") and v.get("deadline")}
        why = [] if open_ else [{"rule": r["rule"], "text": r["text"]} for r in line.get("reasons") or []]
        if not open_ and not why:
            why = [{"rule": None, "text": _closed_text(line)}]
        out.append({"line_item_id": str(line["line_item_id"]), "class": line.get("class"),
                    "returnable": bool(open_), "resolutions": open_,
                    "deadline": max(open_.values(), default=None), "why_not": why})
    return out


def _closed_text(line: dict) -> str:
    past = sorted(v["deadline"] for v in line["resolutions"].values() if v.get("deadline"))
    if past:
        return f"The return window ended on {past[-1]}."
    if any(v.get("window") for v in line["resolutions"].values()):  # not delivered (or shipped) yet
        return "The return window starts once the item is delivered."
    return "This item cannot be returned."


# ----------------------------------------------------------------------------------------------- preview

def parse_picks(body, known_lines: set[str], reasons: dict[str, str]) -> list[dict]:
    """The shopper's picks as plain dicts; every problem at once, as field errors (422)."""
    if not isinstance(body, dict) or not isinstance(body.get("lines"), list) or not body["lines"]:
        raise ValidationError("pick at least one line", details=[{"field": "lines", "message": "a non-empty list"}])
    if len(body["lines"]) > MAX_PICKED:
        raise ValidationError(f"at most {MAX_PICKED} lines", details=[{"field": "lines", "message": "too many"}])
    picks, errors = [], []
    for i, raw in enumerate(body["lines"]):
        pick, problems = _pick(raw, f"lines[{i}]", known_lines, reasons)
        picks.append(pick)
        errors += problems
    if errors:
        raise ValidationError("invalid return request", details=errors)
    return picks


def _pick(raw, path: str, known_lines: set[str], reasons: dict[str, str]) -> tuple[dict, list[dict]]:
    if not isinstance(raw, dict):
        return {}, [{"field": path, "message": "expected an object"}]
    errors = []
    line_id = numeric_id(raw.get("line_item_id")) if isinstance(raw.get("line_item_id"), (str, int)) else None
    if line_id not in known_lines:
        errors.append({"field": f"{path}.line_item_id", "message": "not a line of this order"})
    quantity = raw.get("quantity", 1)
    if type(quantity) is not int or not 1 <= quantity <= 10_000:
        errors.append({"field": f"{path}.quantity", "message": "a whole number from 1"})
    resolution = raw.get("resolution")
    if resolution not in RESOLUTIONS:
        errors.append({"field": f"{path}.resolution", "message": f"one of {', '.join(RESOLUTIONS)}"})
    definition = raw.get("reason_definition_id")
    if definition is not None and definition not in reasons:
        errors.append({"field": f"{path}.reason_definition_id", "message": "not one of the shop's return reasons"})
    variant = raw.get("exchange_variant_id")
    if resolution == "exchange" and not isinstance(variant, str):
        errors.append({"field": f"{path}.exchange_variant_id", "message": "an exchange names the variant wanted"})
    condition = raw.get("condition", "new")
    return {"line_item_id": line_id, "quantity": quantity, "resolution": resolution, "condition": condition,
            "reason_definition_id": definition, "reason": reason_of(reasons.get(definition))[0],
            "exchange_variant_id": variant if resolution == "exchange" else None}, errors


def decide_picks(order: ShopperOrder, picks: list[dict], now: datetime, exchanges_before: int = 0) -> dict:
    """One decision per resolution picked; the lines, fees, bonus and totals the shopper would get.
    `exchanges_before`: the order's earlier exchanges on Shopify (a policy may allow one per order)."""
    groups, lines, earlier = {}, [], order.earlier
    for resolution in RESOLUTIONS:
        mine = [p for p in picks if p["resolution"] == resolution]
        if not mine:
            continue
        request = {"resolution": resolution, "lines": [
            {"line_item_id": p["line_item_id"], "quantity": p["quantity"], "condition": p["condition"],
             "reason": p["reason"]} for p in mine], "exchanges_before": exchanges_before}
        if earlier:
            request["earlier_returns"] = earlier
        if resolution == "exchange":
            request["exchange_for"] = "same_style"  # the extension offers other sizes of the same product only
        context = dataclasses.replace(order.context, request={**order.context.request, "return_request": request})
        groups[resolution] = run_engine(context, now)["return"]
        # each group becomes its own Shopify return, decided in this order by the enforcement, each counting the
        # ones kept before it: so a later group does not pay a per-order fee an earlier one of this request pays
        earlier = earlier_returns([_as_decision(earlier), {**groups[resolution], "resolution": resolution}])
        for pick, decided in zip(mine, groups[resolution]["lines"]):
            lines.append({**pick, "allowed": decided["allowed"], "amount": decided["amount"],
                          "reasons": decided.get("reasons") or []})
    return {"order_id": order.order_id, "allowed": all(ln["allowed"] for ln in lines), "lines": lines,
            "groups": groups, **_totals(groups)}


def _as_decision(earlier: dict) -> dict:
    """A request's `earlier_returns` as one kept decision, for `earlier_returns` to add the next one to."""
    return {"resolution": "refund", "fees": [{"kind": k} for k in earlier.get("fee_kinds") or ()],
            "lines": [{**ln, "allowed": True} for ln in earlier.get("lines") or ()]}


def _totals(groups: dict) -> dict:
    fees: dict[str, Decimal] = {}
    for group in groups.values():
        for fee in group.get("fees") or []:
            fees[fee["kind"]] = fees.get(fee["kind"], Decimal(0)) + Decimal(fee["amount"])
    refund = groups.get("refund", {}).get("refund_total", "0.00")
    credit = groups.get("store_credit", {})
    return {"fees": [{"kind": k, "amount": f"{v:.2f}"} for k, v in fees.items()],
            "bonus_credit": credit.get("bonus_credit", "0.00"), "refund_total": refund,
            "credit_total": credit.get("credit_total", "0.00")}
