"""Where Shopify tells shoppers something about returns that the written policy does not say.

Admin API 2026-10 exposes no return-rules object to apps (the schema has no ReturnPolicy / returnRules /
ReturnSettings type: Shopify's self-serve return rules are visible to the Customer Account API only, as each
order's `returnInformation`). What an app can read is:

* per return: the fees Shopify's return rules put on the request, and the lines it let the shopper ask
  for (`decide.drift`, kept on each decided return and shown beside it);
* per shop: `shop.shopPolicies`' REFUND_POLICY, the refund policy Shopify shows shoppers at checkout and
  in their account, compared here with the written policy's windows, fees and final-sale rules.

The shop-level comparison reads text, so it can only say what the refund policy fails to mention or names
differently: each finding says which of the written policy's figures it looked for.
"""
from __future__ import annotations

import re
from decimal import Decimal

from backend.shopify import returns as wire

_DAYS = re.compile(r"\b(\d{1,3})[\s-]*(?:calendar\s+|business\s+)?days?\b", re.I)


def policy_facts(policy) -> dict:
    """The written policy's windows (days), fixed fees and whether it has final-sale items."""
    days = sorted({w.days for rule in policy.rules for w in (rule.windows or {}).values() if w is not None})
    fees = sorted({f.amount for f in policy.fees if f.amount is not None})
    percents = sorted({f.percent for f in policy.fees if f.percent is not None})
    final_sale = any(rule.cls == "final_sale" for rule in policy.rules)
    return {"days": days, "fees": fees, "percents": percents, "final_sale": final_sale}


def compare(policy, refund_policy: dict | None) -> list[dict]:
    if refund_policy is None or not refund_policy.get("body", "").strip():
        return [{"field": "refund_policy", "text": "The shop has no refund policy in Shopify: shoppers see no return "
                                                   "terms there. Copy the Policy page section into Settings → "
                                                   "Policies → Refund policy."}]
    text = _plain(refund_policy["body"])
    facts = policy_facts(policy)
    found = []
    said = sorted({int(n) for n in _DAYS.findall(text)})
    other = [d for d in said if d not in facts["days"]]
    if other:
        found.append({"field": "window", "shopify": ", ".join(f"{d} days" for d in other),
                      "policy": ", ".join(f"{d} days" for d in facts["days"]),
                      "text": f"Shopify's refund policy speaks of {', '.join(f'{d} days' for d in other)}; the written "
                              f"policy's windows are {', '.join(f'{d} days' for d in facts['days'])}."})
    missing = [d for d in facts["days"] if d not in said]
    if missing:
        found.append({"field": "window", "shopify": "not mentioned",
                      "policy": ", ".join(f"{d} days" for d in missing),
                      "text": f"Shopify's refund policy never mentions the {', '.join(f'{d}-day' for d in missing)} "
                              "window of the written policy."})
    for amount in facts["fees"]:
        if not _mentions_money(text, amount):
            found.append({"field": "fee", "shopify": "not mentioned", "policy": f"{amount:.2f}",
                          "text": f"Shopify's refund policy does not mention the {amount:.2f} fee of the written "
                                  "policy."})
    for pct in facts["percents"]:
        if not re.search(rf"\b{re.escape(_trim(pct))}\s*%", text):
            found.append({"field": "fee", "shopify": "not mentioned", "policy": f"{_trim(pct)}%",
                          "text": f"Shopify's refund policy does not mention the {_trim(pct)}% fee of the written "
                                  "policy."})
    if facts["final_sale"] and not re.search(r"final[\s-]+sale", text, re.I):
        found.append({"field": "final_sale", "shopify": "not mentioned", "policy": "final-sale items",
                      "text": "The written policy has final-sale items; Shopify's refund policy does not say so."})
    return found


def check_shop(admin, policy) -> dict:
    """Read the shop's refund policy from Shopify and compare it with the written policy."""
    refund_policy = wire.refund_policy(admin.graphql(wire.SHOP_POLICIES_QUERY, {}))
    return {"refund_policy_url": (refund_policy or {}).get("url"), "findings": compare(policy, refund_policy)}


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


def _mentions_money(text: str, amount: Decimal) -> bool:
    whole = _trim(amount)
    return bool(re.search(rf"(?<![\d.]){re.escape(whole)}(?:\.00)?(?![\d])", text)) or f"{amount:.2f}" in text


def _trim(value: Decimal) -> str:
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def check_current(app, shop: str) -> dict:
    """The admin page's check: the shop's active policy against its refund policy in Shopify."""
    from backend.services.decisions.context import shop_policy
    from backend.services.orders.apply_decision import admin_for

    with app.extensions["fineprint.db"].session() as s:
        policy, _ = shop_policy(s, shop)
    return check_shop(admin_for(app, shop), policy)
