"""The pure parts of a shopper's self-serve return (backend/services/returns/shopper.py): what each decided line
offers or why not, how Shopify's reason handles read as the policy's reasons, and the picks' field errors."""
from __future__ import annotations

import pytest

from backend.errors import ValidationError
from backend.services.returns import shopper

NEVER = {"allowed": False, "deadline": None, "window": None}
WINDOW = {"days": 14, "from": "delivery"}


def _line(line_id, cls="standard", reasons=(), **resolutions):
    return {"line_item_id": line_id, "class": cls, "reasons": list(reasons),
            "resolutions": {k: resolutions.get(k, NEVER) for k in ("refund", "store_credit", "exchange")}}


def test_an_open_line_lists_its_resolutions_with_their_last_days_and_the_latest_as_deadline():
    (line,) = shopper.line_options({"lines": [_line(
        "11", refund={"allowed": True, "deadline": "2026-12-10", "window": WINDOW},
        store_credit={"allowed": True, "deadline": "2026-12-24", "window": WINDOW})]})
    assert line["returnable"] and line["resolutions"] == {"refund": "2026-12-10", "store_credit": "2026-12-24"}
    assert line["deadline"] == "2026-12-24" and line["why_not"] == []


@pytest.mark.parametrize("line, says", [
    (_line("12", "final_sale", [{"rule": "final-sale-items", "text": "Final sale items cannot be returned."}]),
     "Final sale items cannot be returned."),
    (_line("13", refund={"allowed": False, "deadline": "2026-11-01", "window": WINDOW}),
     "The return window ended on 2026-11-01."),
    (_line("14", refund={"allowed": True, "deadline": None, "window": WINDOW}),  # not delivered yet
     "The return window starts once the item is delivered."),
    (_line("15"), "This item cannot be returned."),
])
def test_a_line_with_nothing_open_says_why(line, says):
    (option,) = shopper.line_options({"lines": [line]})
    assert not option["returnable"] and option["resolutions"] == {}
    assert [w["text"] for w in option["why_not"]] == [says]


def test_the_protection_fee_line_is_not_offered():
    assert shopper.line_options({"lines": [_line("9", "protection")]}) == []


@pytest.mark.parametrize("handle, reason, known", [
    ("size-too-small", "size", True), ("DEFECTIVE", "defective", True), ("wrong-item", "wrong_item", True),
    ("unwanted", "changed_mind", True), ("gift-from-aunt", "changed_mind", False), (None, "changed_mind", False)])
def test_shopify_reason_handles_read_as_the_policys_reasons_and_unknown_ones_say_so(handle, reason, known):
    assert shopper.reason_of(handle) == (reason, known)


def test_every_problem_of_the_picks_is_a_field_error_at_once():
    reasons = {"gid://shopify/ReturnReasonDefinition/1": "defective"}
    with pytest.raises(ValidationError) as err:
        shopper.parse_picks({"lines": [
            {"line_item_id": "11", "quantity": 0, "resolution": "exchange"},
            {"line_item_id": "99", "resolution": "refund",
             "reason_definition_id": "gid://shopify/ReturnReasonDefinition/2"},
            "not an object"]}, {"11"}, reasons)
    assert {d["field"] for d in err.value.details} == {
        "lines[0].quantity", "lines[0].exchange_variant_id", "lines[1].line_item_id",
        "lines[1].reason_definition_id", "lines[2]"}
    with pytest.raises(ValidationError):
        shopper.parse_picks({"lines": []}, {"11"}, reasons)


def test_a_pick_reads_its_reason_through_the_shops_definition():
    (pick,) = shopper.parse_picks({"lines": [{"line_item_id": "gid://shopify/LineItem/11", "resolution": "refund",
                                              "reason_definition_id": "gid://shopify/ReturnReasonDefinition/1"}]},
                                  {"11"}, {"gid://shopify/ReturnReasonDefinition/1": "defective"})
    assert (pick["line_item_id"], pick["quantity"], pick["condition"], pick["reason"]) == ("11", 1, "new", "defective")
