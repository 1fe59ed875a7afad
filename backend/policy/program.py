"""The line rules compiled once into plain functions: what the order decides runs once per decision.

Each rule's conditions are split by scope (vocabulary.VOCABULARY): the conjuncts that read only the order
(its country, dates, tags, codes...) become one predicate run once per decision; the rest (line facts, or
a `when_any` / `unless` group mixing scopes) one predicate run per line. Each condition is compiled by a
specialised compiler of this module where one exists, else by its generic predicate
(vocabulary.compile_key), so a condition kind added to the vocabulary works here unchanged.

What a line's rules produce (class, windows, the rules that shaped it) depends only on which rules matched
(True, False or undetermined) and on whether the line is the protection line: `lines.combine`, THE
combining rule, is run once per such pattern and its answer kept in the pattern table (at most
2 × 3^rules patterns; bounded, owned by the compiled policy, keyed by the pattern's values), laid out
there as what a line outcome reads (lines.plan: per resolution its window, anchor and days; the reasons),
with the line's class and a serial naming the entry within a decision (LineProgram.entry).
Price adjustments are compiled too (`price_adjustment_chooser`), run once the line's class is known.
The reference semantics (Cond.match per line, combine per line) stays what `compile_policy(reference=True)`
runs; tests/unit/policy/test_compiled_equivalence.py proves the two decide alike.
"""
from __future__ import annotations

import copy
import itertools
from datetime import timedelta

from backend.policy.generated import line_loop
from backend.policy.lines import Ctx, LineRules, combine, plan
from backend.policy.memo import Memo
from backend.policy.model import Cond, Policy
from backend.policy.vocabulary import VOCABULARY, all_of, any_of_preds, compile_key, none_of, unknowable

PATTERNS = 4096


def _overlap(one, many):
    """A set of the line's (or order's) values shares one with the condition's: a single value is one
    membership test (`one(value)`), more a disjointness test (`many(values)`)."""
    def compile_(values: frozenset):
        if len(values) == 1:
            (only,) = values
            return one(only)
        return many(values)
    return compile_


# Specialised compilers: key -> value -> predicate on the context, each reading its attribute directly. Any
# key not here compiles through its generic predicate (vocabulary.compile_key); tests prove both decide
# alike for every key in the vocabulary.
SPECIALISED = {
    "product_tag": _overlap(lambda v: lambda c: v in c.line.tags,
                            lambda s: lambda c: not s.isdisjoint(c.line.tags)),
    "order_tag": _overlap(lambda v: lambda c: v in c.order.tags,
                          lambda s: lambda c: not s.isdisjoint(c.order.tags)),
    "carrier": _overlap(lambda v: lambda c: v in c.order.carriers,
                        lambda s: lambda c: not s.isdisjoint(c.order.carriers)),
    "payment_method": _overlap(lambda v: lambda c: v in c.order.payments,
                               lambda s: lambda c: not s.isdisjoint(c.order.payments)),
    "product_type": lambda s: lambda c: c.line.ptype in s,
    "sku": lambda s: lambda c: c.line.sku in s,
    "sales_channel": lambda s: lambda c: c.order.channel in s,
    "currency": lambda s: lambda c: c.order.currency in s,
}


def compile_condition(key: str, value):
    """The predicate for one validated condition: its specialised compiler, or its generic one."""
    special = SPECIALISED.get(key)
    return special(value) if special is not None else compile_key(key, value)


def _order_scoped(table: dict) -> bool:
    return all(VOCABULARY[key][0] == "order" for key in table)


def staged(cond: Cond) -> tuple:
    """(order predicate or None, line predicate or None): the conjuncts of `cond` split by what they read.
    ANDed back (Kleene's, as vocabulary.all_of) they are `cond.match`."""
    order, line = [], []
    for key, value in cond.when.items():
        (order if VOCABULARY[key][0] == "order" else line).append(compile_condition(key, value))
    if cond.when_any:
        group = any_of_preds([all_of([compile_condition(k, v) for k, v in t.items()]) for t in cond.when_any])
        (order if all(_order_scoped(t) for t in cond.when_any) else line).append(group)
    if cond.unless:
        group = none_of(all_of([compile_condition(k, v) for k, v in cond.unless.items()]))
        (order if _order_scoped(cond.unless) else line).append(group)
    return (all_of(order) if order else None), (all_of(line) if line else None)


def compile_cond(cond: Cond):
    """One predicate for the whole of `cond`, built as the reader builds `cond.match` but from this module's
    compilers (Kleene's AND of `when`, the `when_any` group and the `unless` group)."""
    return all_of([p for p in staged(cond) if p is not None])


def price_adjustment_chooser(policy: Policy):
    """chooser(ctx, undetermined) -> (rule, timedelta) of the last matching price adjustment, or None; it
    appends ("lines", rule id, line id) for each adjustment left undetermined (lines._price_adjustment's
    semantics). When no adjustment can be undetermined, the rules are tried from the last: the first match
    is the one chosen."""
    entries = tuple((compile_cond(r.cond), r, timedelta(days=r.days)) for r in policy.price_adjustments)
    if not any(unknowable(pred) for pred, _, _ in entries):
        backwards = entries[::-1]

        def choose_last(ctx, undetermined: list):
            for pred, rule, delta in backwards:
                if pred(ctx):
                    return rule, delta
            return None
        choose_last.entries = entries
        return choose_last

    def choose(ctx, undetermined: list):
        chosen = None
        for pred, rule, delta in entries:
            found = pred(ctx)
            if found:
                chosen = (rule, delta)
            elif found is None:
                undetermined.append(("lines", rule.info.id, ctx.line.id))
        return chosen
    choose.entries = entries
    return choose


def _fixed(value):
    return lambda c: value


class LineProgram:
    """One policy's line rules: order parts once per decision, line parts per line, combine per pattern."""

    __slots__ = ("rules", "order_parts", "line_parts", "ids", "patterns", "_probe", "adjustment", "_base", "_staged",
                 "adjustment_entries", "name", "run", "_serials")

    def __init__(self, policy: Policy, rules: LineRules):
        self.rules = rules
        parts = [staged(r.cond) for r in policy.rules]
        self.order_parts = tuple(o for o, _ in parts)
        self.line_parts = tuple(ln for _, ln in parts)
        self.ids = tuple(r.info.id for r in policy.rules)
        # laid out once for order_values: the pattern of a rule without an order part starts True, and only
        # the rules with a part to run (order or line) are visited per decision
        self._base = [True] * len(parts)
        self._staged = tuple((i, o, ln) for i, (o, ln) in enumerate(parts) if o is not None or ln is not None)
        self.patterns = Memo(PATTERNS)  # pattern -> entry(): (class, undetermined rule ids, plan, serial)
        self._serials = itertools.count()  # an entry's serial: no two entries ever share one (lines.finish)
        self._probe = Ctx(_NoLine, None)
        # the price adjustment of a line (run after its class is known): lines.planned_outcome calls it
        self.adjustment = price_adjustment_chooser(policy) if policy.price_adjustments else None
        self.adjustment_entries = self.adjustment.entries if self.adjustment is not None else ()
        self.name = policy.name
        # the line loop of a decision without memos, one function generated for this policy (generated.py)
        self.run = line_loop(self)

    def order_values(self, order, ctx: Ctx | None = None) -> tuple:
        """(the pattern as far as the order decides it, [(rule index, line part, order answer)] still to run
        for each line): each rule's order part runs here, once per decision (`ctx`: one on this order to use)."""
        base, todo = self._base.copy(), []
        if ctx is None:
            ctx = Ctx(None, order)
        for i, order_part, line_part in self._staged:
            if order_part is None:
                todo.append((i, line_part, True))
                continue
            known = order_part(ctx)
            if known is None:
                base[i] = None
            elif not known:
                base[i] = False
                continue
            if line_part is not None:
                todo.append((i, line_part, base[i]))
        return base, tuple(todo)

    def combine(self, ctx: Ctx, order_values: tuple, protected: bool) -> tuple:
        """(what `combine` answers, laid out by lines.plan, ids of the rules left undetermined) for the line in
        `ctx`."""
        base, todo = order_values
        pattern = base.copy() if todo else base
        for i, line_part, known in todo:  # Kleene's AND of the order's answer (True or None) and the line's
            found = line_part(ctx)
            pattern[i] = None if found is None else (known if found else False)
        key = (*pattern, protected)
        found = self.patterns.get(key)
        if found is None:
            found = self.entry(key)
        return found[2], found[1]

    def entry(self, key: tuple) -> tuple:
        """The pattern table's entry for `key` (the rules' answers, then whether the line is the protection
        line), computed and kept: (class, ids of the rules left undetermined, what `combine` answers laid
        out by lines.plan, a serial no other entry has)."""
        planned, undecided = self._combined(key[:-1], key[-1])
        return self.patterns.put(key, (planned[0], undecided, planned, next(self._serials)))

    def _combined(self, pattern: list, protected: bool) -> tuple:
        """THE combining rule (lines.combine) over rules whose answers are `pattern`."""
        fixed = copy.copy(self.rules)  # the same LineRules, whatever combine reads of it, but for the answers
        fixed.rules = tuple((_fixed(value), *entry[1:]) for value, entry in zip(pattern, self.rules.rules))
        unknown: list = []
        cls, windows, shaped = combine(fixed, self._probe, protected, unknown)
        return plan(self.rules, (cls, windows, tuple(shaped))), tuple(entry[1] for entry in unknown)


class _NoLine:
    id = None

