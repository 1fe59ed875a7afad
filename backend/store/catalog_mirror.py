"""`catalog_products` / `catalog_variants`: the catalog mirror's rows (services/orders/catalog.py decides what
goes in them: newest update wins, unknown products fetched from Shopify, deletions remembered)."""
from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, select

from backend.store.models import CatalogProduct, CatalogVariant, utcnow


def product(session: Session, shop: str, product_id: str) -> CatalogProduct | None:
    return session.exec(select(CatalogProduct).where(
        CatalogProduct.shop_domain == shop, CatalogProduct.product_id == product_id)).first()


def variant(session: Session, shop: str, variant_id: str) -> CatalogVariant | None:
    return session.exec(select(CatalogVariant).where(
        CatalogVariant.shop_domain == shop, CatalogVariant.variant_id == variant_id)).first()


def save_product(session: Session, shop: str, row: CatalogProduct | None, p: dict,
                 updated_at: datetime | None) -> None:
    """Write a product's facts (`payloads.product_from_*`'s "product") into its row, new or existing."""
    row = row or CatalogProduct(shop_domain=shop, product_id=p["product_id"])
    row.title, row.product_type, row.tags = p["title"], p["product_type"], list(p["tags"])
    row.gift_card, row.updated_at, row.deleted_at, row.synced_at = p["gift_card"], updated_at, None, utcnow()
    session.add(row)


def save_variant(session: Session, shop: str, v: dict, updated_at: datetime | None) -> None:
    row = variant(session, shop, v["variant_id"])
    row = row or CatalogVariant(shop_domain=shop, variant_id=v["variant_id"], product_id=v["product_id"])
    row.product_id, row.title, row.sku = v["product_id"], v["title"], v["sku"]
    row.price, row.compare_at_price, row.updated_at = v["price"], v["compare_at_price"], updated_at
    session.add(row)


def mark_product_deleted(session: Session, shop: str, product_id: str) -> None:
    """The product's row, marked deleted (created empty if the mirror never had it)."""
    row = product(session, shop, product_id)
    if row is None:
        row = CatalogProduct(shop_domain=shop, product_id=product_id, tags=[])
    row.deleted_at = utcnow()
    session.add(row)


def known_product_ids(session: Session, shop: str, product_ids) -> set[str]:
    """Which of `product_ids` the mirror has a row for (deleted ones included)."""
    ids = set(product_ids)
    if not ids:
        return set()
    return set(session.exec(select(CatalogProduct.product_id).where(
        CatalogProduct.shop_domain == shop, CatalogProduct.product_id.in_(ids))))


def remember_missing_variant(session: Session, shop: str, variant_id: str) -> None:
    """A variant Shopify does not have: a row without a product (product_id ""), unless one exists."""
    if variant(session, shop, variant_id) is None:
        session.add(CatalogVariant(shop_domain=shop, variant_id=variant_id, product_id=""))
