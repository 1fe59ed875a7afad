"""The shopper's self-serve return against Shopify (issue 16): options to pick from, a live preview, and the
submission, each one Admin read or write through the one Admin door (`orders.admin_port.AdminPort`).

    options(app, shop, order_id, now, customer) -> per line: title, returnable quantity, open resolutions and
        deadlines or why not (policy sentences), exchange sizes; the shop's return reasons; conditions
    preview(app, shop, order_id, body, now, customer) -> shopper.decide_picks(...)
    submit(app, shop, order_id, body, now, customer) -> {"returns": [...], "preview": ...}

Why the backend submits rather than the extension's Customer Account API `orderRequestReturn`: that mutation
(customer-2026-10 schema, `RequestedLineItemInput`) carries no fees and no exchange lines, while the written
policy's fees must be on the request (Admin `returnRequest`: per-line `restockingFee` percentage,
`returnShippingFee` amount) and exchanges need Admin `returnCreate` with `exchangeLineItems`. So refunds and
store credit become one `returnRequest` per resolution (the native-returns enforcement then decides it as it
decides any request; the resolution asked for is in each line's `customerNote`, the only free field Shopify
gives a request line), and exchanges one `returnCreate` (open at once: the policy already allowed it).
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from backend.errors import AppError, ServiceUnavailable, ValidationError
from backend.services.orders.admin_port import AdminPort
from backend.services.returns import money, shopper
from backend.shopify import shopper_returns as gql
from backend.shopify.errors import AdminApiError

FEE_AS_SHIPPING = ("handling", "label", "return_shipping")  # flat fees: one returnShippingFee per return
NOTHING_LEFT = "Every unit of this item is already in a return, or has not shipped yet."
NO_SIZE = "This item can only be exchanged, and no other size is available at the same price."


class ShopifyRefused(AppError):
    """Shopify answered the return with userErrors (e.g. the units were returned meanwhile)."""

    status = 409
    code = "return_refused"


def _graphql(app, shop: str, document: str, variables: dict, resend: bool = True) -> dict:
    """One Admin call; a shop Fineprint cannot reach (no token, Shopify down after the client's retries, a write
    whose outcome is unknown) is a 503 for the shopper: nothing they can fix, try again later. A write that did
    land is then refused by Shopify on the retry (its units are no longer returnable): a 409, never a double."""
    try:
        return AdminPort(app, shop).graphql(document, variables, resend=resend)
    except (AppError, AdminApiError) as exc:  # AppError: the token door's (ReauthorizationRequired, 503)
        raise ServiceUnavailable("the store cannot take returns online right now; try again later",
                                 code="shopify_unavailable", details={"reason": type(exc).__name__}) from None


def _setup(app, shop: str, order_id: str) -> dict:
    return gql.setup_from(_graphql(app, shop, gql.SETUP_QUERY, {"orderId": gql.order_gid(order_id)}))


def _returnable(app, shop: str, order_id: str) -> dict:
    return gql.returnable_from(_graphql(app, shop, gql.RETURNABLE_QUERY, {"orderId": gql.order_gid(order_id)}))


def _sizes(app, shop: str, setup: dict) -> dict[str, list[dict]]:
    """line id → the other variants of its product at the same price (an exchange for another size)."""
    products = sorted({ln["product_id"] for ln in setup["lines"].values() if ln["product_id"]})[:gql.MAX_PRODUCTS]
    if not products:
        return {}
    variants = gql.variants_from(_graphql(app, shop, gql.VARIANTS_QUERY, {"ids": products}))
    return {line_id: [v for v in variants.get(ln["product_id"], []) if v["id"] != ln["variant_id"]
                      and ln["price"] is not None and Decimal(v["price"]) == Decimal(ln["price"])]
            for line_id, ln in setup["lines"].items()}


def options(app, shop: str, order_id: str, now: datetime, customer: str | None) -> dict:
    order = shopper.load_order(shop, order_id, customer)
    setup = _setup(app, shop, order.order_id)  # first: the order's earlier exchanges decide what is offered
    decision = shopper.run_engine(order.context, now)
    returnable, sizes = _returnable(app, shop, order.order_id), _sizes(app, shop, setup)
    offered = shopper.line_options(decision)
    refused = _exchanges_refused(order, offered, setup["exchanges_before"], now)
    lines = []
    for line in offered:
        info = setup["lines"].get(line["line_item_id"], {})
        quantity = sum(q for _, q in returnable.get(line["line_item_id"], []))
        if "exchange" in line["resolutions"] and line["line_item_id"] in refused:
            line["resolutions"].pop("exchange")  # e.g. "one exchange per order", and the order had one
            if not line["resolutions"]:
                line["why_not"] = refused[line["line_item_id"]]
        if "exchange" in line["resolutions"] and not sizes.get(line["line_item_id"]):
            line["resolutions"].pop("exchange")  # no other size at the same price to exchange for
            if not line["resolutions"]:
                line["why_not"] = [{"rule": None, "text": NO_SIZE}]
        if line["returnable"] and not quantity:
            line["why_not"] = [{"rule": None, "text": NOTHING_LEFT}]
        lines.append({**line, "title": info.get("title"), "variant_title": info.get("variant_title"),
                      "quantity": quantity, "returnable": line["returnable"] and quantity > 0 and
                      bool(line["resolutions"]), "exchange_variants": sizes.get(line["line_item_id"], [])})
    reasons = [{**r, "reason": shopper.reason_of(r["handle"])[0], "mapped": shopper.reason_of(r["handle"])[1]}
               for r in setup["reasons"]]
    return {"order_id": order.order_id, "currency": setup["currency"], "lines": lines, "reasons": reasons,
            "conditions": shopper.conditions(order.context), "resolutions": list(shopper.RESOLUTIONS)}


def _exchanges_refused(order, offered: list[dict], before: int, now: datetime) -> dict[str, list[dict]]:
    """Line id → the policy's sentences, for the lines whose exchange the policy refuses once the order's
    earlier exchanges on Shopify are counted (the options' per-line resolutions know nothing of them)."""
    wanted = [ln["line_item_id"] for ln in offered if "exchange" in ln["resolutions"]]
    if not before or not wanted:
        return {}
    picks = [{"line_item_id": line_id, "quantity": 1, "condition": "new", "reason": None,
              "resolution": "exchange"} for line_id in wanted]
    decided = shopper.decide_picks(order, picks, now, exchanges_before=before)["lines"]
    return {ln["line_item_id"]: [{"rule": r.get("rule"), "text": r.get("text")} for r in ln["reasons"]]
            or [{"rule": None, "text": "The return policy does not offer another exchange on this order."}]
            for ln in decided if not ln["allowed"]}


def _decided(app, shop, order_id, body, now, customer, setup_needed: bool):
    """The order, Shopify's view of it (only when submitting: a preview reads just the reason library, one
    cheap call per change of the picks), and the decided picks."""
    order = shopper.load_order(shop, order_id, customer)
    if setup_needed:
        setup = _setup(app, shop, order.order_id)
        reasons, before = setup["reasons"], setup["exchanges_before"]
    else:
        data = _graphql(app, shop, gql.REASONS_QUERY, {"orderId": gql.order_gid(order.order_id)})
        setup, reasons, before = None, gql.reasons_from(data), gql.exchanges_before(data)
    picks = shopper.parse_picks(body, shopper.line_ids(order), {r["id"]: r["handle"] for r in reasons})
    _check_conditions(picks, shopper.conditions(order.context))
    return order, setup, shopper.decide_picks(order, picks, now, exchanges_before=before)


def _check_conditions(picks: list[dict], allowed: list[str]) -> None:
    bad = [{"field": f"lines[{i}].condition", "message": f"one of {', '.join(allowed)}"}
           for i, p in enumerate(picks) if p["condition"] not in allowed]
    if bad:
        raise ValidationError("invalid return request", details=bad)


def preview(app, shop: str, order_id: str, body, now: datetime, customer: str | None) -> dict:
    return _decided(app, shop, order_id, body, now, customer, setup_needed=False)[2]


def submit(app, shop: str, order_id: str, body, now: datetime, customer: str | None) -> dict:
    order, setup, outcome = _decided(app, shop, order_id, body, now, customer, setup_needed=True)
    refused = [ln for ln in outcome["lines"] if not ln["allowed"]]
    if refused:
        raise ValidationError("the policy does not allow part of this return", details=[
            {"field": f"lines[{outcome['lines'].index(ln)}]", "message": "; ".join(r["text"] for r in ln["reasons"])
             or "not returnable"} for ln in refused])
    _check_exchanges(app, shop, setup, outcome["lines"])
    pool = {line: [[gid, qty] for gid, qty in units] for line, units in _returnable(app, shop, order.order_id).items()}
    writes = [_write(order.order_id, resolution, [ln for ln in outcome["lines"] if ln["resolution"] == resolution],
                     group, pool, setup["currency"]) for resolution, group in outcome["groups"].items()]
    created = []  # every write is built (and its units found) before the first is sent
    for resolution, write in writes:
        try:
            created.append(_send(app, shop, resolution, *write))
        except AppError as exc:  # a later write failed: say which returns Shopify already has
            if created:
                exc.details = {"created": created, "error": exc.details}
            raise
    return {"returns": created, "preview": outcome}


def _check_exchanges(app, shop: str, setup: dict, lines: list[dict]) -> None:
    sizes = _sizes(app, shop, setup) if any(ln["resolution"] == "exchange" for ln in lines) else {}
    bad = [{"field": f"lines[{i}].exchange_variant_id",
            "message": "an exchange is for another size of the same item, at the same price"}
           for i, ln in enumerate(lines) if ln["resolution"] == "exchange"
           and ln["exchange_variant_id"] not in {v["id"] for v in sizes.get(ln["line_item_id"], [])}]
    if bad:
        raise ValidationError("invalid exchange", details=bad)


def _write(order_id, resolution, lines, group, pool, currency) -> tuple[str, tuple]:
    """(resolution, (document, variables, payload field)) of the one Shopify write for these lines."""
    restock = sum((Decimal(f["amount"]) for f in group["fees"] if f["kind"] == "restocking"), Decimal(0))
    flat = sum((Decimal(f["amount"]) for f in group["fees"] if f["kind"] in FEE_AS_SHIPPING), Decimal(0))
    units = [(ln, fl, q) for ln in lines for fl, q in _fulfillment_lines(pool, ln)]
    # Shopify computes each return line's restocking fee as its value × percentage, rounded to the cent: the
    # policy's amount is put on the lines, largest first, as money.py's exact percentages.
    values = [Decimal(ln["amount"]) * q / ln["quantity"] if ln["quantity"] else Decimal(0) for ln, _, q in units]
    percentages = restocking_percentages(restock, values)
    items = [_line_input(ln, fl, q, pct, resolution) for (ln, fl, q), pct in zip(units, percentages)]
    spec = {"orderId": gql.order_gid(order_id), "returnLineItems": items}
    if flat:
        spec["returnShippingFee"] = {"amount": {"amount": f"{flat:.2f}", "currencyCode": currency}}
    if resolution != "exchange":
        return resolution, (gql.REQUEST_MUTATION, {"input": spec}, "returnRequest")
    spec["exchangeLineItems"] = [{"variantId": ln["exchange_variant_id"], "quantity": ln["quantity"]} for ln in lines]
    spec["notifyCustomer"] = True
    return resolution, (gql.CREATE_MUTATION, {"returnInput": spec}, "returnCreate")


def _send(app, shop, resolution, document, variables, field) -> dict:
    ret, errors = gql.return_from(_graphql(app, shop, document, variables, resend=False), field)
    if errors or not ret:
        raise ShopifyRefused("Shopify did not accept the return: " + "; ".join(e["message"] for e in errors),
                             details=errors)
    return {**ret, "resolution": resolution}


def restocking_percentages(fee: Decimal, values: list[Decimal]) -> list[float | None]:
    """Per line (by `values`, what each return line was paid), the RestockingFeeInput percentage that makes
    Shopify's computed fees add up to `fee` exactly: the fee goes on the largest lines first, each taking at
    most its whole value (money.percentage's rounding argument)."""
    out: list[float | None] = [None] * len(values)
    for i in sorted(range(len(values)), key=lambda i: -values[i]):
        if fee <= 0:
            break
        if values[i] <= 0:
            continue
        take = min(fee, values[i])
        out[i] = float(money.percentage(take, values[i]))
        fee -= take
    return out


def _fulfillment_lines(pool: dict, line: dict) -> list[tuple[str, int]]:
    """The picked quantity taken from the line's returnable fulfillment lines, first first; what is taken is
    gone from `pool`, so one line picked under two resolutions cannot ask Shopify for more than it has."""
    left, out = line["quantity"], []
    for unit in pool.get(line["line_item_id"], []):
        take = min(left, unit[1])
        if take:
            out.append((unit[0], take))
            unit[1] -= take
            left -= take
    if left > 0:
        raise ValidationError("more units than Shopify can still take back", details=[
            {"field": "lines", "message": f"line {line['line_item_id']}: at most {line['quantity'] - left}"}])
    return out


def _line_input(line: dict, fulfillment_line: str, quantity: int, percentage, resolution: str) -> dict:
    item = {"fulfillmentLineItemId": fulfillment_line, "quantity": quantity}
    if line["reason_definition_id"]:
        item["returnReasonDefinitionId"] = line["reason_definition_id"]
    if percentage:
        item["restockingFee"] = {"percentage": percentage}
    note = f"Fineprint: {resolution.replace('_', ' ')}; condition {line['condition']}"
    item["returnReasonNote" if resolution == "exchange" else "customerNote"] = note
    return item
