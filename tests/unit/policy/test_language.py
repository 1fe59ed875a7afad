"""Issue 14 language additions, decided end to end from small inline policies: lateness tiers
(days elapsed since the window's anchor) and windows that end on a date."""
from __future__ import annotations

import copy
from datetime import datetime, timezone

import pytest

from backend.policy import PolicyError, decide, load_policy_text
from backend.policy.lint import lint

NOW = datetime(2025, 6, 1, tzinfo=timezone.utc)
HEAD = '[policy]\nname = "x"\ntitle = "X"\ntimezone = "America/New_York"\ncurrency = "USD"\n'
TIERS = HEAD + '''
[[rules]]
id = "windows"
title = "Refund 30 days, store credit 60 days from delivery"
text = "Refunds within 30 days of delivery, store credit within 60."
windows = { refund = { days = 30, from = "delivery" }, store_credit = { days = 60, from = "delivery" } }

[[fees]]
id = "late-label-fee"
title = "$7 label fee, days 16 to 30"
text = "Free within 15 days of delivery; a $7 label fee for days 16 to 30."
kind = "handling"
amount = "7.00"
when = { days_elapsed_at_least = 16, days_elapsed_at_most = 30 }

[[fees]]
id = "very-late-fee"
title = "$10 fee after 30 days"
text = "After 30 days, store credit minus a $10 fee."
kind = "restocking"
amount = "10.00"
resolutions = ["store_credit"]
when = { days_elapsed_at_least = 31 }
'''
BASE = {
    "order": {
        "id": "1", "created_at": "2025-03-01T12:00:00-05:00", "currency": "USD",
        "shipping_address": {"country_code": "US", "province_code": "NY", "address1": "1 Main St"},
        "line_items": [{"id": "1", "sku": "S", "product_type": "Shirt", "product_tags": [], "quantity": 1,
                        "price": "50.00", "discount": "0.00"}],
        "fulfillments": [{"shipped_at": "2025-03-02T10:00:00-05:00", "delivered_at": "2025-03-04T15:00:00-05:00"}],
    },
}


def kinds(fees: list) -> list:
    return [{"kind": f["kind"], "amount": f["amount"]} for f in fees]


def request(as_of: str, resolution: str = "refund", **order) -> dict:
    req = copy.deepcopy(BASE)
    req["order"].update(order)
    req["as_of"] = as_of
    req["return_request"] = {"resolution": resolution, "lines": [{"line_item_id": "1", "quantity": 1}]}
    return req


@pytest.mark.parametrize("as_of,resolution,fees,total", [
    ("2025-03-19T12:00:00-04:00", "refund", [], "50.00"),                                       # day 15: free
    ("2025-03-20T12:00:00-04:00", "refund", [{"kind": "handling", "amount": "7.00"}], "43.00"),  # day 16
    ("2025-04-03T12:00:00-04:00", "refund", [{"kind": "handling", "amount": "7.00"}], "43.00"),  # day 30
    ("2025-04-04T12:00:00-04:00", "store_credit", [{"kind": "restocking", "amount": "10.00"}], "40.00"),  # 31
])
def test_a_fee_follows_the_lateness_tier(as_of, resolution, fees, total):
    got = decide(load_policy_text(TIERS), request(as_of, resolution), NOW)["return"]
    assert got["allowed"] is True
    assert kinds(got["fees"]) == fees and got["refund_total"] == total


def test_day_31_refund_is_past_its_window_and_charges_nothing():
    got = decide(load_policy_text(TIERS), request("2025-04-04T12:00:00-04:00"), NOW)["return"]
    assert got["allowed"] is False and got["fees"] == []


def test_days_count_from_the_window_anchor_of_the_requested_resolution():
    text = TIERS.replace('store_credit = { days = 60, from = "delivery" }', 'store_credit = { days = 60, from = "order" }')
    # Day 31 after the order date (March 1 + 31 = April 1) but day 28 after delivery.
    got = decide(load_policy_text(text), request("2025-04-01T12:00:00-04:00", "store_credit"), NOW)["return"]
    assert kinds(got["fees"]) == [{"kind": "restocking", "amount": "10.00"}]
    refund = decide(load_policy_text(text), request("2025-04-01T12:00:00-04:00", "refund"), NOW)["return"]
    assert kinds(refund["fees"]) == [{"kind": "handling", "amount": "7.00"}]


def test_before_delivery_no_day_has_elapsed():
    undelivered = [{"shipped_at": "2025-03-02T10:00:00-05:00"}]
    got = decide(load_policy_text(TIERS), request("2025-03-10T12:00:00-04:00", fulfillments=undelivered), NOW)
    assert got["return"]["fees"] == [] and got["return"]["refund_total"] == "50.00"


def test_a_return_rule_tier_downgrades_late_refunds_to_store_credit():
    text = HEAD + '''
[[rules]]
id = "w"
title = "W"
text = "Returns within 40 days of delivery."
windows = { refund = { days = 40, from = "delivery" }, store_credit = { days = 40, from = "delivery" } }

[[return_rules]]
id = "late-credit-only"
title = "After 14 days: store credit only"
text = "Refunds within 14 days; after that, store credit only."
when = { days_elapsed_at_least = 15 }
allow_only = ["store_credit"]
'''
    policy = load_policy_text(text)
    assert decide(policy, request("2025-03-18T12:00:00-04:00"), NOW)["return"]["allowed"] is True   # day 14
    late = decide(policy, request("2025-03-19T12:00:00-04:00"), NOW)["return"]                      # day 15
    assert late["allowed"] is False and late["lines"][0]["reasons"][0]["rule"] == "late-credit-only"
    assert decide(policy, request("2025-03-19T12:00:00-04:00", "store_credit"), NOW)["return"]["allowed"] is True


def test_a_typo_in_a_day_condition_names_its_position():
    text = TIERS.replace("days_elapsed_at_least = 31", "days_elapsed_at_lest = 31")
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, "x.toml")
    assert [str(p) for p in caught.value.problems] == ["x.toml:28:10: unknown condition 'days_elapsed_at_lest'; did you mean 'days_elapsed_at_least'?"]


def test_a_day_condition_must_be_a_whole_number():
    with pytest.raises(PolicyError) as caught:
        load_policy_text(TIERS.replace("days_elapsed_at_least = 31", 'days_elapsed_at_least = "31"'), "x.toml")
    assert "must be a whole number of days" in str(caught.value.problems[0])


def test_a_day_condition_is_refused_in_line_rules():
    text = TIERS.replace('windows = { refund', 'when = { days_elapsed_at_least = 3 }\nwindows = { refund')
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, "x.toml")
    assert "needs a return request" in str(caught.value.problems[0])


def test_lint_reports_tiers_that_can_never_apply_or_overlap():
    text = TIERS.replace("days_elapsed_at_least = 31 }", "days_elapsed_at_least = 61 }")
    text += ('\n[[fees]]\nid = "overlap"\ntitle = "O"\ntext = "T"\nkind = "handling"\namount = "3.00"\n'
             'when = { days_elapsed_at_least = 30 }\n'
             '\n[[fees]]\nid = "upside-down"\ntitle = "U"\ntext = "T"\nkind = "label"\namount = "3.00"\n'
             'when = { days_elapsed_at_least = 9, days_elapsed_at_most = 8 }\n')
    messages = [p.message for p in lint(load_policy_text(text))]
    assert any("'very-late-fee' can never apply: it starts on day 61" in m for m in messages)
    assert any("'late-label-fee' and 'overlap' overlap" in m for m in messages)
    assert any("'upside-down' can never fire" in m for m in messages)
    assert not any("'late-label-fee' can never" in m for m in messages)


HOLIDAY = HEAD + '''
[[rules]]
id = "regular"
title = "30 days from the order"
text = "Returns within 30 days of the order date."
windows = { refund = { days = 30, from = "order" }, exchange = { days = 30, from = "order" } }

[[rules]]
id = "holiday"
title = "Holiday orders: until January 15"
text = "Orders placed from November 1 are returnable until January 15."
when = { order_season = { from = "11-01", to = "12-31" } }
windows = { refund = { days = 30, from = "order", until = "01-15" }, exchange = { until = "01-15" } }
'''


def ordered(created_at: str, as_of: str, resolution: str = "refund") -> dict:
    return decide(load_policy_text(HOLIDAY), request(as_of, resolution, created_at=created_at), NOW)


@pytest.mark.parametrize("created_at,as_of,resolution,deadline,allowed", [
    ("2024-11-02T12:00:00-05:00", "2025-01-10T12:00:00-05:00", "refund", "2025-01-15", True),
    ("2024-11-02T12:00:00-05:00", "2025-01-15T23:00:00-05:00", "refund", "2025-01-15", True),    # the date itself
    ("2024-11-02T12:00:00-05:00", "2025-01-16T00:30:00-05:00", "refund", "2025-01-15", False),
    ("2024-12-28T12:00:00-05:00", "2025-01-20T12:00:00-05:00", "refund", "2025-01-27", True),    # 30 days is later
    ("2024-12-28T12:00:00-05:00", "2025-01-20T12:00:00-05:00", "exchange", "2025-01-15", False),  # until alone
    ("2024-10-31T23:30:00-04:00", "2024-12-20T12:00:00-05:00", "refund", "2024-11-30", False),   # not holiday
])
def test_holiday_orders_are_returnable_until_january_15(created_at, as_of, resolution, deadline, allowed):
    got = ordered(created_at, as_of, resolution)
    line = got["lines"][0]["resolutions"][resolution]
    assert (line["deadline"], line["allowed"]) == (deadline, allowed)
    assert got["return"]["allowed"] is allowed


def test_a_window_with_a_return_by_date_shows_it():
    line = ordered("2024-11-02T12:00:00-05:00", "2024-11-05T12:00:00-05:00")["lines"][0]["resolutions"]
    assert line["refund"]["window"] == {"days": 30, "from": "order", "until": "2025-01-15"}
    assert line["exchange"]["window"] == {"days": 74, "from": "order", "until": "2025-01-15"}


def test_an_absolute_return_by_date_and_a_season_across_the_new_year():
    text = HOLIDAY.replace('until = "01-15" }, exchange', 'until = 2025-01-20 }, exchange').replace(
        'to = "12-31"', 'to = "01-05"')
    policy = load_policy_text(text)
    got = decide(policy, request("2025-01-19T12:00:00-05:00", created_at="2025-01-04T12:00:00-05:00"), NOW)
    assert got["lines"][0]["resolutions"]["refund"]["deadline"] == "2025-02-03"  # 30 days beats Jan 20
    got = decide(policy, request("2025-01-19T12:00:00-05:00", created_at="2024-11-04T12:00:00-05:00"), NOW)
    assert got["lines"][0]["resolutions"]["refund"]["deadline"] == "2025-01-20"
    outside = decide(policy, request("2025-01-19T12:00:00-05:00", created_at="2025-01-06T12:00:00-05:00"), NOW)
    assert outside["lines"][0]["reasons"][0]["rule"] == "regular"


@pytest.mark.parametrize("window,message", [
    ('{ untill = "01-15" }', "x.toml:18:83: field 'windows': unknown window field 'untill' in 'exchange'"),
    ('{ until = "13-01" }', "x.toml:18:83: field 'windows': 'exchange': until must be a date"),
    ('{ days = 3 }', "x.toml:18:70: field 'windows': 'exchange' needs both 'days' and 'from'"),
])
def test_a_typo_in_a_window_names_its_position(window, message):
    text = HOLIDAY.replace('exchange = { until = "01-15" }', f"exchange = {window}")
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, "x.toml")
    assert str(caught.value.problems[0]).startswith(message)


def test_a_bad_season_names_its_position():
    with pytest.raises(PolicyError) as caught:
        load_policy_text(HOLIDAY.replace('to = "12-31"', 'too = "12-31"'), "x.toml")
    assert str(caught.value.problems[0]).startswith("x.toml:17:10: condition 'order_season' must be")


def test_render_reads_the_return_by_date():
    from backend.policy import render_policy
    page = render_policy(load_policy_text(HOLIDAY), NOW)
    assert "orders placed from November 1 to December 31 (every year)" in page
    assert "refund within 30 days of the order date or until January 15 following the order, whichever is later" in page
    assert "exchange until January 15 following the order" in page


SALE = HEAD + '''
[[rules]]
id = "w"
title = "W"
text = "Returns within 30 days of delivery."
windows = { refund = { days = 30, from = "delivery" } }

[[rules]]
id = "deep-discount-final"
title = "Discounted 40% or more: final sale"
text = "Anything discounted by 40% or more, by its sale price, a promo code or both, is final sale."
when = { discount_percent_at_least = 40 }
class = "final_sale"
'''


@pytest.mark.parametrize("price,compare_at,discount,quantity,cls", [
    ("60.00", "100.00", "0.00", 1, "final_sale"),     # exactly 40 % by the sale price
    ("60.01", "100.00", "0.00", 1, "standard"),       # 39.99 %
    ("100.00", None, "80.00", 2, "final_sale"),        # a code of 80 over two units of 100: 40 %
    ("100.00", None, "79.98", 2, "standard"),
    ("80.00", "100.00", "40.00", 2, "final_sale"),     # 20 % sale + 20 more by code: 40 % together
    ("80.00", "100.00", "39.98", 2, "standard"),
    ("0.00", None, "0.00", 1, "standard"),             # a free item is not "discounted"
])
def test_discount_percent_counts_sale_price_and_codes_together(price, compare_at, discount, quantity, cls):
    req = copy.deepcopy(BASE)
    req["order"]["line_items"][0].update(price=price, compare_at_price=compare_at, discount=discount,
                                          quantity=quantity)
    assert decide(load_policy_text(SALE), req, NOW)["lines"][0]["class"] == cls


def test_a_discount_percent_above_100_is_refused_at_its_position():
    with pytest.raises(PolicyError) as caught:
        load_policy_text(SALE.replace("at_least = 40", "at_least = 140"), "x.toml")
    assert str(caught.value.problems[0]) == ("x.toml:17:10: condition 'discount_percent_at_least' "
                                             "must be a percentage from 0 to 100")


def test_lint_and_render_know_discount_percent():
    text = SALE.replace("at_least = 40 }", "at_least = 40, discount_percent_below = 30 }")
    assert any("can never fire" in p.message for p in lint(load_policy_text(text)))
    from backend.policy import render_policy
    assert "items discounted by 40% or more (sale price and codes together)" in render_policy(load_policy_text(SALE), NOW)


BONUS = TIERS.replace('kind = "handling"', 'kind = "label"') + '''
[[bonus_credit]]
id = "credit-bonus"
title = "10% more when you choose store credit"
text = "Choose store credit and get 110% of the item's value."
percent = "10"
cap = "8.00"

[[bonus_credit]]
id = "flat-bonus"
title = "$15 more for store credit on sale items"
text = "Get an extra $15 when you take store credit for a sale item."
amount = "15.00"
when = { marked_down = true }
'''


def test_bonus_credit_is_its_own_outcome_with_a_cap():
    req = request("2025-03-10T12:00:00-04:00", "store_credit")
    got = decide(load_policy_text(BONUS), req, NOW)["return"]
    assert (got["refund_total"], got["bonus_credit"], got["credit_total"]) == ("50.00", "5.00", "55.00")
    req["order"]["line_items"][0].update(price="100.00", compare_at_price="150.00")
    got = decide(load_policy_text(BONUS), req, NOW)["return"]
    assert (got["bonus_credit"], got["credit_total"]) == ("23.00", "123.00")  # 10 % capped at 8, plus 15


def test_a_refund_gets_no_bonus_and_fees_carry_their_names():
    got = decide(load_policy_text(BONUS), request("2025-03-20T12:00:00-04:00"), NOW)["return"]
    assert got["fees"] == [{"kind": "label", "amount": "7.00", "name": "$7 label fee, days 16 to 30"}]
    assert (got["refund_total"], got["bonus_credit"], got["credit_total"]) == ("43.00", "0.00", "0.00")


def test_a_negative_fee_is_refused_and_points_to_bonus_credit():
    with pytest.raises(PolicyError) as caught:
        load_policy_text(TIERS.replace('amount = "7.00"', 'percent = "-15"'), "x.toml")
    assert str(caught.value.problems[0]) == ("x.toml:18:1: field 'percent': must be a percentage from 0 to 100 (got -15); "
                                             "extra store credit is a [[bonus_credit]] rule, not a negative fee")


def test_a_typo_in_a_bonus_names_its_position():
    with pytest.raises(PolicyError) as caught:
        load_policy_text(BONUS.replace('cap = "8.00"', 'capp = "8.00"'), "x.toml")
    assert [str(p) for p in caught.value.problems] == ["x.toml:35:1: unknown field 'capp' in [[bonus_credit]]; did you mean 'cap'?"]


def test_lint_and_render_know_bonus_credit():
    text = BONUS.replace('amount = "15.00"', 'amount = "15.00"\ncap = "10.00"')
    assert any("bonus 'flat-bonus' of 15.00 always exceeds its cap 10.00" in p.message for p in lint(load_policy_text(text)))
    from backend.policy import render_policy
    page = render_policy(load_policy_text(BONUS), NOW)
    assert "10% extra store credit on each item, up to $8.00 when you choose store credit." in page
    assert "$15.00 extra store credit per return when you choose store credit, for marked-down items." in page


def test_a_flat_fee_per_item_counts_returned_units():
    text = TIERS + ('\n[[fees]]\nid = "damage"\ntitle = "$10 damage fee per item"\ntext = "T"\nkind = "handling"\n'
                    'amount = "10.00"\nper = "item"\nwhen = { item_condition = ["damaged"] }\n')
    req = request("2025-03-10T12:00:00-04:00")
    req["order"]["line_items"][0]["quantity"] = 3
    req["return_request"]["lines"] = [{"line_item_id": "1", "quantity": 2, "condition": "damaged"}]
    got = decide(load_policy_text(text), req, NOW)["return"]
    assert kinds(got["fees"]) == [{"kind": "handling", "amount": "20.00"}] and got["refund_total"] == "80.00"


def test_per_is_only_for_flat_fees():
    text = TIERS.replace('amount = "7.00"', 'percent = "7"\nper = "item"')
    with pytest.raises(PolicyError) as caught:
        load_policy_text(text, "x.toml")
    assert str(caught.value.problems[0]).startswith("x.toml:19:1: [[fees]] 'per' applies to a flat 'amount'")


CHANNELS = TIERS + '''
[[return_rules]]
id = "cash-in-store-only"
title = "Cash or Interac store purchases come back to a store"
text = "In-store purchases paid with cash or Interac must be returned in store."
when = { sales_channel = ["pos"], payment_method = ["cash", "interac"], return_channel = ["mail"] }
refuse = true
lifted_by_merchant_fault = false

[[fees]]
id = "mail-fee"
title = "$10 by mail"
text = "Returns by mail pay $10; none in store."
kind = "restocking"
amount = "10.00"
unless = { return_channel = ["in_store"] }
'''


@pytest.mark.parametrize("source,gateways,channel,allowed,fees", [
    ("pos", ["Cash"], "mail", False, []),
    ("pos", ["Cash"], "in_store", True, []),
    ("pos", ["shopify_payments"], "mail", True, [{"kind": "restocking", "amount": "10.00"}]),
    ("web", None, None, True, [{"kind": "restocking", "amount": "10.00"}]),  # an old request: by mail
])
def test_purchase_and_return_channels_and_payment_method(source, gateways, channel, allowed, fees):
    req = request("2025-03-10T12:00:00-04:00", source_name=source)
    if gateways is not None:
        req["order"]["payment_gateway_names"] = gateways
    if channel is not None:
        req["return_request"]["channel"] = channel
    got = decide(load_policy_text(CHANNELS), req, NOW)["return"]
    assert got["allowed"] is allowed and kinds(got["fees"]) == fees


def test_an_unknown_return_channel_is_a_field_error():
    from backend.policy import RequestError
    req = request("2025-03-10T12:00:00-04:00")
    req["return_request"]["channel"] = "drone"
    with pytest.raises(RequestError) as caught:
        decide(load_policy_text(CHANNELS), req, NOW)
    assert [e["field"] for e in caught.value.errors] == ["return_request.channel"]


def test_a_typo_in_a_return_channel_names_its_position():
    with pytest.raises(PolicyError) as caught:
        load_policy_text(CHANNELS.replace('return_channel = ["in_store"]', 'return_channel = ["instore"]'), "x.toml")
    assert str(caught.value.problems[0]).startswith("x.toml:44:30: condition 'return_channel': unknown value 'instore'")


@pytest.mark.parametrize("name,phrases", [
    ("tentree", ["until January 15 following the order, whichever is later", "$10.00 label fee per return on refund or store credit or exchange, for all orders except exchanges for another size or colour of the same style",
                 "For orders shipped to GB or the EU: refund within 14 days of the order date",
                 "Items returned damaged, tags removed, washed or worn: not accepted"]),
    ("echt", ["refund within 14 days of delivery; store credit within 40 days", "10% extra store credit on each item",
              "10.00 AUD fee per item", "For marked-down items: exchange or store credit only (no refund)",
              "Orders already exchanged once or more: accepted for store credit only",
              "for all orders except orders already exchanged once or more",
              "15.00 AUD return shipping fee per order (once, however many returns) on refund or store credit, for orders shipped to US",
              "Product type swimwear and items returned hygiene label removed: not accepted"]),
    ("la-canadienne", ["items discounted by 40% or more (sale price and codes together)", "returns made by mail: not accepted",
                       "25.00 CAD fee per return", "except returns made in store"]),
    ("gobi-cashmere", ["refund within 30 days of delivery; store credit within 44 days", "$12.00 fee per return on refund",
                       "If you return items from an order that came with a free gift (products tagged "
                       "gift-with-purchase), send the gift back too; otherwise its value is deducted",
                       "Products tagged bogo and the free items that come with them (products tagged bogo-free) share "
                       "what you paid for them equally"]),
])
def test_example_policies_load_lint_clean_of_errors_and_render_their_clauses(name, phrases):
    from backend.policy import check_files, render_policy
    from backend.policy.rules import RULES_DIR
    path = RULES_DIR / "examples" / f"{name}.toml"
    assert all(p.severity == "warning" for p in check_files([str(path)]))
    page = render_policy(load_policy_text(path.read_text(), str(path)), NOW)
    for phrase in phrases:
        assert phrase in page, phrase


WORDS = HEAD.replace('currency = "USD"\n', 'currency = "USD"\nconditions = ["unopened", "opened", "tags_removed"]\n') + '''
[[rules]]
id = "w"
title = "W"
text = "Returns within 30 days of delivery."
windows = { refund = { days = 30, from = "delivery" }, store_credit = { days = 30, from = "delivery" } }

[[return_rules]]
id = "opened-credit-only"
title = "Opened: store credit only"
text = "Opened items can be returned for store credit only."
when = { item_condition = ["opened"] }
allow_only = ["store_credit"]

[[return_rules]]
id = "tags-removed"
title = "Tags removed: not accepted"
text = "Items without their tags cannot be returned."
when = { item_condition = ["tags_removed", "worn"] }
refuse = true
'''


@pytest.mark.parametrize("condition,resolution,allowed", [
    ("unopened", "refund", True), ("opened", "refund", False), ("opened", "store_credit", True),
    ("tags_removed", "store_credit", False), ("worn", "store_credit", False), (None, "refund", True),
])
def test_a_policy_declares_its_own_condition_words(condition, resolution, allowed):
    req = request("2025-03-10T12:00:00-04:00", resolution)
    if condition is not None:
        req["return_request"]["lines"][0]["condition"] = condition
    assert decide(load_policy_text(WORDS), req, NOW)["return"]["allowed"] is allowed


def test_a_word_the_policy_does_not_know_is_a_request_error():
    from backend.policy import RequestError
    req = request("2025-03-10T12:00:00-04:00")
    req["return_request"]["lines"][0]["condition"] = "unopened"
    with pytest.raises(RequestError) as caught:
        decide(load_policy_text(TIERS), req, NOW)
    assert [e["field"] for e in caught.value.errors] == ["return_request.lines[0].condition"]


def test_a_condition_word_typo_in_a_rule_names_its_position():
    with pytest.raises(PolicyError) as caught:
        load_policy_text(WORDS.replace('["opened"]', '["opend"]'), "x.toml")
    assert str(caught.value.problems[0]).startswith("x.toml:18:10: condition 'item_condition' unknown value 'opend'")
    with pytest.raises(PolicyError) as caught:
        load_policy_text(WORDS.replace('"tags_removed"]\n', '"Tags removed"]\n', 1), "x.toml")
    assert str(caught.value.problems[0]).startswith("x.toml:6:1: field 'conditions': must be a list of lower-case")


SCOPE = TIERS.replace('store_credit = { days = 60, from = "delivery" } }',
                      'store_credit = { days = 60, from = "delivery" }, exchange = { days = 30, from = "delivery" } }') + '''
[[fees]]
id = "label-fee"
title = "$10 label fee, waived for same-style exchanges"
text = "Every return pays a $10 label fee, unless you exchange for another size or colour of the same style."
kind = "label"
amount = "10.00"
unless = { exchange_for = ["same_style"] }
'''


@pytest.mark.parametrize("resolution,scope,fees", [
    ("exchange", None, []),
    ("exchange", "same_style", []),
    ("exchange", "other_item", [{"kind": "label", "amount": "10.00"}]),
    ("refund", None, [{"kind": "label", "amount": "10.00"}]),
])
def test_exchange_scope_waives_a_fee_for_the_same_style(resolution, scope, fees):
    req = request("2025-03-10T12:00:00-04:00", resolution)
    if scope is not None:
        req["return_request"]["exchange_for"] = scope
    assert kinds(decide(load_policy_text(SCOPE), req, NOW)["return"]["fees"]) == fees


def test_an_unknown_exchange_scope_is_a_field_error():
    from backend.policy import RequestError
    req = request("2025-03-10T12:00:00-04:00", "exchange")
    req["return_request"]["exchange_for"] = "anything"
    with pytest.raises(RequestError) as caught:
        decide(load_policy_text(SCOPE), req, NOW)
    assert [e["field"] for e in caught.value.errors] == ["return_request.exchange_for"]
