"""One well-formed order line read straight into a Line (fastorder.py's fast path); raises Unusual otherwise.

The product texts and money amounts of a line are memoised together (most orders repeat products)."""
from __future__ import annotations

from backend.policy import fastread as r
from backend.policy.facts import Line

_ZERO = r.ZERO
_AMOUNTS = r.AMOUNTS
_EMPTY = frozenset()
_MAX_COUNT = r.MAX_COUNT
_PRODUCTS: dict[tuple, tuple] = {}


def line(item: dict) -> Line:
    """The common shape inline (string texts, whole quantity, boolean gift card, plain money, no
    properties); anything else through the per-field helpers."""
    get = item.get
    key = (get("sku"), get("product_type"), get("price"), get("compare_at_price"), get("discount"))
    try:
        product = _PRODUCTS.get(key)
    except TypeError:  # a list or an object among them
        return _line_by_field(item)
    if product is None:
        product = _product(key)
        if product is None:
            return _line_by_field(item)
    ident, tags, quantity, gift = get("id"), get("product_tags"), get("quantity"), get("gift_card")
    if (type(ident) is not str or type(quantity) is not int or not 0 <= quantity <= _MAX_COUNT
            or (gift is not True and gift is not False) or get("properties")):
        return _line_by_field(item)
    sku, ptype, price, discount, marked_down, has_discount = product
    return Line(ident, sku, ptype, _EMPTY if tags is None or tags == [] else r.tags(item, "product_tags"),
                quantity, price, discount, gift, {}, marked_down, has_discount, marked_down or has_discount)


def _product(key: tuple) -> tuple | None:
    """What a line's product texts and plain money amounts give (memoised), or None when not plain."""
    sku, ptype, price, compare_at, discount = key
    price = _AMOUNTS.get(price) if type(price) is str else None
    discount = _AMOUNTS.get(discount) if type(discount) is str else _ZERO if discount is None else None
    if compare_at is not None:
        compare_at = _AMOUNTS.get(compare_at) if type(compare_at) is str else None
        if compare_at is None:
            return None
    if price is None or discount is None or type(sku) is not str or type(ptype) is not str:
        return None
    discount = discount or _ZERO
    marked_down = compare_at is not None and compare_at > price
    if len(_PRODUCTS) >= 4096:
        _PRODUCTS.clear()
    found = _PRODUCTS[key] = (sku.lower(), ptype.strip().lower(), price, discount, marked_down, discount != _ZERO)
    return found


def _line_by_field(item: dict) -> Line:
    price = r.money(item, "price")
    compare_at = r.money(item, "compare_at_price", required=False)
    discount = r.money(item, "discount", required=False) or _ZERO
    marked_down = compare_at is not None and compare_at > price
    has_discount = discount != _ZERO
    return Line(r.ident(item, "id"), r.text(item, "sku").lower(), r.text(item, "product_type").strip().lower(),
                r.tags(item, "product_tags"), r.count(item, "quantity", 0), price, discount,
                r.flag(item, "gift_card"), r.properties(item), marked_down, has_discount,
                marked_down or has_discount)
