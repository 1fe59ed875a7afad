"""The policy builder's service, without HTTP: every shipped policy opens with each rule shown (or listed
read-only with its reason), a round trip is byte-identical, and each kind of edit writes the TOML a
merchant would have written by hand — comments, rule order and every other line untouched."""
from __future__ import annotations

import difflib
import tomllib
from pathlib import Path

import pytest

from backend.policy import load_policy_text
from backend.services.admin import builder, builder_doc

ROOT = Path(__file__).resolve().parents[2] / "policy_rules"
FILES = sorted(ROOT.glob("*.toml")) + sorted((ROOT / "examples").glob("*.toml"))
AALLYN = (ROOT / "aallyn.toml").read_text(encoding="utf-8")


def ids_in(node) -> list[str]:
    """Every rule id in a parsed file, read with the standard library (not the builder's reader)."""
    if isinstance(node, list):
        return [i for item in node for i in ids_in(item)]
    if not isinstance(node, dict):
        return []
    own = [node["id"]] if isinstance(node.get("id"), str) else []
    return own + [i for value in node.values() for i in ids_in(value)]


def rows(form):
    return [r for s in form["sections"] for r in s["rows"]]


def changed_lines(before: str, after: str) -> list[str]:
    return [l for l in difflib.unified_diff(before.splitlines(), after.splitlines(), lineterm="", n=0)
            if l[:1] in "+-" and not l.startswith(("+++", "---"))]


def edit(source, **op):
    return builder.apply(source, [op])


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_every_rule_of_a_shipped_policy_is_shown_or_listed_with_a_reason(path):
    text = path.read_text(encoding="utf-8")
    form = builder.open_form(text)
    assert form["ok"] and form["check"]["ok"]
    shown = [r["id"] for r in rows(form) if r["id"]]
    listed = [r["id"] for r in form["readonly"]]
    assert sorted(shown + listed) == sorted(ids_in(tomllib.loads(text)))
    data = tomllib.loads(text)
    assert ("delivery_fallback" in data["policy"]) == any(r["table"] == "policy.delivery_fallback" for r in rows(form))
    assert all(r["reason"] for r in form["readonly"])
    for row in rows(form):
        assert all("advanced view" in extra["reason"] for extra in row["extras"])
        if row["has_info"]:
            assert row["text"], row["id"]  # the sentence each rule implements is on its row


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_a_round_trip_through_the_builder_is_byte_identical(path):
    text = path.read_text(encoding="utf-8")
    assert builder_doc.parse(text).as_string() == text
    # Every field sent back with the value the form shows: the file does not change by one byte.
    for row in rows(builder.open_form(text)):
        for field in row["fields"]:
            value = field["state"] if field["kind"] == "window" else field["value"]
            if field["kind"] in ("flag", "multi") and field["raw"] is None:
                value = list(field["default"] or []) if field["kind"] == "multi" else bool(field["default"])
            if isinstance(value, (int, float)) and not isinstance(value, bool):
                value = str(value)  # what an input's value is in the browser
            after = edit(text, op="set", ref=row["ref"], path=field["path"], value=value)
            assert after == text, (row["id"], field["path"], changed_lines(text, after))


def test_changing_a_window_rewrites_only_that_rule_s_windows_line():
    after = edit(AALLYN, op="set", ref={"table": "rules", "id": "us-returns"}, path=["windows", "refund", "days"],
                 value="30")
    assert changed_lines(AALLYN, after) == [
        '-windows = { refund = { days = 21, from = "delivery" }, store_credit = { days = 21, from = "delivery" }, exchange = { days = 21, from = "delivery" } }',
        '+windows = { refund = { days = 30, from = "delivery" }, store_credit = { days = 21, from = "delivery" }, exchange = { days = 21, from = "delivery" } }']


def test_a_resolution_can_be_closed_left_to_other_rules_or_given_a_return_by_date():
    ref = {"table": "rules", "id": "holiday-2024"}
    closed = edit(AALLYN, op="set", ref=ref, path=["windows", "exchange"], value="no")
    assert '+windows = { refund = { days = 21, from = "delivery" }, store_credit = { days = 45, from = "delivery" }, exchange = false }' in changed_lines(AALLYN, closed)
    left = edit(AALLYN, op="set", ref=ref, path=["windows", "exchange"], value="inherit")
    assert '+windows = { refund = { days = 21, from = "delivery" }, store_credit = { days = 45, from = "delivery" } }' in changed_lines(AALLYN, left)
    until = edit(AALLYN, op="set", ref=ref, path=["windows", "refund", "until"], value="01-15")
    assert '+windows = { refund = { days = 21, from = "delivery", until = "01-15" }, store_credit = { days = 45, from = "delivery" }, exchange = { days = 45, from = "delivery" } }' in changed_lines(AALLYN, until)
    reopened = edit(closed, op="set", ref=ref, path=["windows", "exchange"], value="allowed")
    assert "exchange = { days = 30, from = \"delivery\" }" in reopened


def test_adding_a_final_sale_tag_extends_the_rule_s_tag_list():
    after = edit(AALLYN, op="set", ref={"table": "rules", "id": "final-sale"}, path=["when", "product_tag"],
                 value="final-sale, sample")
    assert changed_lines(AALLYN, after) == ['-when = { product_tag = ["final-sale"] }',
                                            '+when = { product_tag = ["final-sale", "sample"] }']


def test_a_condition_on_a_rule_without_one_goes_right_after_its_sentence():
    after = edit(AALLYN, op="set", ref={"table": "rules", "id": "us-returns"}, path=["when", "ship_to_country"],
                 value="us, ca")
    lines = after.splitlines()
    sentence = next(i for i, l in enumerate(lines) if l.startswith('text = "Returns are eligible for Refund'))
    assert lines[sentence + 1] == 'when = { ship_to_country = ["US", "CA"] }'
    assert len(changed_lines(AALLYN, after)) == 1


def test_gift_cards_and_a_discount_threshold_join_the_final_sale_rule():
    ref = {"table": "rules", "id": "final-sale"}
    after = builder.apply(AALLYN, [{"op": "set", "ref": ref, "path": ["when", "gift_card"], "value": True},
                                   {"op": "set", "ref": ref, "path": ["when", "discount_percent_at_least"], "value": "40"}])
    assert changed_lines(AALLYN, after)[-1] == '+when = { product_tag = ["final-sale"], gift_card = true, discount_percent_at_least = "40" }'
    assert load_policy_text(after, "x.toml")


def test_a_fee_can_be_charged_per_item_waived_by_protection_or_made_a_percentage():
    ref = {"table": "fees", "id": "international-restocking-fee"}
    after = builder.apply(AALLYN, [{"op": "set", "ref": ref, "path": ["per"], "value": "item"},
                                   {"op": "set", "ref": ref, "path": ["waived_by_protection"], "value": True},
                                   {"op": "set", "ref": ref, "path": ["resolutions"], "value": ["refund"]}])
    assert changed_lines(AALLYN, after) == ['+per = "item"', '+waived_by_protection = true', '+resolutions = ["refund"]']
    percent = builder.apply(AALLYN, [{"op": "set", "ref": ref, "path": ["amount"], "value": ""},
                                     {"op": "set", "ref": ref, "path": ["percent"], "value": "10%"}])
    assert changed_lines(AALLYN, percent) == ['-amount = "15.00"', '+percent = "10"']


def test_a_lateness_fee_tier_is_added_after_the_last_fee_with_the_comments_kept_below_it():
    after = edit(AALLYN, op="add", section="fees", title="$7 label fee, days 16 to 30",
                 text="A $7 label fee for returns started 16 to 30 days after delivery.",
                 values=[{"path": ["kind"], "value": "label"}, {"path": ["amount"], "value": "7.00"},
                         {"path": ["when", "days_elapsed_at_least"], "value": "16"},
                         {"path": ["when", "days_elapsed_at_most"], "value": "30"}])
    expected = AALLYN.replace(
        'when = { ship_to_country_not = ["US"] }\n\n# ---- free gift with purchase',
        'when = { ship_to_country_not = ["US"] }\n\n[[fees]]\nid = "7-label-fee-days-16-to-30"\n'
        'title = "$7 label fee, days 16 to 30"\n'
        'text = "A $7 label fee for returns started 16 to 30 days after delivery."\n'
        'when = { days_elapsed_at_least = 16, days_elapsed_at_most = 30 }\nkind = "label"\namount = "7.00"\n\n'
        '# ---- free gift with purchase', 1)
    assert after == expected
    assert load_policy_text(after, "x.toml").fees[-1].info.id == "7-label-fee-days-16-to-30"


def test_a_new_section_starts_at_the_end_of_the_file_and_a_rule_can_be_removed():
    added = edit(AALLYN, op="add", section="bonus", title="110% store credit", text="Choose store credit and get 10% more.",
                 values=[{"path": ["percent"], "value": "10"}, {"path": ["cap"], "value": "50.00"}])
    assert added.endswith('\n\n[[bonus_credit]]\nid = "110-store-credit"\ntitle = "110% store credit"\n'
                          'text = "Choose store credit and get 10% more."\npercent = "10"\ncap = "50.00"\n')
    removed = edit(AALLYN, op="remove", ref={"table": "blocks", "id": "no-po-boxes"})
    assert "no-po-boxes" not in removed and removed.endswith('GA = 2024-10-25 }\n')
    assert load_policy_text(removed, "x.toml")


def test_a_sentence_of_the_written_policy_is_linked_to_the_rule_the_merchant_chooses():
    ref = {"table": "fees", "id": "us-restocking-fee"}
    replaced = edit(AALLYN, op="link", ref=ref, sentence="  A $15 restocking fee applies\n to returns. ", mode="replace")
    assert '+text = "A $15 restocking fee applies to returns."' in changed_lines(AALLYN, replaced)
    appended = edit(AALLYN, op="link", ref=ref, sentence="Exchanges too.", mode="append")
    assert '+text = "Returns and exchanges are subject to a $15.00 restocking fee. Exchanges too."' in changed_lines(AALLYN, appended)


def test_what_the_field_cannot_take_is_refused_with_the_reason():
    with pytest.raises(builder.BuilderError, match="not a whole number of days"):
        edit(AALLYN, op="set", ref={"table": "rules", "id": "us-returns"}, path=["windows", "refund", "days"], value="2 weeks")
    with pytest.raises(builder.BuilderError, match="cannot be empty"):
        edit(AALLYN, op="set", ref={"table": "rules", "id": "us-returns"}, path=["text"], value=" ")
    with pytest.raises(builder.BuilderError, match="no rule"):
        edit(AALLYN, op="set", ref={"table": "rules", "id": "nope"}, path=["title"], value="x")
    with pytest.raises(builder.BuilderError, match="advanced view"):
        edit(AALLYN, op="set", ref={"table": "rules", "id": "us-returns"}, path=["contradicts"], value="x")


OVERLAP = AALLYN.replace('[[rules]]\nid = "holiday-2024"', '[[rules]]\nid = "holiday-2024"', 1).replace(
    'id = "us-returns"\n', 'id = "us-returns"\n', 1).replace(
    'when = { order_date_from = 2024-11-18, order_date_to = 2024-12-12 }\nwindows = { refund = { days = 21, from = "delivery" }, store_credit = { days = 45, from = "delivery" }, exchange = { days = 45, from = "delivery" } }',
    'when = { order_date_from = 2024-11-18, order_date_to = 2024-12-12 }\nwindows = { exchange = { days = 45, from = "delivery" } }', 1).replace(
    'text = "Returns are eligible for Refund up to 21 days after delivery date. Exchanges or Returns for Store Credit are eligible up to 21 days after delivery date."\n',
    'text = "Returns are eligible for Refund up to 21 days after delivery date. Exchanges or Returns for Store Credit are eligible up to 21 days after delivery date."\nwhen = { ship_to_country = ["US"] }\n', 1)


def test_lint_speaks_plainly_next_to_the_rule_it_concerns_and_offers_the_answer():
    form = builder.open_form(OVERLAP)
    holiday = next(r for r in rows(form) if r["id"] == "holiday-2024")
    note = next(n for n in holiday["notes"] if n["severity"] == "warning")
    assert note["text"] == ("Two rules decide the exchange window for orders shipped to US and orders placed from "
                            "November 18, 2024 through December 12, 2024; the later one wins: 45 days.")
    after = builder.apply(OVERLAP, [{"op": note["action"]["op"], "ref": note["action"]["ref"],
                                     "rule": note["action"]["rule"]}])
    assert changed_lines(OVERLAP, after) == ['+overrides = ["us-returns"]']
    assert not [n for r in rows(builder.open_form(after)) for n in r["notes"] if "Two rules" in n["text"]]


def test_an_error_lands_on_the_field_it_concerns():
    broken = AALLYN.replace('kind = "restocking"\namount = "15.00"\nunless', 'kind = "restocking"\namount = "-15.00"\nunless', 1)
    form = builder.open_form(broken)
    fee = next(r for r in rows(form) if r["id"] == "us-restocking-fee")
    amount = next(f for f in fee["fields"] if f["path"] == ["amount"])
    assert [n["severity"] for n in amount["notes"]] == ["error"] and "negative" in amount["notes"][0]["text"]


def test_a_rule_shape_the_builder_does_not_know_is_listed_read_only_with_the_reason():
    text = AALLYN + '\n[[loyalty_tiers]]\nid = "gold"\ntitle = "Gold members"\ntext = "Gold members get 60 days."\n'
    form = builder.open_form(text)
    assert [(r["id"], r["reason"]) for r in form["readonly"]] == [
        ("gold", "The builder has no form for [loyalty_tiers] rules yet: edit in advanced view.")]
    assert edit(text, op="set", ref={"table": "rules", "id": "us-returns"}, path=["title"], value="US returns").endswith(
        'text = "Gold members get 60 days."\n')


def test_the_written_policy_is_split_into_sentences_without_breaking_abbreviations():
    from backend.services.admin.builder_sentences import split

    assert split("We ship to the U.S. only. No P.O. boxes, please! Returns:\n- 30 days\n- Jr. sizes excluded.") == [
        "We ship to the U.S. only.", "No P.O. boxes, please!", "Returns:", "30 days", "Jr. sizes excluded."]


def test_return_protection_says_which_fees_it_waives():
    form = builder.open_form(AALLYN)
    protection = next(r for r in rows(form) if r["table"] == "protection")
    assert protection["info"] == ["Waives: $15 restocking fee (waived with return protection) (tick “Waived with "
                                  "return protection” on a fee to change this)."]


def test_a_seasonal_window_every_holiday_season_is_written_as_an_order_season():
    after = edit(AALLYN, op="add", section="windows", title="Holiday orders: until January 15",
                 text="Orders placed from November 1 can be returned until January 15.",
                 values=[{"path": ["when", "order_season", "from"], "value": "11-01"},
                         {"path": ["when", "order_season", "to"], "value": "12-31"},
                         {"path": ["windows", "refund"], "value": "allowed"},
                         {"path": ["windows", "refund", "days"], "value": "30"},
                         {"path": ["windows", "refund", "from"], "value": "order"},
                         {"path": ["windows", "refund", "until"], "value": "01-15"}])
    added = after[after.index('id = "holiday-orders-until-january-15"'):].split("\n\n")[0]
    assert added.splitlines()[3:] == [
        'when = { order_season = { from = "11-01", to = "12-31" } }',
        'windows = { refund = { days = 30, from = "order", until = "01-15" } }']
    window = load_policy_text(after, "x.toml").rules[-1].windows["refund"]
    assert (window.days, window.anchor, window.until) == (30, "order", (1, 15))


def test_a_yes_no_condition_keeps_no_and_either_drops_the_condition():
    ref = {"table": "price_adjustments", "id": "price-adjustment-full-price"}
    assert edit(AALLYN, op="set", ref=ref, path=["when", "discounted"], value="no") == AALLYN
    either = edit(AALLYN, op="set", ref=ref, path=["when", "discounted"], value="")
    assert changed_lines(AALLYN, either) == ["-when = { discounted = false }"]
    with pytest.raises(builder.BuilderError, match="not yes, no or empty"):
        edit(AALLYN, op="set", ref=ref, path=["when", "discounted"], value="maybe")


def test_a_value_the_builder_does_not_offer_yet_stays_offered_and_untouched():
    newer = AALLYN.replace('kind = "restocking"\namount = "15.00"\nunless', 'kind = "restocking"\namount = "15.00"\nper = "order"\nunless', 1)
    fee = next(r for r in rows(builder.open_form(newer)) if r["id"] == "us-restocking-fee")
    per = next(f for f in fee["fields"] if f["path"] == ["per"])
    assert per["choices"] == ["request", "item", "order"] and per["value"] == "order"
    assert edit(newer, op="set", ref=fee["ref"], path=["per"], value="order") == newer
    assert '+per = "item"' in changed_lines(newer, edit(newer, op="set", ref=fee["ref"], path=["per"], value="item"))


def test_the_newer_clauses_have_their_place_gifts_bundles_exchange_or_credit_and_exchange_counts():
    gobi = builder.open_form((ROOT / "examples" / "gobi-cashmere.toml").read_text(encoding="utf-8"))
    bundles = next(s for s in gobi["sections"] if s["key"] == "bundles")["rows"]
    two_plus_one = next(r for r in bundles if r["id"] == "two-plus-one")
    shown = {tuple(f["path"]): f["value"] for f in two_plus_one["fields"]}
    assert (shown[("gift_when", "product_tag")], shown[("members_when", "product_tag")], shown[("threshold_items",)],
            shown[("outcome",)]) == ("2-plus-1-free", "2-plus-1", 2, "deduct")
    assert two_plus_one["extras"] == []
    echt_text = (ROOT / "examples" / "echt.toml").read_text(encoding="utf-8")
    echt = builder.open_form(echt_text)
    credit = next(s for s in echt["sections"] if s["key"] == "credit_only")["rows"]
    assert [r["fields"][0]["value"] for r in credit] == ["exchange_or_credit"]
    raised = edit(AALLYN, op="set", ref={"table": "bundles", "id": "free-gift-threshold"}, path=["threshold"], value="200.00")
    assert changed_lines(AALLYN, raised) == ['-threshold = "150.00"', '+threshold = "200.00"']


def test_a_sub_table_the_builder_does_not_know_stays_listed_under_its_parent():
    text = AALLYN.replace("[shipping.ship_by]\n", '[shipping.zones]\nlocal = ["CA"]\n\n[shipping.ship_by]\n', 1)
    shipping = next(r for r in rows(builder.open_form(text)) if r["table"] == "shipping")
    assert [(e["key"], e["reason"]) for e in shipping["extras"]] == [("zones", "edit in advanced view")]
