"""The catalog mirror: products and variants of each shop, for the facts order payloads lack.

products/create|update|delete webhooks keep it current; a product an order
names but the mirror does not know is fetched with Admin GraphQL reads
(`nodes(ids:)`, all unknown products of the order at once, in batches under
Shopify's single-query cost limit) and cached; so is the product of a variant
the mirror has never seen.
"""
from __future__ import annotations

from datetime import datetime
from typing import Callable, Iterable

from backend.store import catalog_mirror

CATALOG_FIELDS = ("product_type", "product_tags", "compare_at_price")


def parse_ts(value) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromisoformat(str(value).replace("Z", "+00:00"))


def _older(incoming, stored) -> bool:
    a, b = parse_ts(incoming), parse_ts(stored)
    if a is None or b is None:
        return False
    if b.tzinfo is None:  # SQLite hands timestamps back naive (they are UTC)
        from datetime import timezone
        b = b.replace(tzinfo=timezone.utc)
    return a < b


def upsert_product(session, shop: str, entry: dict) -> bool:
    """Store a catalog entry (payloads.product_from_rest/graphql); an older update never overwrites a newer one."""
    p = entry["product"]
    row = catalog_mirror.product(session, shop, p["product_id"])
    if row is not None and _older(p.get("updated_at"), row.updated_at):
        return False
    catalog_mirror.save_product(session, shop, row, p, parse_ts(p.get("updated_at")))
    for v in entry["variants"]:
        catalog_mirror.save_variant(session, shop, v, parse_ts(v.get("updated_at")))
    return True


def delete_product(session, shop: str, product_id: str) -> None:
    """Marks the product deleted (orders that bought it keep their snapshot)."""
    catalog_mirror.mark_product_deleted(session, shop, product_id)


def needs_catalog(line: dict) -> bool:
    return any(f not in line for f in CATALOG_FIELDS)


def unknown_products(session, shop: str, lines: Iterable[dict]) -> list[str]:
    """Product ids of lines still lacking catalog facts that the mirror has never seen."""
    lines = [ln for ln in lines if needs_catalog(ln)]
    known = catalog_mirror.known_product_ids(session, shop, {ln["product_id"] for ln in lines if ln.get("product_id")})
    return sorted({ln["product_id"] for ln in lines if ln.get("product_id") and ln["product_id"] not in known})


def fetch_products(session, shop: str, ids: list[str], read: Callable[[str, dict], dict]) -> int:
    """Admin reads for all `ids` (`read(query, variables) -> data`), batched under Shopify's single-query
    cost limit; caches what it finds and remembers what is gone (never fetched again)."""
    from backend.shopify import cost, payloads

    if not ids:
        return 0
    gids = [payloads.gid("Product", i) for i in ids]
    nodes = [n for n in cost.read_nodes(read, payloads.PRODUCTS_BY_ID_QUERY, gids, payloads.PRODUCT_COST)
             if n and n.get("id")]
    for node in nodes:
        upsert_product(session, shop, payloads.product_from_graphql(node))
    for missing in set(ids) - {payloads.numeric_id(n["id"]) for n in nodes}:
        delete_product(session, shop, missing)
    return len(nodes)


def fetch_variant_products(session, shop: str, variant_ids: list[str],
                           read: Callable[[str, dict], dict]) -> int:
    """The products of variants the mirror has never seen (a line naming only its variant), read once and
    mirrored with all their variants; returns how many products were found."""
    from backend.shopify import cost, payloads

    if not variant_ids:
        return 0
    gids = [payloads.gid("ProductVariant", i) for i in variant_ids]
    nodes = cost.read_nodes(read, payloads.VARIANT_PRODUCTS_QUERY, gids, payloads.VARIANT_PRODUCT_COST)
    products = {p["id"]: p for n in nodes if n and (p := n.get("product")) and p.get("id")}
    for product in products.values():
        upsert_product(session, shop, payloads.product_from_graphql(product))
    for missing in sorted(set(variant_ids) - {payloads.numeric_id(n["id"]) for n in nodes if n and n.get("id")}):
        _forget_variant(session, shop, missing)
    return len(products)


def _forget_variant(session, shop: str, variant_id: str) -> None:
    """A variant Shopify does not have: remembered without a product (product_id ""), so carts naming it read
    the Admin API no more; a products/* webhook that brings it back fills the row in."""
    catalog_mirror.remember_missing_variant(session, shop, variant_id)
