"""What a policy would do, without writing anything: preview one order, backtest a draft over stored orders.

    preview(app, shop, order_id=None, sample=None, text=None, return_as=None)
                                                               -> {"policy", "decision", "order", "reasons", ...}
    backtest(app, shop, text, limit=50)                        -> {"counts", "orders": [...]}

Both decide exactly like the pipeline and every other surface, through the one
recipe (`decision_context`): the stored facts snapshot, catalog facts, the
shop's settings overlay, the policy (here the draft, when one is given), and
the tag names the shop writes. A backtest compares with what the pipeline last
wrote to each order (tags and return deadline).
"""
from __future__ import annotations

import copy
import json
from dataclasses import replace
from datetime import datetime, timezone

from backend.errors import NotFound, ValidationError
from backend.policy import RequestError
from backend.services.orders import state as orders
from backend.services.decisions import policies
from backend.services.admin.format import Store, line_titles
from backend.services.decisions.context import DecisionContext, context_for_cart, context_for_order
from backend.services.decisions.shopper import normalize_ids
from backend.store import order_states
from backend.store.models import OrderState

DEFAULT_LIMIT = 50
MAX_LIMIT = 1000


def _db(app):
    return app.extensions["fineprint.db"]


def _policy(app, shop: str, text: str | None):
    if text:
        return policies.parse(text)
    _, ref = policies.active(_db(app), shop)
    if not ref:
        raise ValidationError("choose a policy first: this shop has no active policy", code="no_policy")
    from backend.services.orders.apply_decision import policy_for

    return policy_for(ref, app)


def _state(app, shop: str, order_id: str) -> OrderState:
    order_id = str(order_id).strip().rsplit("/", 1)[-1].lstrip("#")
    with _db(app).session() as s:
        state = orders.load(s, shop, order_id)
    if state is None or not (state.facts or {}).get("created_at"):
        raise NotFound(f"no stored order {order_id} in this shop", code="unknown_order")
    return state


def _sample_request(sample) -> dict:
    if isinstance(sample, str):
        try:
            sample = json.loads(sample)
        except json.JSONDecodeError as exc:
            raise ValidationError(f"the sample is not JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})",
                                  code="invalid_json") from None
    if not isinstance(sample, dict):
        raise ValidationError("the sample must be a JSON object: a decision request or an order")
    request = copy.deepcopy(sample) if "order" in sample else {"order": copy.deepcopy(sample)}
    request.pop("policy", None)
    items = request["order"].get("line_items") if isinstance(request["order"], dict) else None
    errors = [e for i, ln in enumerate(items if isinstance(items, list) else []) if isinstance(ln, dict)
              for e in normalize_ids(ln, f"order.line_items[{i}]")]  # catalog ids as the mirror keeps them
    if errors:
        raise ValidationError("the order is not a valid decision request", details=errors)
    return request


def reasons_of(decision: dict) -> list[dict]:
    """Every rule that shaped the decision, once, with the policy sentence it implements."""
    seen, out = set(), []
    for line in decision.get("lines") or []:
        for reason in line.get("reasons") or []:
            if reason.get("rule") not in seen:
                seen.add(reason.get("rule"))
                out.append(reason)
    return out


RESOLUTIONS = ("refund", "store_credit", "exchange")


def preview(app, shop: str, order_id: str | None = None, sample=None, text: str | None = None,
            now: datetime | None = None, return_as: str | None = None) -> dict:
    """The decision for a stored order or a pasted sample; `return_as` (refund, store_credit, exchange)
    also asks what returning every line unworn, for a change of mind, would come to."""
    policy = _policy(app, shop, text)
    if not order_id and not sample:
        raise ValidationError("give a stored order id or paste a sample order", code="nothing_to_preview")
    state = _state(app, shop, order_id) if order_id else None
    with _db(app).session() as s:
        if state is not None:
            context = context_for_order(s, shop, state, policy)
        else:
            context = context_for_cart(s, shop, _sample_request(sample), policy=policy)
    if return_as:
        context = replace(context, request=_with_return(context.request, return_as))
    try:
        decision = context.decide(now or datetime.now(timezone.utc))
    except RequestError as exc:
        raise ValidationError("the order is not a valid decision request", details=exc.errors) from None
    facts = context.request.get("order") if isinstance(context.request.get("order"), dict) else {}
    return {"policy": {"name": policy.name, "version": policy.version}, "decision": decision,
            "order": {"name": Store.order_name(facts, order_id or facts.get("id")), "lines": line_titles(facts),
                      "currency": facts.get("currency")},
            "tags": context.tags(decision), "reasons": reasons_of(decision)}


def _with_return(request: dict, resolution: str) -> dict:
    if resolution not in RESOLUTIONS:
        raise ValidationError(f"return_as must be one of {', '.join(RESOLUTIONS)}", code="invalid_resolution")
    lines = (request.get("order") or {}).get("line_items") or []
    wanted = [{"line_item_id": str(ln.get("id")), "quantity": ln.get("quantity") or 1, "condition": "new",
               "reason": "changed_mind"} for ln in lines if isinstance(ln, dict)]
    return {**request, "return_request": {"resolution": resolution, "lines": wanted}}


def _label(state: OrderState) -> str:
    titles = [ln.get("title") or ln.get("sku") or "item" for ln in (state.facts or {}).get("line_items") or []]
    return ", ".join(titles[:3]) + (" …" if len(titles) > 3 else "")


def backtest(app, shop: str, text: str, limit: int = DEFAULT_LIMIT, now: datetime | None = None) -> dict:
    policy = policies.parse(text)
    limit = max(1, min(int(limit or DEFAULT_LIMIT), MAX_LIMIT))
    now = now or datetime.now(timezone.utc)
    states = [st for st in order_states.recent(_db(app), shop, limit * 2) if (st.facts or {}).get("created_at")][:limit]
    with _db(app).session() as s:
        contexts = [(st, context_for_order(s, shop, st, policy)) for st in states]
    rows = [_compare(context, st, now) for st, context in contexts]
    counts = {"orders": len(rows), "changed": sum(r["changed"] for r in rows),
              "tags_changed": sum(r["tags_changed"] for r in rows),
              "deadline_changed": sum(r["deadline_changed"] for r in rows),
              "invalid": sum(r["invalid"] for r in rows)}
    counts["unchanged"] = counts["orders"] - counts["changed"]
    by_tag: dict = {}
    for r in rows:
        for t in set(r["tags_after"]) - set(r["tags_before"]):
            by_tag.setdefault(t, {"added": 0, "removed": 0})["added"] += 1
        for t in set(r["tags_before"]) - set(r["tags_after"]):
            by_tag.setdefault(t, {"added": 0, "removed": 0})["removed"] += 1
    return {"policy": {"name": policy.name, "version": policy.version}, "counts": counts, "by_tag": by_tag,
            "orders": rows}


def _compare(context: DecisionContext, state: OrderState, now: datetime) -> dict:
    before_tags, before_deadline = sorted(state.tags_written or []), state.deadline_written
    row = {"order_id": state.order_id, "name": Store.order_name(state.facts, state.order_id),
           "created_at": state.facts.get("created_at"), "label": _label(state),
           "tags_before": before_tags, "deadline_before": before_deadline, "invalid": False, "error": None}
    try:
        decision = context.decide(now)
    except RequestError as exc:
        row.update(tags_after=before_tags, deadline_after=before_deadline, invalid=True, error=str(exc),
                   tags_changed=False, deadline_changed=False, changed=False)
        return row
    after = context.tags(decision)
    deadline = decision.get("return_deadline")
    row.update(tags_after=after, deadline_after=deadline, tags_changed=after != before_tags,
               deadline_changed=deadline != before_deadline)
    row["changed"] = row["tags_changed"] or row["deadline_changed"]
    return row
