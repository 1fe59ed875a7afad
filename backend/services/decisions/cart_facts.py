"""Catalog facts for lines that lack them, on the Decision API's latency budget.

    fill_from_catalog(conn, shop, lines, may_fetch=False, final=True)    (in place; a Session or a Connection)
    fill_from_rows(lines, variants, products, may_fetch) -> bool         (in place, from rows already read)

The one catalog fill: order ingest (`final=False`), the pipeline, and every decision surface (through
`decision_context`) use it. A line naming only its variant
gets the variant's product; absent `product_type`, `product_tags`, `compare_at_price` come from the mirror,
`gift_card` is set for gift-card products, and what the mirror does not know gets empty facts. Products it
has never seen, and the products of variants it has never seen (a line naming only its `variant_id`), are
first read from the Admin API when `may_fetch` (the shop has a token) and mirrored, so the next cart reads
nothing; a failed read is logged, and that shop is not asked again for a minute. One prebuilt read per cart
(`store.decision_inputs`).
With `final=False` (order ingest, before the pipeline has read unknown products) a line whose product the
mirror has never seen stays unfilled, so the pipeline still knows to read it.
"""
from __future__ import annotations

import logging
import time

from flask import current_app

from backend.services.orders import catalog
from backend.store import decision_inputs

log = logging.getLogger(__name__)

FETCH_BACKOFF = 60.0  # seconds without Admin reads for a shop after one failed
_fetch_failed: dict[str, float] = {}


def fill_from_catalog(conn, shop: str, lines: list[dict], may_fetch: bool = False, final: bool = True) -> None:
    """Fill absent catalog facts (in place), fetching never-seen products first when `may_fetch`."""
    todo = [ln for ln in lines if catalog.needs_catalog(ln)]
    if not todo:
        return
    variants, products = _facts(conn, shop, todo)
    unknown = sorted({ln["product_id"] for ln in todo if ln.get("product_id") and ln["product_id"] not in products})
    orphans = sorted({ln["variant_id"] for ln in todo
                      if ln.get("variant_id") and not ln.get("product_id") and ln["variant_id"] not in variants})
    if (unknown or orphans) and may_fetch and _fetch(shop, unknown, orphans):
        variants, products = _facts(conn, shop, todo)
    _fill(todo, variants, products, final)


def fill_from_rows(lines: list[dict], variants: dict, products: dict, may_fetch: bool) -> bool:
    """Fill absent catalog facts (in place) from rows already read with the shop's (`decision_inputs.cart_inputs`:
    the named variants and their products), exactly as `fill_from_catalog` would; False, with the lines left as
    they were, when those rows do not cover them (a line naming only a product, a product the mirror lacks, a
    never-seen variant that may be fetched): the caller then asks `fill_from_catalog`."""
    todo = [ln for ln in lines if catalog.needs_catalog(ln)]
    for ln in todo:
        vid, pid = ln.get("variant_id"), ln.get("product_id")
        if vid and vid not in variants:
            if may_fetch and not pid:
                return False  # an orphan variant: fill_from_catalog reads its product from the Admin API
        elif vid and not pid:
            pid = variants[vid][1]
        if pid and pid not in products:
            return False
    _assign_products(todo, variants)
    _fill(todo, variants, products, final=True)
    return True


def _fill(todo: list[dict], variants: dict, products: dict, final: bool) -> None:
    for ln in todo:
        variant = variants.get(ln.get("variant_id"))
        product = products.get(ln.get("product_id"))
        if product is None and ln.get("product_id") and not final:
            continue  # not known yet: the pipeline reads it, then fills for good
        ln.setdefault("product_type", product[1] if product else "")
        ln.setdefault("product_tags", list(product[2] or []) if product else [])
        ln.setdefault("compare_at_price", variant[2] if variant else None)
        if product is not None and product[3]:
            ln["gift_card"] = True


def _facts(conn, shop: str, lines: list[dict]) -> tuple[dict, dict]:
    """(variant rows, product rows) by id; a line naming only its variant gets the variant's product id.
    A cart naming variants is one read (each variant with its product's facts)."""
    vids = {ln["variant_id"] for ln in lines if ln.get("variant_id")}
    pids = {ln["product_id"] for ln in lines if ln.get("product_id")}
    variants, products = decision_inputs.catalog_facts(conn, shop, vids, pids)
    _assign_products(lines, variants)
    return variants, products


def _assign_products(lines: list[dict], variants: dict) -> None:
    for ln in lines:
        if not ln.get("product_id") and (variants.get(ln.get("variant_id")) or (None, None))[1]:
            ln["product_id"] = variants[ln["variant_id"]][1]  # "": a variant Shopify does not have


def _fetch(shop: str, product_ids: list[str], variant_ids: list[str]) -> bool:
    """Admin reads for the unknown products and for the products of never-seen variants (read through:
    mirrored, so the next cart reads nothing); a failure is logged and the lines get empty facts."""
    failed = _fetch_failed.get(shop)
    if failed is not None and time.monotonic() - failed < FETCH_BACKOFF:
        return False
    from backend.services.orders import apply_decision  # imported here: orders → cart_facts → apply_decision → orders

    app = current_app._get_current_object()
    try:
        admin = apply_decision.admin_for(app, shop)
        with app.extensions["fineprint.db"].session() as s:
            catalog.fetch_products(s, shop, product_ids, admin.graphql)
            catalog.fetch_variant_products(s, shop, variant_ids, admin.graphql)
        _fetch_failed.pop(shop, None)
        return True
    except Exception as exc:  # the shopper's answer never waits on, or fails with, the Admin API
        log.warning("catalog fetch for %s failed (%s); deciding with empty product facts", shop, type(exc).__name__)
        _fetch_failed[shop] = time.monotonic()
        return False
