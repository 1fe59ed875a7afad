"""Issue 14: a merchant's typo in ANY field the rule language gained for real stores' policies gets a
`file:line:col` error naming the misspelled field. One policy uses every new field (section fields,
window keys, condition names); the test misspells each occurrence in turn."""
from __future__ import annotations

import re

import pytest

from backend.policy import PolicyError, load_policy_text

FULL = '''[policy]
name = "x"
title = "X"
timezone = "America/New_York"
currency = "USD"
conditions = ["new", "worn", "damaged", "unopened"]

[[rules]]
id = "holiday"
title = "Holiday orders until January 15"
text = "Orders from November 1 can be returned until January 15."
when = { order_season = { from = "11-01", to = "12-31" } }
windows = { refund = { days = 30, from = "order", until = "01-15" } }

[[rules]]
id = "deep-discount"
title = "40 % off: exchange or store credit"
text = "Items discounted by 40 % or more can be exchanged or credited."
class = "exchange_or_credit"
when = { discount_percent_at_least = "40" }

[[rules]]
id = "light-discount"
title = "Under 10 % off"
text = "Lightly discounted items are returnable."
when = { discount_percent_below = "10" }

[[return_rules]]
id = "cash-in-store"
title = "Cash purchases in store"
text = "Store purchases paid cash go back to a store."
when = { sales_channel = ["pos"], payment_method = ["cash"], return_channel = ["mail"] }
refuse = true

[[return_rules]]
id = "one-exchange"
title = "One exchange"
text = "One exchange per order."
when = { exchanges_before_at_least = 1, exchanges_before_at_most = 5 }
allow_only = ["store_credit"]

[[fees]]
id = "late-fee"
title = "Late fee"
text = "A fee from day 16 to day 30."
kind = "label"
amount = "7.00"
per = "order"
when = { days_elapsed_at_least = 16, days_elapsed_at_most = 30 }
unless = { exchange_for = ["same_style"] }

[[bonus_credit]]
id = "bonus"
title = "Bonus"
text = "10 % extra store credit."
percent = "10"
cap = "20.00"

[[bundles]]
id = "gift"
title = "Gift"
text = "Return the gift too."
gift_when = { product_tag = ["gift"] }
members_when = { product_tag = ["paid"] }
threshold = "100.00"
gift_value = "30.00"
outcome = "deduct"

[[bundles]]
id = "two-plus-one"
title = "2+1"
text = "Keep two."
gift_when_any = [{ product_tag = ["free"] }]
gift_unless = { product_tag = ["never"] }
members_when_any = [{ product_tag = ["two-plus-one"] }]
members_unless = { product_tag = ["never"] }
threshold_items = 2
outcome = "deduct"
resolutions = ["refund"]
'''

NEW_FIELDS = (
    "conditions", "order_season", "until", "class", "discount_percent_at_least", "discount_percent_below",
    "sales_channel", "payment_method", "return_channel", "exchanges_before_at_least", "exchanges_before_at_most",
    "kind", "per", "days_elapsed_at_least", "days_elapsed_at_most", "exchange_for", "percent", "cap",
    "gift_when", "members_when", "threshold", "gift_value", "outcome", "gift_when_any", "gift_unless",
    "members_when_any", "members_unless", "threshold_items", "resolutions",
)


def _occurrences():
    """(field, line, column, offset) of every key of FULL that is a new field."""
    out = []
    for number, text in enumerate(FULL.splitlines(), 1):
        for found in re.finditer(r"(?:^|[{,] )([a-z_]+) = ", text):
            name = found.group(1)
            if name in NEW_FIELDS:
                out.append((name, number, found.start(1) + 1))
    return out


OCCURRENCES = _occurrences()


def _misspell(name: str) -> str:
    """Two letters swapped near the end (a typical slip), never the same word."""
    i = len(name) - 2
    typo = name[:i - 1] + name[i] + name[i - 1] + name[i + 1:]
    return typo if typo != name else name + "s"


def test_the_policy_with_every_new_field_loads():
    assert load_policy_text(FULL, "x.toml").name == "x"


def test_every_new_field_is_walked():
    assert {name for name, _, _ in OCCURRENCES} == set(NEW_FIELDS)


@pytest.mark.parametrize("name,line,col", OCCURRENCES, ids=[f"{n}@{ln}:{c}" for n, ln, c in OCCURRENCES])
def test_a_typo_in_a_new_field_names_file_line_column_and_field(name, line, col):
    lines = FULL.splitlines(keepends=True)
    typo = _misspell(name)
    text = lines[line - 1]
    lines[line - 1] = text[:col - 1] + typo + text[col - 1 + len(name):]
    with pytest.raises(PolicyError) as caught:
        load_policy_text("".join(lines), "x.toml")
    problems = [str(p) for p in caught.value.problems]
    assert any(p.startswith(f"x.toml:{line}:{col}: ") and f"'{typo}'" in p and f"'{name}'" in p
               for p in problems), problems
