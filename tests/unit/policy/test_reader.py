"""The one request reader, on seeded random requests: well-formed ones read as written, and each odd field
reads as the table in requests.py says (an accepted form's value, or an error naming exactly that field)."""
from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest

from backend.policy import RequestError, load_policy, preset_names
from backend.policy.calendar import ZoneDays
from backend.policy.fields import YEARS
from backend.policy.request import _moment, read_request
from tests.unit.policy.requests import odd, well_formed

SEED, COUNT = 20241201, 600
PRESETS = preset_names()


def _tags(value) -> frozenset:
    return frozenset(t.strip().lower() for t in value or [] if t.strip())


def _expected_line(item: dict) -> dict:
    price, compare_at = Decimal(item["price"]), item.get("compare_at_price")
    discount = Decimal(item.get("discount") or "0")
    marked_down = compare_at is not None and Decimal(compare_at) > price
    props = {k: "" if v is None else v.strip() for k, v in (item.get("properties") or {}).items()}
    return {"id": item["id"], "sku": item.get("sku", "").lower(), "ptype": item["product_type"].strip().lower(),
            "tags": _tags(item.get("product_tags")), "quantity": item["quantity"], "price": price,
            "discount": discount, "gift_card": bool(item.get("gift_card")), "props": props,
            "marked_down": marked_down, "has_discount": discount != 0, "discounted": marked_down or discount != 0}


def _expected_address(address: dict) -> tuple:
    country = (address["country_code"] or "").upper() or None
    province = (address["province_code"] or "").upper() or (None if country is None else "")
    street = " ".join(s for s in (address["address1"], address["address2"]) if s is not None).lower()
    po_box = any(word in street for word in ("po box", "p.o. box", "pob ")) or street.startswith("pob")
    return country, province, po_box if address["address1"] is not None else None


@pytest.mark.parametrize("name", PRESETS)
def test_well_formed_requests_read_as_written(name):
    policy, rnd = load_policy(name), random.Random(SEED)
    for _ in range(COUNT):
        data = well_formed(rnd)
        req = read_request(data, policy.tz, policy.currency)
        order = req.order
        assert [{k: getattr(ln, k) for k in _expected_line(item)} for ln, item in
                zip(order.lines, data["order"]["line_items"])] == [_expected_line(i) for i in data["order"]["line_items"]]
        assert (order.country, order.province, order.po_box) == _expected_address(data["order"]["shipping_address"])
        assert order.tags == _tags(data["order"]["tags"])
        assert order.currency == (data["order"]["currency"] or policy.currency).upper()
        assert order.local_date == order.created.astimezone(policy.tz).date()
        assert len(order.fulfillments) == len(data["order"]["fulfillments"])
        returned = data.get("return_request")
        assert req.resolution == (returned and returned["resolution"])
        assert [(r.line_item_id, r.quantity) for r in req.return_lines or []] == \
            [(r["line_item_id"], r["quantity"]) for r in (returned or {"lines": []})["lines"]]


def _fact(req, name: str, index):
    """The read fact an ODD outcome names: 'order.id', 'line.price', 'order.fulfillments[0].line_ids', ..."""
    holder, _, attr = name.partition(".")
    if holder == "as_of_date":
        return req.as_of_date
    if holder == "line":
        return getattr(req.order.lines[index], attr)
    if holder == "return":
        return getattr(req.return_lines[index], attr)
    if attr.startswith("fulfillments[0]."):
        return getattr(req.order.fulfillments[0], attr.split(".")[1])
    return getattr(req.order, attr)


@pytest.mark.parametrize("name", PRESETS)
def test_odd_fields_read_or_fail_as_the_table_says(name):
    policy, rnd = load_policy(name), random.Random(SEED + 1)
    for _ in range(COUNT):
        data, (where, key, value, outcome), path, index = odd(rnd)
        if outcome[0] == "error":
            with pytest.raises(RequestError) as caught:
                read_request(data, policy.tz, policy.currency)
            field = f"{path}.{outcome[1]}" if path else outcome[1]
            assert [e["field"] for e in caught.value.errors] == [field], (where, key, value)
        else:
            assert _fact(read_request(data, policy.tz, policy.currency), outcome[1], index) == outcome[2], \
                (where, key, value)


def test_a_request_that_is_not_an_object_is_one_error():
    policy = load_policy("aallyn")
    with pytest.raises(RequestError) as caught:
        read_request([], policy.tz, policy.currency)
    assert caught.value.errors == [{"field": "", "message": "a decision request must be a JSON object"}]


def _three_lines() -> dict:
    return {"order": {"created_at": "2024-11-20T09:30:00-08:00", "line_items": [
        {"id": str(i), "sku": "BAG-1", "product_type": "Handbags", "quantity": 1, "price": "95.00"} for i in range(3)]},
        "return_request": {"resolution": "refund", "lines": [{"line_item_id": "0", "quantity": 1}]}}


def test_every_bad_field_is_named_when_types_are_wrong_too():
    """A wrong type stops msgspec at the first; the reader still names every bad field, range errors included."""
    policy, data = load_policy("aallyn"), _three_lines()
    lines = data["order"]["line_items"]
    lines[0]["id"], lines[1]["price"], lines[2]["quantity"] = True, "-1.00", "2"
    data["order"]["created_at"] = "yesterday"
    data["return_request"]["lines"][0]["condition"] = "shredded"
    with pytest.raises(RequestError) as caught:
        read_request(data, policy.tz, policy.currency)
    assert caught.value.errors == [
        {"field": "order.created_at", "message": "expected an ISO 8601 timestamp"},
        {"field": "order.line_items[0].id", "message": "expected a string or an integer id"},
        {"field": "order.line_items[1].price", "message": "must not be negative"},
        {"field": "order.line_items[2].quantity", "message": "expected a whole number, 0 or more"},
        {"field": "return_request.lines[0].condition", "message": "expected one of new, worn, damaged"}]


def test_every_value_out_of_range_is_named_when_the_types_are_right():
    policy, data = load_policy("aallyn"), _three_lines()
    lines = data["order"]["line_items"]
    lines[0]["discount"], lines[1]["compare_at_price"], lines[2]["quantity"] = "NaN", 10 ** 12, 1_000_001
    data["as_of"] = "0001-01-01T00:00:00+14:00"
    with pytest.raises(RequestError) as caught:
        read_request(data, policy.tz, policy.currency)
    assert caught.value.errors == [
        {"field": "as_of", "message": "expected a timestamp between the years 1900 and 2999"},
        {"field": "order.line_items[0].discount", "message": "expected a finite decimal amount"},
        {"field": "order.line_items[1].compare_at_price", "message": "must be less than 1,000,000,000,000"},
        {"field": "order.line_items[2].quantity", "message": "must be at most 1,000,000"}]


def test_a_request_cannot_set_what_the_reader_derives():
    """The facts are read straight from the request (facts.py): a field named like a derived fact is
    ignored like any unknown field, and the fact is what the reader derives."""
    policy, data = load_policy("aallyn"), _three_lines()
    data["order"]["line_items"][0].update({"marked_down": True, "has_discount": "yes", "discounted": [1]})
    data["order"].update({"country": "US", "local_date": "x", "po_box": True, "merch": "1e9"})
    data["order"]["fulfillments"] = [{"shipped_at": "2024-11-21T09:30:00-08:00", "delivered_date": 5}]
    data["return_request"]["lines"][0].update({"merchant_fault": True, "channel": "in_store", "exchanges_before": 9})
    req = read_request(data, policy.tz, policy.currency)
    line, order, returned = req.order.lines[0], req.order, req.return_lines[0]
    assert (line.marked_down, line.has_discount, line.discounted) == (False, False, False)
    assert (order.country, order.province, order.po_box, order.merch) == (None, None, None, 0)
    assert str(order.local_date) == "2024-11-20" and order.fulfillments[0].delivered_date is None
    assert (returned.merchant_fault, returned.channel, returned.exchanges_before) == (False, "mail", 0)


def _read(text: str, tz, days):
    try:
        return _moment(text, tz, days)
    except Exception as e:  # the reader's _Invalid: out of the years held, alike both ways
        return type(e).__name__


@pytest.mark.parametrize("name, year", [
    ("America/Los_Angeles", 2024), ("Europe/London", 2024), ("Australia/Lord_Howe", 2024),  # a 30-minute DST
    ("Pacific/Apia", 2011),  # skipped 30 December 2011 whole
    ("America/Sao_Paulo", 2018), ("America/Havana", 2024), ("Asia/Gaza", 2024),  # DST changes at midnight
    ("Asia/Kolkata", 2024), ("Pacific/Kiritimati", 1995), ("UTC", 1900), ("America/St_Johns", 2999)])
def test_the_zones_table_of_days_reads_every_local_date_as_astimezone_does(name, year):
    """calendar.ZoneDays spares astimezone for a timestamp in the offset its zone holds all its day: every
    half-hour of the year (and its edges), written in each offset the zone takes and in others (read through the
    zone's offset of the day they fall on), reads alike with and without."""
    tz, step = ZoneInfo(name), timedelta(minutes=30)
    days = ZoneDays(tz, *YEARS)
    start = datetime(year, 1, 1, tzinfo=timezone.utc) - timedelta(days=1)
    instants = [start + step * i for i in range(int((timedelta(days=368) / step)))]
    offsets = {i.astimezone(tz).utcoffset() for i in instants} | {timedelta(0), timedelta(hours=-10),
                                                                   timedelta(hours=5, minutes=30), timedelta(hours=14)}
    held = 0
    for instant in instants:
        wall = instant.astimezone(tz).replace(tzinfo=None)
        for offset in offsets:
            text = wall.replace(tzinfo=timezone(offset)).isoformat()
            assert _read(text, tz, days) == _read(text, tz, None), text
        held += days[wall.date()] is not False
    assert held > len(instants) * 0.9


def test_the_reader_unpacks_each_fact_in_its_declared_order():
    """request.py reads a Struct's fields at once (msgspec.structs.astuple) and unpacks them by position:
    a field moved in facts.py or schema.py must be moved there too."""
    from msgspec.structs import fields

    from backend.policy.facts import Address, Fulfillment, Line, Order, ReturnLine, ShippingLine
    from backend.policy.schema import DecisionRequest, ReturnRequest
    expected = {
        DecisionRequest: "order as_of return_request",
        Order: "created lines id currency channel tags codes address carriers fulfillments payments local_date "
               "country province po_box merch",
        Line: "id quantity price sku ptype tags compare_at discount gift_card props marked_down has_discount "
              "discounted",
        Address: "country_code province_code address1 address2",
        ShippingLine: "title carrier",
        Fulfillment: "line_ids shipped delivered shipped_date delivered_date",
        ReturnRequest: "resolution lines channel exchange_for exchanges_before earlier_returns",
        ReturnLine: "line_item_id quantity condition reason merchant_fault channel exchange_for exchanges_before",
    }
    assert {kind: " ".join(f.name for f in fields(kind)) for kind in expected} == expected
