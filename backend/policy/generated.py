"""One generated function per compiled policy: the line loop of a decision without memos (issue 19).

`line_loop(program)` assembles Python source for the policy's line rules once, at compile time, and
compiles it with compile()/exec: each rule's order part runs once per decision and its line part once per
line as straight-line code, each condition an inlined expression (exprs.py): no loop over rules, no
pattern list copied per line. The pattern key is built as one tuple display and looked up in the pattern
table, whose entry holds the line's class; the price adjustment chooser is unrolled (tried from the last
rule: the first match is the one chosen when no adjustment can be undetermined, else each in order) and
yields the adjustment's index. The context is written per line only when a condition kind not inlined
reads it. Constants (and the predicates of condition kinds not inlined) are the closure of `run`. This
exec'd loop runs interpreted even on the native build, so it does only what is policy-specific: the rest
of each line (anchor dates, resolutions, reasons, adjustment, line dicts) is `lines.finish`, compiled,
called once per decision with (line, entry, adjustment index) for each line; a line's parts are shared
with the decision's other lines of the same pattern, anchor dates and price adjustment. THE combining
rule stays `lines.combine`, run once per pattern (program.LineProgram.entry). Together these took
program.run from ~67k to ~46k instructions for an aallyn 3-line never-seen order (callgrind). Hand-assembled
source because no library specialises Python code like this; tests/unit/policy/test_compiled_equivalence.py
proves the generated loop decides as the reference semantics for every preset, example policy and
condition kind.
"""
from __future__ import annotations

import re

from backend.policy.exprs import Exprs
from backend.policy.lines import finish
from backend.policy.vocabulary import unknowable


def line_loop(program):
    """run(order, ctx, protected_ids, as_of, undetermined) -> (line dicts,
    {line id: (line dict, line, windows, class)}, classes, latest deadline): engine._line_outcomes's answer
    (the parts a decision's lines share are found by lines.finish)."""
    rules = program.rules
    env = {"_finish": finish, "_rules": rules, "_get": program.patterns.get, "_entry": program.entry}
    ex = Exprs(env, hoist=True, cls="entry[0]")  # a price adjustment reads the class of the line's entry
    pre, body, key = [], [], []
    for i, entry in enumerate(rules.rules):
        order_part, line_part = ex.staged(entry[4].cond)
        if order_part is not None:
            pre.append(f"    o{i} = {order_part[0]}")
        if line_part is None:  # the order's answer, or True for a rule without conditions
            key.append("True" if order_part is None else f"o{i}")
        elif order_part is None:  # Kleene's AND of True (no order part) and the line's answer
            key.append(line_part[0])
        else:  # a False order answer decides the rule; else Kleene's AND with the line's answer
            body += [f"        if o{i} is False:", f"            p{i} = False", "        else:",
                     f"            f = {line_part[0]}", f"            p{i} = None if f is None else (o{i} if f else False)"]
            key.append(f"p{i}")
    key.append("line.id in protected_ids")
    adjust = _chooser(program, ex, env)
    reads_ctx = any(re.search(r"\bctx\b", text) for text in (*body, *key, *adjust))
    body = [
        *(f"    {line}" for line in ex.hoisted),
        *pre,
        "    todo = []",
        "    for line in order.lines:",
        # the context is written only for what reads it: a condition kind not inlined (exprs.py)
        *(["        ctx.line = line", "        ctx.cls = None"] if reads_ctx else []),
        *body,
        f"        pattern = ({', '.join(key)},)",
        "        entry = _get(pattern) or _entry(pattern)",
        "        if entry[1]:",
        "            undetermined += [('lines', rule, line.id) for rule in entry[1]]",
        *(["        ctx.cls = entry[0]"] if reads_ctx else []),
        *adjust,
        "    return _finish(_rules, order, todo, as_of, _choices)"]
    # the constants are the closure of `run` (its cells are read as fast as locals; keyword defaults would
    # be copied into every call: ~50 instructions a name (callgrind))
    source = "\n".join([f"def _bind({', '.join(env)}):",
                         "    def run(order, ctx, protected_ids, as_of, undetermined):",
                         *(f"    {line}" for line in body), "    return run", ""])
    namespace: dict = {}
    exec(compile(source, f"<line loop of policy {program.name}>", "exec"), namespace)  # noqa: S102 (our own source)
    run = namespace["_bind"](**env)
    run.source = source  # for reading and for tests
    return run


def _chooser(program, ex: Exprs, env: dict) -> list:
    """Source choosing the line's price adjustment, ending with the line's (line, entry, index of its
    adjustment in `_choices`) appended to `todo`. When no adjustment can be undetermined, the rules are tried
    from the last: the first match is the one chosen (lines._price_adjustment: the last match wins); else
    each is tried in order, listing the undetermined ones."""
    entries = program.adjustment_entries
    if program.rules.adjustments is None:
        env["_choices"] = None
        return ["        todo.append((line, entry, None))"]
    # [-1]: none chosen; each with its table of deadlines (lines.LineRules.after)
    env["_choices"] = (*((rule, delta, program.rules.after(delta.days)) for _, rule, delta in entries), None)
    out = []
    if any(unknowable(pred) for pred, _, _ in entries):
        out.append("        ckey = -1")
        for j, (_, rule, _) in enumerate(entries):
            source, three = ex.cond(rule.cond)
            if not three:
                out += [f"        if {source}:", f"            ckey = {j}"]
                continue
            out += [f"        f = {source}", "        if f:", f"            ckey = {j}", "        elif f is None:",
                    f"            undetermined.append(('lines', {ex.const(rule.info.id)}, line.id))"]
    else:
        for j in range(len(entries) - 1, -1, -1):
            out += [f"        {'if' if j == len(entries) - 1 else 'elif'} {ex.cond(entries[j][1].cond)[0]}:",
                    f"            ckey = {j}"]
        out += ["        else:", "            ckey = -1"]
    return out + ["        todo.append((line, entry, ckey))"]
