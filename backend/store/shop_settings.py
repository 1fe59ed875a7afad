"""`shop_settings`: the merchant's settings row per shop (tag names, protection variant, P.O. boxes)."""
from __future__ import annotations

from sqlmodel import select

from backend.store.models import ShopSettings, utcnow

# Read on the checkout's latency budget: named columns, so the row reads alike on a Session and a Connection.
_COLUMNS = select(ShopSettings.protection_variant_id, ShopSettings.tag_names, ShopSettings.block_po_boxes)


def read(conn, shop: str):
    """(protection_variant_id, tag_names, block_po_boxes) of the shop, or None; `conn` is a Session or a
    plain Connection (the decision API's latency path)."""
    return conn.execute(_COLUMNS.where(ShopSettings.shop_domain == shop)).first()


def get(db, shop: str):
    with db.session() as s:
        return read(s, shop)


def save(db, shop: str, variant: str | None, tag_names: dict, block_po_boxes: bool, user: str | None) -> None:
    with db.session() as s:
        row = s.get(ShopSettings, shop) or ShopSettings(shop_domain=shop)
        row.protection_variant_id = variant
        row.tag_names = tag_names
        row.block_po_boxes = block_po_boxes
        row.updated_by, row.updated_at = user, utcnow()
        s.add(row)
