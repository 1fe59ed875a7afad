"""The order pipeline's tables in the compliance registry (customers/data_request and customers/redact).

* `order_states`: the facts snapshot holds the shipping address and line properties
  (engravings, gift notes), and may carry customer id, email or phone. Redaction
  masks them and keeps the row: its bookkeeping (tags we wrote, the decision hash)
  is no personal data and lets a later update still remove a tag that no longer applies.
* `decision_log`: the input is masked when logged; redaction masks it again (older
  rows, line properties) and drops the error text, which may quote Shopify's answer.
* `pipeline_jobs`: keyed by order id; only `last_error` can quote personal data.
* `catalog_products` / `catalog_variants`: the shop's products, no customer's data
  (shop/redact deletes them with every other `shop_domain` table).

A customer's rows are the orders named in the payload (`orders_to_redact` /
`orders_requested`) plus any row whose JSON names the customer's id, GID or email
(a text pre-filter in SQL, then `compliance.mentions` decides).
"""
from __future__ import annotations

from backend.services.orders.apply_decision import mask
from backend.services.compliance.topics import Customer, PersonalData, mentions, register
from backend.store import redaction
from backend.store.models import DecisionLogEntry, OrderState

MASK = "•••"


def _rows(s, model, json_field: str, who: Customer) -> list:
    """The shop's rows of `model` for the customer's orders, or whose JSON names the customer."""
    rows = redaction.rows_naming(s, model, json_field, who.shop, who.order_ids, (who.id, who.email))
    return [r for r in rows if r.order_id in who.order_ids or mentions(getattr(r, json_field), who)]


def scrub_order(order: dict | None) -> dict | None:
    """An order's facts without personal data: address reduced to country and province, no customer,
    line properties' values masked (the keys stay: they are the shop's own field names)."""
    if not order:
        return order
    order = mask({"order": order})["order"]
    for line in order.get("line_items") or []:
        if line.get("properties"):
            line["properties"] = {k: MASK for k in line["properties"]}
    return order


# --- order_states ------------------------------------------------------------------------------

def _find_states(s, who: Customer) -> list:
    return [{"order_id": r.order_id, "facts": r.facts, "fulfillments": r.fulfillments,
             "tags_written": r.tags_written, "deadline_written": r.deadline_written}
            for r in _rows(s, OrderState, "facts", who)]


def _redact_states(s, who: Customer) -> int:
    rows = _rows(s, OrderState, "facts", who)
    for row in rows:
        redaction.set_values(s, OrderState, row.id, facts=scrub_order(row.facts))
    return len(rows)


# --- decision_log ------------------------------------------------------------------------------

def _find_log(s, who: Customer) -> list:
    return [{"order_id": r.order_id, "applied_at": r.applied_at.isoformat(), "policy": r.policy_name,
             "trigger": r.trigger, "input": r.input, "tags_added": r.tags_added,
             "tags_removed": r.tags_removed, "write_result": r.write_result}
            for r in _rows(s, DecisionLogEntry, "input", who)]


def _redact_log(s, who: Customer) -> int:
    rows = _rows(s, DecisionLogEntry, "input", who)
    for row in rows:
        scrubbed = {**row.input, "order": scrub_order(row.input.get("order"))} if row.input else row.input
        redaction.set_values(s, DecisionLogEntry, row.id, input=scrubbed, error=None)
    return len(rows)


# --- pipeline_jobs -----------------------------------------------------------------------------

def _job_keys(who: Customer) -> list[str]:
    return [f"{who.shop}:{order_id}" for order_id in sorted(who.order_ids)]


def _find_jobs(s, who: Customer) -> list:
    return [{"key": r.key, "kind": r.kind, "status": r.status, "last_error": r.last_error}
            for r in redaction.jobs_of(s, _job_keys(who))]


def _redact_jobs(s, who: Customer) -> int:
    return redaction.clear_job_errors(s, _job_keys(who))


register(PersonalData("order_states", find=_find_states, redact_customer=_redact_states))
register(PersonalData("decision_log", find=_find_log, redact_customer=_redact_log))
register(PersonalData("pipeline_jobs", find=_find_jobs, redact_customer=_redact_jobs))
