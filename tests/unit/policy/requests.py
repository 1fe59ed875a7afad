"""Seeded random decision requests over what the three presets look at, and odd fields with what they must read as."""
from __future__ import annotations

import copy
import random
from datetime import date
from decimal import Decimal

TYPES = ["Handbags", "Shoes", "Jewelry", "Socks", "sample", "Evening Handbags", " Hats ", ""]
TAGS = ["final-sale", "Final Sale", "flash-sale", "sample", "return-protection", "promotional-gift", "new", " "]
COUNTRIES = ["US", "us", "CA", "HK", "JP", "GB", "DE", "", None]
PROVINCES = ["CA", "ny", "GA", "TX", "", None]
STREETS = ["1 Main St", "PO Box 12", "P.O. Box 9", "12 Post Road", "Pob 4", "", None]
CARRIERS = [{"carrier": "ups"}, {"carrier": " UPS "}, {"title": "FedEx Ground"}, {"title": "Fed Ex"},
            {"title": "USPS Priority", "carrier": ""}, {"title": "Free shipping"}, {"carrier": "dhl", "title": "x"}]
ZONES = ["-08:00", "-05:00", "+00:00", "Z", "+09:00", "-07:00", ""]
PRICES = ["95.00", "25.00", "24.99", "25.01", "0.00", "1000", "12.345", "0.005", "250.00", "3.3"]


def timestamp(rnd: random.Random, year_from: int = 2023) -> str:
    year, month, day = rnd.randint(year_from, 2026), rnd.randint(1, 12), rnd.randint(1, 28)
    return f"{year}-{month:02d}-{day:02d}T{rnd.randint(0, 23):02d}:{rnd.choice(['00', '30', '59'])}:00" \
        + rnd.choice(ZONES)


def line(rnd: random.Random, i: int) -> dict:
    item = {"id": str(i), "sku": rnd.choice(["SKU-1", "RETURN-PROTECTION", "return-protection", ""]),
            "title": "Item", "product_type": rnd.choice(TYPES), "product_tags": rnd.sample(TAGS, rnd.randint(0, 2)),
            "quantity": rnd.randint(0, 4), "price": rnd.choice(PRICES),
            "compare_at_price": rnd.choice([None, "120.00", "24.00", "95.00"]),
            "discount": rnd.choice([None, "0.00", "5.00", "0.01", "33.33"]),
            "gift_card": rnd.choice([False, True, None]),
            "properties": rnd.choice([{}, None, {"Left Size": "8", "Right Size": "8"},
                                      {"Left Size": "8", "Right Size": " 9 "}, {"Left Size": None}])}
    for key in ("compare_at_price", "discount", "gift_card", "properties", "product_tags", "sku"):
        if rnd.random() < 0.1:
            del item[key]
    return item


def fulfillments(rnd: random.Random, ids: list) -> list:
    out = []
    for _ in range(rnd.randint(0, 2)):
        f = {"shipped_at": rnd.choice([None, timestamp(rnd)]), "delivered_at": rnd.choice([None, timestamp(rnd)])}
        if ids and rnd.random() < 0.4:
            f["line_item_ids"] = rnd.sample(ids, rnd.randint(1, len(ids)))
        out.append(f)
    return out


def order(rnd: random.Random) -> dict:
    lines = [line(rnd, i) for i in range(rnd.randint(1, 5))]
    ids = [ln["id"] for ln in lines]
    return {"id": rnd.choice(["gid://shopify/Order/1", None, "7"]), "created_at": timestamp(rnd),
            "currency": rnd.choice(["USD", "hkd", None]), "source_name": rnd.choice(["web", "Nordstrom", None]),
            "tags": rnd.sample(["trial-box", "vip", "Trial-Box"], rnd.randint(0, 2)),
            "discount_codes": rnd.sample(["FLASH20", " flash5 ", "WELCOME", {"code": "FlashX"}], rnd.randint(0, 2)),
            "shipping_address": {"country_code": rnd.choice(COUNTRIES), "province_code": rnd.choice(PROVINCES),
                                 "address1": rnd.choice(STREETS), "address2": rnd.choice(STREETS)},
            "shipping_lines": rnd.sample(CARRIERS, rnd.randint(0, 2)), "line_items": lines,
            "fulfillments": fulfillments(rnd, ids)}


def return_request(rnd: random.Random, ids: list) -> dict:
    lines = [{"line_item_id": rnd.choice(ids + ["99"]), "quantity": rnd.randint(1, 3),
              "condition": rnd.choice(["new", "worn", "damaged", None]),
              "reason": rnd.choice(["size", "defective", "changed_mind", "carrier_damage", None])}
             for _ in range(rnd.randint(1, 3))]
    return {"resolution": rnd.choice(["refund", "store_credit", "exchange"]), "lines": lines}


def well_formed(rnd: random.Random) -> dict:
    request = {"order": order(rnd)}
    if rnd.random() < 0.7:
        request["as_of"] = timestamp(rnd, 2024)
    if rnd.random() < 0.7:
        request["return_request"] = return_request(rnd, [ln["id"] for ln in request["order"]["line_items"]])
    return request


ODD = [  # (where, key, value, outcome): outcome is ("error", field path under the target) or ("reads", fact, value)
    ("order", "created_at", " 2024-11-20T09:30:00-08:00 ", ("reads", "order.local_date", date(2024, 11, 20))),
    ("order", "created_at", "2024-11-20", ("reads", "order.local_date", date(2024, 11, 20))),
    ("order", "created_at", "yesterday", ("error", "created_at")),
    ("order", "created_at", 20241120, ("error", "created_at")),
    ("order", "created_at", None, ("error", "created_at")),
    ("order", "created_at", "0001-01-01T00:00:00+14:00", ("error", "created_at")),
    ("order", "id", 42, ("reads", "order.id", "42")), ("order", "id", True, ("error", "id")),
    ("order", "tags", "trial-box, vip", ("reads", "order.tags", frozenset({"trial-box", "vip"}))),
    ("order", "tags", [1], ("error", "tags")), ("order", "discount_codes", "FLASH", ("error", "discount_codes")),
    ("order", "discount_codes", [{"code": 5}], ("error", "discount_codes[0]")),
    ("order", "line_items", [], ("reads", "order.lines", [])), ("order", "line_items", None, ("error", "line_items")),
    ("order", "shipping_address", "US", ("error", "shipping_address")), ("order", "currency", 5, ("error", "currency")),
    ("order", "fulfillments", [{"line_item_ids": [0]}], ("reads", "order.fulfillments[0].line_ids", frozenset({"0"}))),
    ("line", "price", 95, ("reads", "line.price", Decimal("95"))),
    ("line", "price", 9.5, ("reads", "line.price", Decimal("9.5"))),
    ("line", "price", "-1.00", ("error", "price")), ("line", "price", "NaN", ("error", "price")),
    ("line", "price", " 9.50 ", ("reads", "line.price", Decimal("9.50"))), ("line", "price", "abc", ("error", "price")),
    ("line", "price", None, ("error", "price")), ("line", "quantity", True, ("error", "quantity")),
    ("line", "quantity", "2", ("error", "quantity")), ("line", "quantity", -1, ("error", "quantity")),
    ("line", "id", 3, ("reads", "line.id", "3")), ("line", "id", None, ("error", "id")),
    ("line", "gift_card", "yes", ("error", "gift_card")),
    ("line", "product_tags", "flash-sale", ("reads", "line.tags", frozenset({"flash-sale"}))),
    ("line", "sku", 5, ("error", "sku")),
    ("line", "properties", [{"name": "Left Size", "value": "8"}, {"name": "Right Size", "value": "9"}],
     ("reads", "line.props", {"Left Size": "8", "Right Size": "9"})),
    ("line", "price", "1000000000000", ("error", "price")),
    ("line", "price", "999999999999.99", ("reads", "line.price", Decimal("999999999999.99"))),
    ("line", "discount", "1e12", ("error", "discount")), ("line", "quantity", 1_000_000, ("reads", "line.quantity", 10**6)),
    ("line", "quantity", 1_000_001, ("error", "quantity")), ("return", "quantity", 10**7, ("error", "quantity")),
    ("line", "properties", "x", ("error", "properties")), ("line", "product_tags", {}, ("error", "product_tags")),
    ("line", "product_tags", "", ("reads", "line.tags", frozenset())), ("line", "product_tags", 0, ("error", "product_tags")),
    ("line", "gift_card", 0, ("error", "gift_card")), ("line", "compare_at_price", "x", ("error", "compare_at_price")),
    ("line", "discount", "", ("error", "discount")),
    ("request", "as_of", "2024-12-01", ("reads", "as_of_date", date(2024, 12, 1))),
    ("request", "return_request", [], ("error", "return_request")), ("return", "resolution", "cash", ("error", "resolution")),
    ("return", "lines", {}, ("error", "lines")), ("return", "reason", "bored", ("error", "reason")),
    ("return", "quantity", 0, ("error", "quantity")), ("return", "line_item_id", 0, ("reads", "return.line_item_id", "0")),
    ("return", "resolution", ["refund"], ("error", "resolution")), ("return", "reason", {"size": 1}, ("error", "reason")),
    ("return", "condition", None, ("reads", "return.condition", "new")),
    ("order", "shipping_address", None, ("reads", "order.country", None)),
]


def odd(rnd: random.Random) -> tuple[dict, tuple, str, object]:
    """A well-formed request with one odd field: (request, ODD entry, the target's path, the target's index)."""
    request = well_formed(rnd)
    request.setdefault("return_request", return_request(rnd, ["0"]))
    where, key, value, outcome = entry = rnd.choice(ODD)
    if where == "request":
        target, path, index = request, "", None
    elif where == "order":
        target, path, index = request["order"], "order", None
    elif where == "line":
        index = rnd.randrange(len(request["order"]["line_items"]))
        target, path = request["order"]["line_items"][index], f"order.line_items[{index}]"
    elif key in ("resolution", "lines"):
        target, path, index = request["return_request"], "return_request", None
    else:
        index = rnd.randrange(len(request["return_request"]["lines"]))
        target, path = request["return_request"]["lines"][index], f"return_request.lines[{index}]"
    target[key] = copy.deepcopy(value)
    return request, entry, path, index
