"""A policy compiled once into what every decision runs, and the bounded memos it owns.

`compile_policy(policy)` builds it; `compiled(policy)` gives the one a Policy keeps for itself (built on
first use and stored on that Policy object, so it lives and dies with it: no module-global cache, nothing
keyed by id()). The rules run as prebuilt closures and tuples (lines.LineRules, vocabulary); its bounded
memos, all keyed by value, hold timestamp texts already read and outcomes of lines whose
facts were seen before and order-level parts (memos.py); its ship-by calendar holds a table of dates per year asked,
its `days` the zone's offset per local date of the years asked (calendar.ZoneDays).
"""
from __future__ import annotations

from backend.policy import order_code
from backend.policy.calendar import ZoneDays
from backend.policy.fields import YEARS
from backend.policy.lines import LineRules
from backend.policy.memo import Memo
from backend.policy.memos import line_memo, order_memo
from backend.policy.model import Policy
from backend.policy.program import LineProgram, compile_cond
from backend.policy.shipping import ShipByCalendar, shipping_rates

MEMO_SIZE = 4096


class CompiledPolicy:
    __slots__ = ("policy", "tz", "currency", "conditions", "elapsed", "lines", "calendar", "moments", "days",
                 "protection_line", "line_memo", "order_memo", "program", "rates", "prelude", "parts")

    def __init__(self, policy: Policy, memo_size: int = MEMO_SIZE, reference: bool = False):
        self.policy = policy
        self.tz, self.currency, self.conditions = policy.tz, policy.currency, policy.conditions
        self.lines = LineRules(policy)
        # The line rules compiled (program.py); None: the reference semantics, every rule's Cond.match and
        # lines.combine for every line (what the compiled program is proven against).
        self.program = None if reference else LineProgram(policy, self.lines)
        self.elapsed = policy.reads(("days_elapsed_at_least", "days_elapsed_at_most"))  # return lines need their days
        ship_by = policy.shipping.ship_by if policy.shipping is not None else None
        self.calendar = ShipByCalendar(ship_by) if ship_by is not None else None
        self.rates = shipping_rates(policy, None if reference else compile_cond)  # predicates, rate texts
        self.moments = Memo(memo_size)  # timestamp text -> (instant, local date in the policy's zone)
        self.days = ZoneDays(self.tz, *YEARS)  # the offset the zone holds all day, per local date (request.py)
        self.protection_line = policy.protection.line.match if policy.protection is not None else None
        # protection lines and merchandise, and the order-level parts, as code generated for this policy
        # (order_code.py); None: engine's reference functions
        self.prelude = None if reference else order_code.prelude(policy)
        self.parts = None if reference else order_code.parts(policy, self.calendar, self.rates)
        self.line_memo = line_memo(policy, memo_size)  # outcomes of lines with facts seen before (an extra)
        # order-level parts for order facts seen before: only for the reference functions (the generated parts
        # cost less than a look-up in it: engine.decide)
        self.order_memo = order_memo(policy, memo_size) if self.parts is None else None

    def __repr__(self) -> str:
        return f"<CompiledPolicy {self.policy.name} {self.policy.version}>"


def compile_policy(policy: Policy, memo_size: int = MEMO_SIZE, reference: bool = False) -> CompiledPolicy:
    """A fresh compiled policy (memo_size=0: nothing memoised, as for lines and orders never seen;
    reference=True: the line rules interpreted as written, for tests that prove the compiled form)."""
    return CompiledPolicy(policy, memo_size, reference)


def compiled(policy: Policy | CompiledPolicy) -> CompiledPolicy:
    """The policy's own compiled form (a CompiledPolicy is returned as it is)."""
    if type(policy) is CompiledPolicy:
        return policy
    found = policy.__dict__.get("compiled")
    if found is None:  # two threads may both build it: equal results, the last one is kept
        found = compile_policy(policy)
        object.__setattr__(policy, "compiled", found)  # Policy is frozen; this is its own cache slot
    return found
