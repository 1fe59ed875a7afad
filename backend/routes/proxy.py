"""/proxy/*: the theme app extension's data, through the Shopify app proxy.

The storefront calls `/apps/fineprint/<path>`; Shopify signs the query and forwards it to
`/proxy/<path>` (`@app_proxy_required` checks the signature and its 90 s window). Answers are public
(the same for every shopper of a shop), so successful ones may be cached for a minute.

    GET /proxy/product?product_id=123[&variant_id=456][&country=US]
        {"product_id", "class", "window": {"days", "from"} | null, "return_protection": {...}}
    GET /proxy/protection[?country=US]       {"offered", "price", "currency", "variant_id"}  (Settings' variant)
    GET /proxy/policy                         {"markdown", "html"}
"""
from __future__ import annotations

import re
from datetime import datetime, timezone

from flask import Blueprint, g, jsonify, request

from backend.routes.guards import app_proxy_required
from backend.services.decisions import storefront
from backend.services.decisions.shopper import invalid, normalize_ids

bp = Blueprint("proxy", __name__, url_prefix="/proxy")
CACHE_OK = "public, max-age=60"
_COUNTRY = re.compile(r"[A-Za-z]{2}")


@bp.after_request
def _cache(response):
    response.headers["Cache-Control"] = CACHE_OK if response.status_code == 200 else "no-store"
    return response


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _country() -> str | None:
    country = request.args.get("country") or None
    if country is not None and not _COUNTRY.fullmatch(country):
        raise invalid([{"field": "country", "message": "expected a two-letter country code"}], "invalid query")
    return country.upper() if country else None


def _ids() -> tuple[str, str | None]:
    ids = {k: request.args.get(k) for k in ("product_id", "variant_id") if request.args.get(k)}
    errors = [] if "product_id" in ids else [{"field": "product_id", "message": "is required"}]
    errors += [dict(e, field=e["field"].lstrip(".")) for e in normalize_ids(ids, "")]
    if errors:
        raise invalid(errors, "invalid query")
    return ids["product_id"], ids.get("variant_id")


@bp.get("/product")
@app_proxy_required
def product():
    product_id, variant_id = _ids()
    return jsonify(storefront.product_badge(g.shop, product_id, _now(), variant_id, _country()))


@bp.get("/protection")
@app_proxy_required
def protection():
    return jsonify(storefront.protection_offer(g.shop, _now(), _country()))


@bp.get("/policy")
@app_proxy_required
def policy():
    return jsonify(storefront.policy_page(g.shop, _now()))
