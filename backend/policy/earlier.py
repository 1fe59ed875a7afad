"""A return request's `earlier_returns` from the decisions of the order's earlier returns (pure).

A caller that keeps its return decisions (the native-returns service keeps one per Shopify return) passes
those of the order's other returns that still stand (not declined or cancelled); each may be the engine's
`return` part or a stored return decision whose lines carry their own `resolution`. What counts:

* `lines`: the units of accepted lines paid back as a refund or store credit (an exchange keeps the order's
  value, so it is left out), summed per line item;
* `fee_kinds`: every fee kind those returns were charged (for fees with `per = "order"`).
"""
from __future__ import annotations

_PAID_BACK = ("refund", "store_credit")


def earlier_returns(decisions) -> dict:
    """{"lines": [{line_item_id, quantity}], "fee_kinds": [...]} (both sorted), or {} when there is nothing."""
    units: dict[str, int] = {}
    kinds: set[str] = set()
    for decision in decisions:
        if not decision:
            continue
        for line in decision.get("lines") or ():
            resolution = line.get("resolution", decision.get("resolution"))
            quantity = int(line.get("quantity") or 0)
            if line.get("allowed") and resolution in _PAID_BACK and quantity > 0:
                ident = str(line["line_item_id"])
                units[ident] = units.get(ident, 0) + quantity
        kinds.update(f["kind"] for f in decision.get("fees") or () if f.get("kind"))
    out: dict = {}
    if units:
        out["lines"] = [{"line_item_id": i, "quantity": q} for i, q in sorted(units.items())]
    if kinds:
        out["fee_kinds"] = sorted(kinds)
    return out
