"""Seeded random decision requests over what the three presets look at (for the fast-path tests)."""
from __future__ import annotations

import copy
import random

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


ODD = [  # (where, key, value): forms the fast path leaves to the detailed reader, valid or not
    ("order", "created_at", " 2024-11-20T09:30:00-08:00 "), ("order", "created_at", "2024-11-20"),
    ("order", "created_at", "yesterday"), ("order", "created_at", 20241120), ("order", "created_at", None),
    ("order", "created_at", "0001-01-01T00:00:00+14:00"), ("order", "id", 42), ("order", "id", True),
    ("order", "tags", "trial-box, vip"), ("order", "tags", [1]), ("order", "discount_codes", "FLASH"),
    ("order", "discount_codes", [{"code": 5}]), ("order", "line_items", []), ("order", "line_items", None),
    ("order", "shipping_address", "US"), ("order", "currency", 5), ("order", "fulfillments", [{"line_item_ids": [0]}]),
    ("line", "price", 95), ("line", "price", 9.5), ("line", "price", "-1.00"), ("line", "price", "NaN"),
    ("line", "price", " 9.50 "), ("line", "price", "abc"), ("line", "price", None), ("line", "quantity", True),
    ("line", "quantity", "2"), ("line", "quantity", -1), ("line", "id", 3), ("line", "id", None),
    ("line", "gift_card", "yes"), ("line", "product_tags", "flash-sale"), ("line", "sku", 5),
    ("line", "properties", [{"name": "Left Size", "value": "8"}, {"name": "Right Size", "value": "9"}]),
    ("line", "price", "1000000000000"), ("line", "price", "999999999999.99"), ("line", "discount", "1e12"),
    ("line", "quantity", 1_000_000), ("line", "quantity", 1_000_001), ("return", "quantity", 10**7),
    ("line", "properties", "x"), ("line", "product_tags", {}), ("line", "product_tags", ""),
    ("line", "product_tags", 0), ("line", "gift_card", 0), ("line", "compare_at_price", "x"), ("line", "discount", ""),
    ("request", "as_of", "2024-12-01"),
    ("request", "return_request", []), ("return", "resolution", "cash"), ("return", "lines", {}),
    ("return", "reason", "bored"), ("return", "quantity", 0), ("return", "line_item_id", 0),
]


def odd(rnd: random.Random) -> dict:
    """A well-formed request with one or two odd fields."""
    request = well_formed(rnd)
    request.setdefault("return_request", return_request(rnd, ["0"]))
    returns = [request["return_request"], *request["return_request"]["lines"]]
    targets = {"request": request, "order": request["order"], "return": rnd.choice(returns),
               "line": rnd.choice(request["order"]["line_items"])}
    for where, key, value in rnd.sample(ODD, rnd.randint(1, 2)):
        targets[where][key] = copy.deepcopy(value)
    return request
