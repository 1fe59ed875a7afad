"""The compiled policy: its memos never change an answer, caches belong to the policy, and many drafts in a
row each get their own answer (a cache keyed by id() once gave a 9-business-day draft a 1-day ship-by date)."""
from __future__ import annotations

import copy
import gc
import importlib
import pkgutil
import random
from datetime import datetime, timedelta, timezone

import pytest

import backend.policy
from backend.policy import RequestError, compile_policy, decide, load_policy, load_policy_text, preset_names
from backend.policy.compiled import compiled
from backend.policy.memo import Memo
from tests.unit.policy.requests import odd, well_formed

SEED, COUNT = 20241201, 400
DRAFT = """
[policy]
name = "draft"
title = "Draft"
timezone = "America/New_York"
currency = "USD"

[shipping]
id = "shipping"
title = "Shipping"
text = "We ship within {days} business days."
currency = "USD"

[shipping.ship_by]
id = "ship-by"
title = "Ships by"
text = "Orders leave the warehouse within {days} business days."
business_days = {days}
"""
# An order placed on Monday 2024-06-03 (no holidays in the draft): the Nth business day after it.
SHIPS_BY = {1: "2024-06-04", 2: "2024-06-05", 3: "2024-06-06", 4: "2024-06-07", 5: "2024-06-10",
            6: "2024-06-11", 7: "2024-06-12", 8: "2024-06-13", 9: "2024-06-14"}
CART = {"order": {"created_at": "2024-06-03T10:00:00-04:00", "line_items": [
    {"id": "1", "sku": "BAG-1", "product_type": "Handbags", "quantity": 1, "price": "95.00"}]}}
NOW = datetime(2024, 6, 3, 15, 0, tzinfo=timezone.utc)


def _decision(policy, data, now):
    try:
        return decide(policy, data, now)
    except RequestError as exc:
        return ("error", exc.errors)


def _another_day(data: dict) -> dict:
    """The same request for an order placed a month earlier (deadlines from the order date move)."""
    data = copy.deepcopy(data)
    created = (data.get("order") or {}).get("created_at")
    if isinstance(created, str) and created[:1] == "2" and created[5:7] != "01":
        data["order"]["created_at"] = created[:5] + f"{int(created[5:7]) - 1:02d}" + created[7:]
    return data


def _cases(rnd: random.Random) -> list:
    cases = [((well_formed(rnd) if i % 4 else odd(rnd)[0]),
              datetime(2024, 12, 1, tzinfo=timezone.utc) + timedelta(days=i % 3)) for i in range(COUNT)]
    again = [(copy.deepcopy(data), now) for data, now in cases]  # the second time round, memo hits
    return cases + again + [(_another_day(data), now) for data, now in cases]


@pytest.mark.parametrize("name", preset_names())
def test_memos_never_change_a_decision(name):
    policy = load_policy(name)
    cases = _cases(random.Random(SEED))
    memoised = [_decision(policy, data, now) for data, now in cases]
    assert [_decision(compile_policy(policy, memo_size=0), data, now) for data, now in cases] == memoised
    evicting = compile_policy(policy, memo_size=3)  # emptied every few texts
    assert [_decision(evicting, data, now) for data, now in cases] == memoised


def test_many_drafts_in_a_row_each_get_their_own_ship_by_date():
    for i in range(600):
        days = 1 + (i * 7) % 9
        draft = load_policy_text(DRAFT.replace("{days}", str(days)))
        assert decide(draft, CART, NOW)["shipping"]["ships_by"] == SHIPS_BY[days], (i, days)
        del draft  # its objects' ids are free for the next draft, as in the admin editor
        if i % 50 == 0:
            gc.collect()


def test_a_policy_keeps_its_own_compiled_form():
    policy, other = load_policy("aallyn"), load_policy("aallyn")
    assert compiled(policy) is compiled(policy)
    assert compiled(other) is not compiled(policy)
    own = compile_policy(policy)
    assert compiled(own) is own and decide(own, CART, NOW) == decide(policy, CART, NOW)


def test_no_module_of_the_engine_keeps_a_cache():
    for info in pkgutil.iter_modules(backend.policy.__path__):
        module = importlib.import_module(f"backend.policy.{info.name}")
        for name, value in vars(module).items():
            assert not isinstance(value, Memo), f"{info.name}.{name} is a module-global memo"
            assert not hasattr(value, "cache_info"), f"{info.name}.{name} is a module-global lru_cache"


def test_a_decision_hands_out_fresh_dicts():
    policy, rnd = load_policy("aallyn"), random.Random(SEED + 4)
    data, now = well_formed(rnd), datetime(2024, 12, 1, tzinfo=timezone.utc)
    first = decide(policy, data, now)
    expected = copy.deepcopy(first)
    for line in first["lines"]:
        line["reasons"].clear()
        for verdict in line["resolutions"].values():
            if verdict["window"]:
                verdict["window"]["days"] = -1
        if line["price_adjustment"]:
            line["price_adjustment"]["allowed"] = "changed"
    first["return_protection"]["offered"] = "changed"
    first["shipping"]["rate"] = "changed"
    first["blocked"].append({"rule": "changed"})
    first["unknown_facts"].append("changed")
    assert decide(policy, data, now) == expected


def test_deadline_texts_from_the_table_of_iso_dates_are_date_isoformat():
    from datetime import date

    from backend.policy.calendar import IsoDates

    table = IsoDates(years=2)
    for day in (date(2024, 2, 29), date(2024, 12, 31), date(2025, 1, 1), date(1, 1, 1), date(9999, 12, 31),
                date(2024, 3, 1), date(1900, 6, 15)):  # past two years the table starts over
        assert table[day] == day.isoformat()
    assert len(table) <= 2 * 366 + 366
