"""A shop's settings: tag names, the return-protection variant, P.O. boxes at checkout, Flow reminder days.

* `tag_names` maps the contract §4 names to the names the merchant wants on orders
  (default: the contract names themselves). The pipeline writes and removes the
  merchant's names (apply_decision maps each decision tag through `ShopConfig.tag`).
* `protection_variant_id`: the variant the shop sells as return protection. Lines of
  that variant are treated as the protection product: they get the product tag
  `return-protection`, which is how a policy's `[protection] line_when_any` recognises it.
* `block_po_boxes`: whether checkout may stop a checkout to a P.O. box (the policy's
  `po_box` blocks). Off: every decision (built by `decision_context`, so carts from
  `POST /api/v1/decisions` as well as stored orders) leaves those blocks out of `blocked`,
  so neither the checkout nor the theme refuses a P.O. box (tags are unaffected). Also
  exposed by `GET /api/v1/shop-settings` (session token) as `{"checkout": {"block_po_boxes": ...}}`.

Both are applied in one place, `decision_context`, for every surface.

* `reminder_days`: how many days before a return or trial deadline the Shopify Flow reminders fire; stored by
  services.flow.settings (the same setting `fineprint flow set-reminder-days` sets), not read by decisions.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from backend.errors import ValidationError
from backend.services.orders.state import OUR_TAGS
from backend.store import shop_settings

CONTRACT_TAGS = tuple(sorted(OUR_TAGS))
PROTECTION_TAG = "return-protection"
_TAG_OK = re.compile(r"^[^,]{1,40}$")


@dataclass(frozen=True)
class ShopConfig:
    protection_variant_id: str | None = None
    tag_names: dict = field(default_factory=dict)
    block_po_boxes: bool = True

    def tag(self, contract_name: str) -> str:
        return self.tag_names.get(contract_name) or contract_name

    @property
    def our_tags(self) -> frozenset:
        return frozenset(self.tag(t) for t in CONTRACT_TAGS) | OUR_TAGS

    def as_json(self) -> dict:
        return {"protection_variant_id": self.protection_variant_id,
                "tag_names": {t: self.tag(t) for t in CONTRACT_TAGS},
                "block_po_boxes": self.block_po_boxes}


def _config(row) -> ShopConfig:
    if row is None:
        return ShopConfig()
    return ShopConfig(row.protection_variant_id, dict(row.tag_names or {}), bool(row.block_po_boxes))


def from_columns(protection_variant_id, tag_names, block_po_boxes) -> ShopConfig:
    """The settings from their columns read with the shop's row (all None: the shop has no settings row)."""
    return ShopConfig(protection_variant_id, dict(tag_names or {}),
                      True if block_po_boxes is None else bool(block_po_boxes))


def for_connection(conn, shop: str) -> ShopConfig:
    """The shop's settings read on a plain connection or a Session (the decision API's latency path)."""
    return _config(shop_settings.read(conn, shop))


def get(db, shop: str) -> ShopConfig:
    return _config(shop_settings.get(db, shop))


def view(db, shop: str) -> dict:
    """The Settings section's values: the shop's config and its Flow reminder days."""
    from backend.services.flow import settings as flow_settings

    return {**get(db, shop).as_json(), "reminder_days": flow_settings.reminder_days(db, shop)}


def save(db, shop: str, form: dict, user: str | None) -> ShopConfig:
    """Validate and store; raises ValidationError with per-field errors. `reminder_days` (Shopify Flow
    reminders, 0–60) is optional: absent leaves it as it is."""
    from backend.services.flow import schedule as flow_schedule
    from backend.services.flow import settings as flow_settings

    reminder_days = form.get("reminder_days")
    errors = flow_schedule.reminder_days_errors(reminder_days) if reminder_days is not None else []
    names = {}
    for tag in CONTRACT_TAGS:
        value = str((form.get("tag_names") or {}).get(tag) or tag).strip()
        if not _TAG_OK.match(value):
            errors.append({"field": f"tag_names.{tag}", "message": "1 to 40 characters, no commas"})
        names[tag] = value
    if len(set(v.lower() for v in names.values())) != len(names):
        errors.append({"field": "tag_names", "message": "each tag needs its own name"})
    variant = str(form.get("protection_variant_id") or "").strip().rsplit("/", 1)[-1] or None
    if variant is not None and not variant.isdigit():
        errors.append({"field": "protection_variant_id", "message": "a variant id (digits or a ProductVariant GID)"})
    if errors:
        raise ValidationError("some settings are not valid", details=errors)
    shop_settings.save(db, shop, variant, {k: v for k, v in names.items() if v != k},
                       bool(form.get("block_po_boxes")), user)
    if reminder_days is not None:
        flow_settings.set_reminder_days(db, shop, reminder_days)
    return get(db, shop)


def overlay(out: dict, config: ShopConfig) -> dict:
    """The decision request as the shop's settings mean it, in place (the caller's own copy; only
    `decision_context` calls this): the protection variant's lines carry the protection tag; our own
    (renamed) tags on the order are not facts the policy may depend on."""
    order = out.get("order")
    if not isinstance(order, dict):
        return out  # the engine says what is wrong with it (a 422 on the API)
    ours = {t.lower() for t in config.our_tags}
    if isinstance(order.get("tags"), list):
        order["tags"] = [t for t in order["tags"] if str(t).lower() not in ours]
    items = order.get("line_items")
    if config.protection_variant_id and isinstance(items, list):
        for line in items:
            if isinstance(line, dict) and _is_protection(line, config.protection_variant_id):
                tags = line.get("product_tags") or []
                if isinstance(tags, list) and PROTECTION_TAG not in tags:
                    line["product_tags"] = tags + [PROTECTION_TAG]
    return out


def _is_protection(line: dict, variant_id: str) -> bool:
    return str(line.get("variant_id") or "").rsplit("/", 1)[-1] == variant_id
