"""The compiled policy decides exactly as the rules read as written (the reference semantics).

`compile_policy(policy, reference=True)` interprets the line rules as written: every rule's `Cond.match`
and `lines.combine` for every line. The compiled form (program.py) splits conditions by scope, runs its
specialised compilers or each condition's generic predicate, and combines once per pattern of matching
rules. On seeded random requests, for every preset and example policy, and for a policy built around each
condition kind of the vocabulary, both give the same decision (memos on or off).
"""
from __future__ import annotations

import copy
import json
import random
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from backend.policy import RequestError, compile_policy, decide, load_policy, load_policy_text
from backend.policy.program import SPECIALISED, compile_condition
from backend.policy.vocabulary import VOCABULARY, compile_key
from tests.unit.policy.requests import odd, well_formed

ROOT = Path(__file__).resolve().parents[3] / "policy_rules"
POLICIES = sorted(p.stem for p in ROOT.glob("*.toml")) + sorted(f"examples/{p.stem}" for p in (ROOT / "examples").glob("*.toml"))
SEED, COUNT = 20261203, 250


def _decide(policy, data, now):
    try:
        return decide(policy, data, now)
    except RequestError as exc:
        return ("error", exc.errors)


def _requests(rnd: random.Random, stories: list) -> list:
    """(request, now): random well-formed and odd requests, and the policy's own stories on other days."""
    out = []
    for i in range(COUNT):
        now = datetime(2024, 12, 1, tzinfo=timezone.utc) + timedelta(days=rnd.randint(-400, 400))
        data = well_formed(rnd) if i % 5 else odd(rnd)[0]
        if isinstance(data.get("return_request"), dict) and rnd.random() < 0.5:
            data["return_request"]["exchanges_before"] = rnd.randint(0, 3)
        out.append((data, now))
    for story in stories:
        for _ in range(3):
            out.append((copy.deepcopy(story), datetime(2024, 6, 1, tzinfo=timezone.utc)
                        + timedelta(days=rnd.randint(-200, 400))))
    return out


def _assert_alike(policy, cases: list) -> None:
    reference = compile_policy(policy, memo_size=0, reference=True)
    fresh, memoised = compile_policy(policy, memo_size=0), compile_policy(policy)
    for data, now in cases:
        expected = _decide(reference, data, now)
        assert _decide(fresh, data, now) == expected, (data, now)
        assert _decide(memoised, data, now) == expected, (data, now)


@pytest.mark.parametrize("name", POLICIES)
def test_compiled_policy_decides_as_its_rules_read(name):
    policy = load_policy(ROOT / f"{name}.toml")
    stories = [json.loads(p.read_text())["request"] for p in sorted((ROOT / "cases" / Path(name).name).glob("*.json"))]
    _assert_alike(policy, _requests(random.Random(f"{SEED}-{name}"), stories))


# A value of each condition kind, as a policy writes it; chosen to match some of the random requests.
SAMPLES = {
    "strings": '["final-sale", "flash-sale", "handbags", "sku-1", "web", "ups", "trial-box", "flash", "cash"]',
    "countries": '["US", "CA"]', "codes": '["CA", "NY"]', "currencies": '["USD"]', "bool": "true",
    "money": '"25.00"', "percent": '"10"', "date": '"2024-06-01"', "season": '{ from = "11-01", to = "02-15" }',
    "properties": '[{ name = "Left Size", op = "ne", other = "Right Size" }]', "classes": '["standard", "credit_only"]',
    "conditions": '["worn"]', "reasons": '["size", "defective"]', "return_channels": '["mail"]',
    "exchange_scopes": '["same_style"]', "days": "10", "count": "1",
}
HEAD = """
[policy]
name = "every-{key}"
title = "Condition {key}"
timezone = "America/Los_Angeles"
currency = "USD"

[[rules]]
id = "windows"
title = "Windows"
text = "Returns within 30 days of delivery."
windows = {{ refund = {{ days = 30, from = "delivery" }}, store_credit = {{ days = 60, from = "delivery" }}, exchange = {{ days = 60, from = "delivery" }} }}
"""
LINE_RULES = """
[[rules]]
id = "when"
title = "When"
text = "Final sale when it holds."
when = {{ {key} = {value} }}
class = "final_sale"

[[rules]]
id = "any"
title = "Any"
text = "A shorter refund window when it or another holds."
when_any = [{{ {key} = {value} }}, {{ product_tag = ["sample"] }}]
windows = {{ refund = {{ days = 7, from = "order" }} }}

[[rules]]
id = "unless"
title = "Unless"
text = "Store credit only unless it holds."
unless = {{ {key} = {value} }}
when = {{ product_type = ["shoes", "socks"] }}
class = "credit_only"
"""
PRICE_ADJUSTMENTS = """
[[price_adjustments]]
id = "adjust-full-price"
title = "Adjust"
text = "A price adjustment within 7 days."
when = {{ discounted = false }}
resolution = "refund"
days = 7
from = "shipment"

[[price_adjustments]]
id = "adjust-when"
title = "Adjust when"
text = "Store credit adjustment when it holds."
when = {{ {key} = {value} }}
resolution = "store_credit"
days = 14
from = "delivery"

[[price_adjustments]]
id = "adjust-any"
title = "Adjust any"
text = "No adjustment when it or another holds."
when_any = [{{ {key} = {value} }}, {{ product_tag = ["flash-sale"] }}]
resolution = "none"
days = 0
"""
ORDER_PARTS = """
[[signature]]
id = "signature"
title = "Signature"
text = "A signature when it holds."
when = {{ {key} = {value} }}

[[blocks]]
id = "block"
title = "Block"
text = "Blocked when it holds."
when = {{ {key} = {value} }}
message = "Not shipped when it holds."

[[blocks]]
id = "block-with-address"
title = "Block with address"
text = "Blocked when it holds at some addresses."
when = {{ {key} = {value}, {addr} = {addr_value} }}
when_any = [{{ ship_to_country = ["CA"] }}, {{ ship_to_province = ["NY"], order_tag = ["vip"] }}, {{ {key} = {value} }}]
message = "Not shipped when it holds there."

[[blocks]]
id = "block-unless"
title = "Block unless"
text = "Blocked unless it holds."
unless = {{ {key} = {value} }}
message = "Not shipped unless it holds."

[shipping]
id = "shipping"
title = "Shipping"
text = "Shipping rates."
currency = "USD"

[[shipping.rates]]
id = "rate-when"
title = "Rate when"
text = "Free shipping when it holds at some addresses."
when = {{ {key} = {value}, {addr} = {addr_value} }}
rate = "0"

[[shipping.rates]]
id = "rate-unless"
title = "Rate unless"
text = "A flat rate unless it holds."
unless = {{ {key} = {value}, {addr} = {addr_value} }}
rate = "4.5"

[protection]
id = "protection"
title = "Protection"
text = "Return protection when it holds."
price = "2.98"
offered_when = {{ {key} = {value} }}
line_when_any = [{{ sku = ["sku-1"] }}, {{ product_tag = ["return-protection"] }}]
"""
RETURN_RULES = """
[[return_rules]]
id = "refuse"
title = "Refuse"
text = "Refused when it holds."
when = {{ {key} = {value} }}
refuse = true

[[fees]]
id = "fee"
title = "Fee"
text = "A fee unless it holds."
kind = "restocking"
amount = "5.00"
unless = {{ {key} = {value} }}
"""


@pytest.mark.parametrize("key", sorted(VOCABULARY))
def test_every_condition_kind_decides_alike_compiled(key):
    scope, kind = VOCABULARY[key]
    assert kind in SAMPLES, f"condition kind '{kind}' (of '{key}') needs a sample value in SAMPLES"
    body = LINE_RULES if scope in ("order", "line") else RETURN_RULES
    if scope in ("order", "line", "class"):  # price adjustments run after the line's class is known
        body += PRICE_ADJUSTMENTS
    if scope == "order":  # the order-level parts (signature, blocks, protection offer) compiled alike too
        body += ORDER_PARTS
    # a second, three-valued condition beside it (an address fact), so Kleene's logic is exercised
    addr, addr_value = ("ship_to_province", '["CA"]') if key == "po_box" else ("po_box", "false")
    text = (HEAD + body).format(key=key, value=SAMPLES[kind], addr=addr, addr_value=addr_value)
    policy = load_policy_text(text, f"<{key}>")
    _assert_alike(policy, _requests(random.Random(f"{SEED}-{key}"), []))


@pytest.mark.parametrize("name", ["aallyn", "ally", "novus"])
def test_tables_that_start_over_mid_decision_decide_alike(name):
    """lines.finish shares a line's parts within a decision by its pattern entry's serial: an entry made
    after the pattern table started over never takes an earlier entry's parts; the deadline tables
    (LineRules.after) starting over at every new date answer alike too."""
    policy = load_policy(ROOT / f"{name}.toml")
    reference, tiny = compile_policy(policy, memo_size=0, reference=True), compile_policy(policy, memo_size=0)
    tiny.program.patterns.limit = 1
    for data, now in _requests(random.Random(f"{SEED}-tiny-{name}"), []):
        for table in tiny.lines._after.values():
            table.limit = 1
        assert _decide(tiny, data, now) == _decide(reference, data, now), (data, now)


def test_a_condition_without_a_specialised_compiler_runs_its_generic_predicate():
    generic = sorted(set(VOCABULARY) - set(SPECIALISED))
    assert generic and set(SPECIALISED) <= set(VOCABULARY)
    value = frozenset({"us"})
    for key in generic:  # the same closure code as the generic compiler's (a fresh closure each time)
        if VOCABULARY[key][1] == "strings":
            assert compile_condition(key, value).__code__ is compile_key(key, value).__code__


@pytest.mark.parametrize("name", POLICIES)
def test_each_compiled_policy_generates_its_own_line_loop(name):
    """generated.py: one function per compiled policy (nothing shared between two compilations), whose one
    loop is over the order's lines (the rules are unrolled); the tests above prove it decides as the
    reference semantics."""
    policy = load_policy(ROOT / f"{name}.toml")
    one, two = compile_policy(policy, memo_size=0), compile_policy(policy, memo_size=0)
    assert one.program.run is not two.program.run
    source = one.program.run.source
    loops = 1 + source.count("for rule in entry[1]")
    assert source.count("for ") == loops
    assert one.parts is not two.parts and one.prelude is not two.prelude  # order_code.py, likewise
    reference = compile_policy(policy, reference=True)
    assert reference.program is None and reference.parts is None and reference.prelude is None


def test_the_ships_by_texts_are_the_ships_by_dates():
    """ShipByCalendar.ships_by_text (what the generated order parts read) is ships_by's date as ISO text,
    for every day of a leap year and of the next, seasons and holidays included."""
    policy = load_policy(ROOT / "aallyn.toml")
    calendar = compile_policy(policy, memo_size=0).calendar
    day = date(2024, 1, 1)
    while day.year < 2026:
        assert calendar.ships_by_text(day) == calendar.ships_by(day).isoformat(), day
        day += timedelta(days=1)
