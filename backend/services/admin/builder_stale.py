"""The builder's stale-sentence warning: a rule whose sentence still quotes a figure its fields no longer say.

    stale_rows(rows, tables, previous_text=None)   adds row["stale"] = [{"quote", "text"}] to each row drawn

The figures are read by the policy lint's own reader (backend/policy/lint_text.py), from the rule's plain TOML
data. A quote is stale when none of the rule's fields say it and either no other rule sets that figure (the
lint's rule: "avoid the $15.00 restocking fee" on the protection rule quotes the fee rule's figure), or the
rule itself said it before this edit: a merchant who turns one of two $15 fees into $20 is told at once that
its sentence still says $15, although the other fee still charges it. A rule whose disagreement with the
text is recorded (`contradicts`) is only warned about for the figures this edit took away.
"""
from __future__ import annotations

import json

from backend.policy.lint_text import numbers, says, stale
from backend.services.admin import builder_doc as doc_


def _key(ref: dict) -> str:
    return json.dumps({k: v for k, v in ref.items() if not k.startswith("_")}, sort_keys=True)


def _before(previous_text: str | None) -> dict:
    """{ref key: the figures the rule's fields said} in the text before the edit."""
    if not previous_text:
        return {}
    try:
        document = doc_.parse(previous_text)
    except doc_.Unreadable:
        return {}
    return {_key(ref): numbers(doc_.plain(table)) for ref, table in doc_.tables(document)}


def message(quote: str) -> str:
    return (f"The sentence still quotes “{quote}”, which this rule’s fields no longer say: rewrite the "
            "sentence to match, or correct the numbers.")


def stale_rows(rows: list, tables: list, previous_text: str | None = None) -> None:
    datas = [doc_.plain(table) if hasattr(table, "unwrap") else dict(table) for _, table in tables]
    own = [numbers(d) for d in datas]
    before = _before(previous_text)
    for i, (row, data) in enumerate(zip(rows, datas)):
        row["stale"] = []
        text = data.get("text")
        if not isinstance(text, str) or not text:
            continue
        elsewhere = set().union(*(n for j, n in enumerate(own) if j != i))
        had = before.get(_key(row["ref"]), set())
        recorded = bool(data.get("contradicts"))
        for quote in stale(text, data):
            if says(had, quote) or (not recorded and not says(elsewhere, quote)):
                row["stale"].append({"quote": quote.words, "text": message(quote.words)})
        if row["stale"]:  # the lint's note on the same quote would say it twice
            row["notes"] = [n for n in row["notes"] if "its sentence quotes" not in n.get("text", "")]
