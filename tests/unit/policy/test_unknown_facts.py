"""Unknown address facts: three-valued conditions, rules neither applied nor counted as not matching, and
`unknown_facts`/`undetermined` in the decision (issue 10)."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from backend.policy import decide, load_policy_text

POLICY = """
[policy]
name = "unknowns"
title = "Unknowns"
timezone = "America/New_York"
currency = "USD"

[[rules]]
id = "everyone"
title = "Everyone"
text = "Returns within 30 days of delivery."
windows = { refund = { days = 30, from = "delivery" } }

[[rules]]
id = "abroad-final"
title = "Abroad"
text = "Orders shipped abroad are final sale."
when = { ship_to_country_not = ["US"] }
class = "final_sale"

[[rules]]
id = "hk-shoes"
title = "Hong Kong shoes"
text = "Shoes shipped to Hong Kong are store credit only."
when = { ship_to_country = ["HK"], product_type = ["shoes"] }
class = "credit_only"

[[rules]]
id = "vip-or-po-box"
title = "VIP"
text = "VIP items and P.O. box orders get 60 days."
when_any = [{ po_box = true }, { product_tag = ["vip"] }]
windows = { refund = { days = 60, from = "delivery" } }

[[rules]]
id = "unless-us"
title = "Outside the US"
text = "Exchanges within 10 days, except in the US."
unless = { ship_to_country = ["US"] }
windows = { exchange = { days = 10, from = "delivery" } }

[[signature]]
id = "sign-in-ny"
title = "Signature"
text = "New York orders need a signature."
when = { ship_to_province = ["NY"] }
"""
NOW = datetime(2024, 6, 1, 12, tzinfo=timezone.utc)
REQUEST = {"order": {"created_at": "2024-05-01T10:00:00-04:00", "line_items": [
    {"id": "1", "sku": "A", "product_type": "Handbags", "quantity": 1, "price": "50.00"},
    {"id": "2", "sku": "B", "product_type": "Handbags", "product_tags": ["vip"], "quantity": 1, "price": "50.00"}]}}


def _decide(address):
    request = copy.deepcopy(REQUEST)
    if address is not None:
        request["order"]["shipping_address"] = address
    return decide(load_policy_text(POLICY), request, NOW)


def _undetermined(decision) -> set:
    return {(u["part"], u["rule"], u.get("line_item_id")) for u in decision["undetermined"]}


def test_without_an_address_only_rules_that_need_it_are_undetermined():
    decision = _decide(None)
    assert decision["unknown_facts"] == ["shipping_address"]
    assert _undetermined(decision) == {
        ("lines", "abroad-final", "1"), ("lines", "abroad-final", "2"),  # country unknown
        ("lines", "vip-or-po-box", "1"),  # no tag: the P.O. box decides, and it is unknown
        ("lines", "unless-us", "1"), ("lines", "unless-us", "2"),  # unless over an unknown country
        ("signature_required", "sign-in-ny", None)}
    # hk-shoes: handbags are known not to match, whatever the country; line 2's VIP tag matches anyway
    first, second = decision["lines"]
    assert first["class"] == second["class"] == "standard"  # abroad-final not applied as matching...
    assert first["resolutions"]["refund"]["window"] == {"days": 30, "from": "delivery"}
    assert second["resolutions"]["refund"]["window"] == {"days": 60, "from": "delivery"}
    assert first["resolutions"]["exchange"]["window"] is None  # ...nor unless-us as not matching
    assert decision["signature_required"] is False and decision["tags"] == []


@pytest.mark.parametrize("address", [{}, {"country_code": None, "province_code": None, "address1": None},
                                     {"country_code": "", "address1": "1 Main St"}])
def test_an_empty_or_redacted_country_is_unknown(address):
    decision = _decide(address)
    assert decision["unknown_facts"] == ["shipping_address"]
    assert ("lines", "abroad-final", "1") in _undetermined(decision)


def test_a_known_country_without_a_province_has_none():
    decision = _decide({"country_code": "GB", "address1": "1 High St"})
    assert decision["unknown_facts"] == [] and decision["undetermined"] == []
    assert decision["lines"][0]["class"] == "final_sale" and decision["signature_required"] is False


def test_a_known_address_decides_everything():
    decision = _decide({"country_code": "US", "province_code": "NY", "address1": "PO Box 9"})
    assert decision["unknown_facts"] == [] and decision["undetermined"] == []
    assert decision["signature_required"] is True
    assert [ln["resolutions"]["refund"]["window"]["days"] for ln in decision["lines"]] == [60, 60]


def test_an_unknown_street_leaves_only_the_po_box_undetermined():
    decision = _decide({"country_code": "US", "province_code": "CA"})
    assert decision["unknown_facts"] == ["shipping_address"]
    assert _undetermined(decision) == {("lines", "vip-or-po-box", "1")}
