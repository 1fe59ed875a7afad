"""What a decision reads from the database, on the Decision API's latency budget (issue 19).

    shop_inputs(conn, shop) -> ShopInputs | None          one statement: the shop row and its settings row
    catalog_facts(conn, shop, variant_ids, product_ids) -> (variants, products)
                                                          one statement for a cart naming variants, a second
                                                          only for products no named variant led to
    product_variant(s, shop, product_id, variant_id=None) -> CatalogVariant | None
                                                          the storefront badge's variant (the named one, else
                                                          the product's first)

Nothing here is cached: every request reads the rows as they are, so a policy switch, a settings change or a
catalog webhook is visible to the very next decision. The statements are built once (SQLAlchemy then reuses
their compiled form) and take a Session or a Connection.
"""
from __future__ import annotations

from typing import NamedTuple

from sqlalchemy import and_, bindparam
from sqlmodel import select

from backend.store.models import CatalogProduct, CatalogVariant, Shop, ShopSettings


class ShopInputs(NamedTuple):
    active_policy: str | None
    has_token: bool
    installed: bool
    protection_variant_id: str | None   # the settings columns are None when the shop has no settings row
    tag_names: dict | None
    block_po_boxes: bool | None


_SHOP = (select(Shop.active_policy, Shop.access_token_encrypted.is_not(None), Shop.uninstalled_at.is_(None),
                ShopSettings.protection_variant_id, ShopSettings.tag_names, ShopSettings.block_po_boxes)
         .select_from(Shop).outerjoin(ShopSettings, ShopSettings.shop_domain == Shop.domain)
         .where(Shop.domain == bindparam("shop")))


def shop_inputs(conn, shop: str) -> ShopInputs | None:
    row = conn.execute(_SHOP, {"shop": shop}).first()
    return None if row is None else ShopInputs(row[0], bool(row[1]), bool(row[2]), row[3], row[4], row[5])


# A variant row with its product's facts (the product columns are None when the mirror lacks the product).
_VARIANTS = (select(CatalogVariant.variant_id, CatalogVariant.product_id, CatalogVariant.compare_at_price,
                    CatalogProduct.product_id, CatalogProduct.product_type, CatalogProduct.tags,
                    CatalogProduct.gift_card)
             .select_from(CatalogVariant)
             .outerjoin(CatalogProduct, and_(CatalogProduct.shop_domain == CatalogVariant.shop_domain,
                                             CatalogProduct.product_id == CatalogVariant.product_id))
             .where(CatalogVariant.shop_domain == bindparam("shop"),
                    CatalogVariant.variant_id.in_(bindparam("ids", expanding=True))))
_PRODUCTS = select(CatalogProduct.product_id, CatalogProduct.product_type, CatalogProduct.tags,
                   CatalogProduct.gift_card).where(
    CatalogProduct.shop_domain == bindparam("shop"), CatalogProduct.product_id.in_(bindparam("ids", expanding=True)))


def catalog_facts(conn, shop: str, variant_ids, product_ids) -> tuple[dict, dict]:
    """({variant_id: (variant_id, product_id, compare_at_price)}, {product_id: (product_id, product_type,
    tags, gift_card)}) for the ids asked, plus the products of the variants found."""
    variants, products = {}, {}
    if variant_ids:
        for row in conn.execute(_VARIANTS, {"shop": shop, "ids": sorted(variant_ids)}):
            variants[row[0]] = (row[0], row[1], row[2])
            if row[3] is not None:
                products[row[3]] = (row[3], row[4], row[5], row[6])
    missing = sorted(set(product_ids) - products.keys())
    if missing:
        products.update((r[0], tuple(r)) for r in conn.execute(_PRODUCTS, {"shop": shop, "ids": missing}))
    return variants, products


def product_variant(s, shop: str, product_id: str, variant_id: str | None = None) -> CatalogVariant | None:
    """The product's variant `variant_id`, or (none named) its first by id; None when the mirror has none."""
    query = select(CatalogVariant).where(CatalogVariant.shop_domain == shop, CatalogVariant.product_id == product_id)
    if variant_id:
        query = query.where(CatalogVariant.variant_id == variant_id)
    rows = list(s.exec(query))
    return min(rows, key=lambda v: (len(v.variant_id), v.variant_id)) if rows else None
