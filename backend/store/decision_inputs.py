"""What a decision reads from the database, on the Decision API's latency budget (issue 19).

    shop_inputs(conn, shop) -> ShopInputs | None          one statement: the shop row and its settings row
    catalog_facts(conn, shop, variant_ids, product_ids) -> (variants, products)
                                                          one statement for a cart naming variants, a second
                                                          only for products no named variant led to
    product_variant(s, shop, product_id, variant_id=None) -> CatalogVariant | None
                                                          the storefront badge's variant (the named one, else
                                                          the product's first)
    cart_inputs(engine, shop, variant_ids) -> CartInputs | None
                                                          the Decision API's read: the shop, its settings and
                                                          the named variants with their products, one statement
    active_policies(conn, limit) -> [active_policy, ...]  what installed shops decide with (a web worker's
                                                          warm-up compiles these before its first request)

Nothing here is cached: every request reads the rows as they are, so a policy switch, a settings change or a
catalog webhook is visible to the very next decision. The statements are built once (SQLAlchemy then reuses
their compiled form) and take a Session or a Connection.
"""
from __future__ import annotations

from typing import NamedTuple

import orjson
from sqlalchemy import and_, bindparam
from sqlmodel import select

from backend.store.db import driver_connection
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


_ACTIVE = (select(Shop.active_policy).where(Shop.active_policy.is_not(None), Shop.uninstalled_at.is_(None))
           .distinct().order_by(Shop.active_policy).limit(bindparam("limit")))


def active_policies(conn, limit: int) -> list[str]:
    """The distinct active policy references of installed shops (at most `limit`): names only, read now."""
    return [row[0] for row in conn.execute(_ACTIVE, {"limit": limit})]


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


# ------------------------------------------------------------------ a cart in one statement, on the driver

class CartInputs(NamedTuple):
    shop: ShopInputs
    variants: dict   # as catalog_facts: {variant_id: (variant_id, product_id, compare_at_price)}
    products: dict   # {product_id: (product_id, product_type, tags, gift_card)}: the named variants' products


def _cart_sql(placeholder: str, count: int) -> str:
    """The shop row, its settings row and the named variants with their products: one statement, one row per
    variant found (a single row of NULL catalog columns when none is). Written as text once per id count so
    the driver runs it as given (PostgreSQL prepares it after a few runs): no SQLAlchemy compile per request."""
    shops, settings = Shop.__tablename__, ShopSettings.__tablename__
    variants, products = CatalogVariant.__tablename__, CatalogProduct.__tablename__
    catalog = (f"LEFT JOIN {variants} v ON v.shop_domain = s.domain AND v.variant_id IN "
               f"({', '.join([placeholder] * count)}) "
               f"LEFT JOIN {products} p ON p.shop_domain = v.shop_domain AND p.product_id = v.product_id "
               if count else "")
    columns = ("v.variant_id, v.product_id, v.compare_at_price, p.product_id, p.product_type, CAST(p.tags AS TEXT), "
               "p.gift_card" if count else "NULL, NULL, NULL, NULL, NULL, NULL, NULL")
    # The JSON columns come back as their text, parsed by orjson (`_json`): psycopg would parse them with the
    # standard library's json, through its loader machinery, at ~4 us a column (3-4 per cart).
    return (f"SELECT s.active_policy, s.access_token_encrypted IS NOT NULL, s.uninstalled_at IS NULL, "
            f"st.protection_variant_id, CAST(st.tag_names AS TEXT), st.block_po_boxes, {columns} "
            f"FROM {shops} s LEFT JOIN {settings} st ON st.shop_domain = s.domain {catalog}"
            f"WHERE s.domain = {placeholder}")


_cart_sql_cache: dict[tuple[str, int], str] = {}  # SQL text per (placeholder, id count): no data, never stale


def _json(value):
    """A JSON column read as text (the cart statement casts it), or as a driver gives it parsed."""
    return orjson.loads(value) if isinstance(value, (str, bytes)) else value


def cart_inputs(engine, shop: str, variant_ids) -> CartInputs | None:
    """What a cart's decision reads, as it is now (nothing cached): one statement on a pooled driver connection,
    outside any transaction; None when the shop is unknown. Products of lines naming only a product are not
    read here (`catalog_facts` is the general read)."""
    ids = sorted(variant_ids)
    placeholder = "?" if engine.dialect.paramstyle == "qmark" else "%s"
    key = (placeholder, len(ids))
    sql = _cart_sql_cache.get(key)
    if sql is None:
        sql = _cart_sql_cache[key] = _cart_sql(placeholder, len(ids))
    rows = _read(engine, sql, (*ids, shop))
    if not rows:
        return None
    first = rows[0]
    inputs = ShopInputs(first[0], bool(first[1]), bool(first[2]), first[3], _json(first[4]), first[5])
    variants, products = {}, {}
    for row in rows:
        if row[6] is not None:
            variants[row[6]] = (row[6], row[7], row[8])
        if row[9] is not None:
            products[row[9]] = (row[9], row[10], _json(row[11]), row[12])
    return CartInputs(inputs, variants, products)


def _read(engine, sql: str, params: tuple) -> list:
    """Rows of one read on the pool's driver connection (store/db.py). PostgreSQL's runs in autocommit (no
    BEGIN/ROLLBACK round trips; SQLite's driver opens no transaction for a SELECT). A connection the server
    dropped is invalidated and the read runs once more through SQLAlchemy, which then retires the pool's older
    ones."""
    driver = None
    try:
        with driver_connection(engine, autocommit=engine.dialect.name == "postgresql") as driver:
            cursor = driver.cursor()
            try:
                cursor.execute(sql, params)
                return cursor.fetchall()
            finally:
                cursor.close()
    except engine.dialect.loaded_dbapi.Error as exc:
        if not engine.dialect.is_disconnect(exc, driver, None):
            raise
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        return list(conn.exec_driver_sql(sql, params))
