"""Conditions as Python expression source, for the code generated per compiled policy (generated.py).

`Exprs.cond(cond)` gives one expression for a rule's whole condition (`staged(cond)`: its order and line
conjuncts apart), read in generated code where the locals `ctx`, `order` (ctx.order) and `line` (ctx.line)
are bound. A simple comparison or membership becomes the expression itself, its constant bound once as a
name of the generated function (a single-value set folded into `==` / `in`); any other condition kind
calls its predicate (program.compile_condition), so a kind added to the vocabulary works here unchanged.

Each expression answers exactly True, False or (when it reads an address fact, facts.py) None, and
AND / OR / NOT are Kleene's as in vocabulary.all_of / any_of_preds / none_of: False beats unknown in an
AND, True in an OR. Three-valued parts are combined through walrus temporaries (each part read once).
Hand-assembled source because no library specialises Python code like this; test_compiled_equivalence
proves the generated code decides as the reference semantics for every condition kind.
"""
from __future__ import annotations

from backend.policy.model import Cond
from backend.policy.vocabulary import VOCABULARY, unknowable

# key -> (source template over `order`, `line` and `ctx` with {v} the constant, three-valued, membership
# of a set of one value folded into `==` (`eq`), an overlap of sets (`overlap`: {a} is the attribute read))
_SET_IN = {"product_type": "line.ptype", "sku": "line.sku", "sales_channel": "order.channel",
           "currency": "order.currency"}
_OVERLAP = {"product_tag": "line.tags", "order_tag": "order.tags", "carrier": "order.carriers",
            "payment_method": "order.payments"}
_BOOL = {"gift_card": "line.gift_card", "marked_down": "line.marked_down", "discounted": "line.discounted",
         "line_discount": "line.has_discount"}
_BOUND = {"unit_price_above": "line.price > {v}", "unit_price_at_least": "line.price >= {v}",
          "unit_price_below": "line.price < {v}", "unit_price_at_most": "line.price <= {v}",
          "merchandise_value_above": "order.merch > {v}", "merchandise_value_at_least": "order.merch >= {v}",
          "merchandise_value_below": "order.merch < {v}", "merchandise_value_at_most": "order.merch <= {v}",
          "discount_percent_at_least": "line.off >= {v}", "discount_percent_below": "line.off < {v}",
          "order_date_from": "order.local_date >= {v}", "order_date_to": "order.local_date <= {v}",
          "days_elapsed_at_least": "ctx.elapsed is not None and ctx.elapsed >= {v}",
          "days_elapsed_at_most": "ctx.elapsed is not None and ctx.elapsed <= {v}"}
_RETURN = {"item_condition": "condition", "return_reason": "reason", "return_channel": "channel",
           "exchange_for": "exchange_for"}
_ADDRESS = {"ship_to_country": ("order.country", "in"), "ship_to_country_not": ("order.country", "not in"),
            "ship_to_province": ("order.province", "in")}


class Exprs:
    """Expression source for conditions; `env` collects the names the source reads (bind them in the
    generated function)."""

    def __init__(self, env: dict, prefix: str = "_K", hoist: bool = False, cls: str = "ctx.cls"):
        self.env, self.prefix, self._n, self._tmp = env, prefix, 0, 0
        self.cls = cls  # what the line's class is read from (the line loop: its own local, not the context)
        # hoist: a table of a `when_any` group that reads only the order, in a group read per line, is
        # computed once into a local (`hoisted`: its assignments, to run before the lines)
        self.hoist, self.hoisted = hoist, []
        self._hoisted_names: dict = {}  # source -> the local it is hoisted into (a value hoisted once)
        self._called: dict = {}  # (key, value) -> the name of its predicate: one per condition, however often

    def const(self, value) -> str:
        name = f"{self.prefix}{self._n}"
        self._n += 1
        self.env[name] = value
        return name

    def _temp(self) -> str:
        self._tmp += 1
        return f"_t{self._tmp}"

    def atom(self, key: str, value) -> tuple:
        """(source, three-valued) of one validated condition."""
        if key in _SET_IN:
            return self._member(_SET_IN[key], "in", value), False
        if key in _OVERLAP:
            attr = _OVERLAP[key]
            if len(value) == 1:
                (only,) = value
                return f"({self.const(only)} in {attr})", False
            return f"(not {self.const(value)}.isdisjoint({attr}))", False
        if key in _BOOL:
            return f"({_BOOL[key]} is {value!r})", False
        if key in _BOUND:
            return "(" + _BOUND[key].format(v=self.const(value)) + ")", False
        if key in _RETURN:
            return f"(ctx.ret is not None and ctx.ret.{_RETURN[key]} in {self.const(value)})", False
        if key in ("line_class", "line_class_not"):
            return f"({self.cls} {'in' if key == 'line_class' else 'not in'} {self.const(value)})", False
        if key in _ADDRESS:
            attr, op = _ADDRESS[key]
            return f"(None if {attr} is None else {self._member(attr, op, value)})", True
        if key == "po_box":
            return f"(None if order.po_box is None else order.po_box is {value!r})", True
        if key == "merchant_fault":
            return f"(ctx.ret is not None and ctx.ret.merchant_fault is {value!r})", False
        if key == "properties":
            return self.all_of([self._property(spec) for spec in value])
        from backend.policy.program import compile_condition  # program.py imports this module
        try:  # the same condition written twice is one predicate (and one hoisted value: _hoisted)
            name = self._called[key, value]
        except KeyError:
            name = self._called[key, value] = self.const(compile_condition(key, value))
        except TypeError:  # a value that is not hashable: a predicate of its own
            name = self.const(compile_condition(key, value))
        pred = self.env[name]
        call = f"{name}(ctx)"
        return (call, True) if unknowable(pred) else (f"(True if {call} else False)", False)

    def _property(self, spec: tuple) -> tuple:
        """One line property check, as vocabulary._compile_property decides it (two-valued)."""
        name, op, other, value = spec
        if op in ("present", "absent"):
            return f"({self.const(name)} {'in' if op == 'present' else 'not in'} line.props)", False
        same, n = op == "eq", self.const(name)
        if other is not None:
            o = self.const(other)
            return f"({n} in line.props and {o} in line.props and (line.props[{n}] == line.props[{o}]) is {same})", False
        return f"({n} in line.props and (line.props[{n}] == {self.const(value)}) is {same})", False

    def _member(self, attr: str, op: str, values: frozenset) -> str:
        if len(values) == 1:
            (only,) = values
            return f"({attr} {'==' if op == 'in' else '!='} {self.const(only)})"
        return f"({attr} {op} {self.const(values)})"

    def all_of(self, parts: list) -> tuple:
        """Kleene's AND (True when there are no parts)."""
        return self._kleene(parts, "and", False) if parts else ("True", False)

    def any_of(self, parts: list) -> tuple:
        """Kleene's OR."""
        return self._kleene(parts, "or", True)

    def _kleene(self, parts: list, word: str, wins: bool) -> tuple:
        """AND (`wins` False) or OR (`wins` True) of (source, three-valued) parts: the two-valued parts joined
        by Python's `word` decide first; then any three-valued part that is `wins` decides, else any None
        leaves it unknown, else the other value."""
        if len(parts) == 1:
            return parts[0]
        two = [s for s, three in parts if not three]
        threes = [s for s, three in parts if three]
        known = "(" + f" {word} ".join(two) + ")" if two else None
        if not threes:
            return known, False
        if len(threes) == 1:
            inner = threes[0]
        else:
            names = [self._temp() for _ in threes]
            decided = " or ".join(f"({n} := {s}) is {wins}" for n, s in zip(names, threes))
            unknown = " or ".join(f"{n} is None" for n in names)
            inner = f"({wins} if {decided} else (None if {unknown} else {not wins}))"
        if not known:
            return inner, True
        return (f"(True if {known} else {inner})" if wins else f"(False if not {known} else {inner})"), True

    def none_of(self, part: tuple) -> tuple:
        """Kleene's NOT."""
        source, three = part
        if not three:
            return f"(not {source})", False
        name = self._temp()
        return f"(None if ({name} := {source}) is None else not {name})", True

    def table(self, table: dict) -> tuple:
        return self.all_of([self.atom(k, v) for k, v in table.items()])

    def staged(self, cond: Cond) -> tuple:
        """(order part, line part), each (source, three-valued) or None: program.staged as expressions."""
        order, line = [], []
        for key, value in cond.when.items():
            (order if VOCABULARY[key][0] == "order" else line).append(self.atom(key, value))
        if cond.when_any:
            scoped = [_order_scoped(t) for t in cond.when_any]
            tables = [self._hoisted(self.table(t)) if self.hoist and by_order and not all(scoped)
                      else self.table(t) for t, by_order in zip(cond.when_any, scoped)]
            (order if all(scoped) else line).append(self.any_of(tables))
        if cond.unless:
            group = self.none_of(self.table(cond.unless))
            (order if _order_scoped(cond.unless) else line).append(group)
        return (self.all_of(order) if order else None), (self.all_of(line) if line else None)

    def _hoisted(self, part: tuple) -> tuple:
        name = self._hoisted_names.get(part[0])  # the same value hoisted already (the same condition in two groups)
        if name is None:
            name = self._hoisted_names[part[0]] = f"_h{len(self.hoisted)}"
            self.hoisted.append(f"{name} = {part[0]}")
        return name, part[1]

    def cond(self, cond: Cond) -> tuple:
        """One expression for the whole condition (Kleene's AND of its order and line parts)."""
        return self.all_of([p for p in self.staged(cond) if p is not None])


def _order_scoped(table: dict) -> bool:
    return all(VOCABULARY[key][0] == "order" for key in table)
