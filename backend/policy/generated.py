"""One generated function per compiled policy: the line loop of a decision without memos (issue 19).

`line_loop(program)` assembles Python source for the policy's line rules once, at compile time, and
compiles it with compile()/exec: each rule's order part runs once per decision and its line part once per
line as straight-line code, each condition an inlined expression (exprs.py): no loop over rules, no
pattern list copied per line. The pattern key is built as one tuple display, and the price adjustment
chooser is unrolled (tried from the last rule: the first match is the one chosen) when no adjustment can
be undetermined. Constants (and the predicates of condition kinds not inlined) are bound as default
arguments. What each line's outcome is stays lines.py's (`_planned_resolutions`, `_reasons`, `_adjusted`;
a line's parts are shared with the decision's other lines of the same pattern, anchor dates and price
adjustment); THE combining rule stays `lines.combine`, run once per pattern
(program.LineProgram._combined). Hand-assembled source because no library specialises Python code like
this; tests/unit/policy/test_compiled_equivalence.py proves the generated loop decides as the reference
semantics for every preset, example policy and condition kind.
"""
from __future__ import annotations

from backend.policy.exprs import Exprs
from backend.policy.lines import _adjusted, _planned_resolutions, _reasons, anchors
from backend.policy.vocabulary import unknowable


def line_loop(program):
    """run(order, ctx, protected_ids, as_of, undetermined, deadlines) -> (line dicts,
    {line id: (line dict, line, windows, class)}, classes, latest deadline): engine._compiled_lines's answer."""
    rules = program.rules
    env = {"_anchors": anchors, "_resolutions": _planned_resolutions, "_reasons": _reasons,
           "_adjusted": _adjusted, "_rules": rules, "_get": program.patterns.get, "_put": program.patterns.put,
           "_combined": program._combined, "_id": id}
    ex = Exprs(env, hoist=True)
    pre, body, key = [], [], []
    for i, entry in enumerate(rules.rules):
        order_part, line_part = ex.staged(entry[4].cond)
        if order_part is not None:
            pre.append(f"    o{i} = {order_part[0]}")
        if order_part is None and line_part is None:
            key.append("True")
            continue
        key.append(f"p{i}")
        if line_part is None:
            body.append(f"        p{i} = o{i}")
        elif order_part is None:  # Kleene's AND of True (no order part) and the line's answer
            body.append(f"        p{i} = {line_part[0]}")
        else:  # a False order answer decides the rule; else Kleene's AND with the line's answer
            body += [f"        if o{i} is False:", f"            p{i} = False", "        else:",
                     f"            f = {line_part[0]}", f"            p{i} = None if f is None else (o{i} if f else False)"]
    key.append("line.id in protected_ids")
    adjust, miss = [], []
    if rules.adjustments is None:
        adjust.append("        ckey = None")
        miss.append("            parts = (_reasons(_rules, planned, found[2]), None)")
    else:
        entries = program.adjustment_entries
        if any(unknowable(pred) for pred, _, _ in entries):
            env["_choose"] = program.adjustment
            adjust += ["        chosen = _choose(ctx, undetermined)",
                       "        ckey = _id(chosen[0]) if chosen is not None else None"]  # the rule: kept by the policy
        else:  # choose_last unrolled: from the last rule, the first match is chosen
            first = True
            for j in range(len(entries) - 1, -1, -1):
                env[f"_C{j}"] = (entries[j][1], entries[j][2])
                adjust += [f"        {'if' if first else 'elif'} {ex.cond(entries[j][1].cond)[0]}:",
                           f"            chosen, ckey = _C{j}, {j}"]
                first = False
            adjust += ["        else:", "            chosen, ckey = None, -1"]
        miss.append("            parts = _adjusted(_rules, planned, found[2], chosen, found[3], as_of, deadlines)")
    params = ", ".join(f"{name}={name}" for name in env)
    source = "\n".join([
        f"def run(order, ctx, protected_ids, as_of, undetermined, deadlines, *, {params}):",
        *(f"    {line}" for line in ex.hoisted),
        *pre,
        "    outcomes, lines, classes, latest = {}, [], set(), None",
        "    for f in order.fulfillments:  # the lines share their anchor dates unless a fulfillment lists lines",
        "        if f.line_ids is not None:",
        "            shared = None",
        "            break",
        "    else:",
        "        shared = _anchors(order, None)",
        "    order_date = order.local_date",
        "    for line in order.lines:",
        "        ctx.line = line",
        "        ctx.cls = None",
        *body,
        f"        pattern = ({', '.join(key)},)",
        "        combined = _get(pattern)",
        "        if combined is None:",
        "            combined = _put(pattern, _combined(pattern[:-1], pattern[-1]))",
        "        planned, undecided = combined",
        "        lid = line.id",
        "        if undecided:",
        "            undetermined += [('lines', rule, lid) for rule in undecided]",
        "        cls = ctx.cls = planned[0]",
        "        shipped, delivered = shared if shared is not None else _anchors(order, lid)",
        *adjust,
        # the line's parts (resolutions, price adjustment, reasons, latest deadline) by its pattern, anchor
        # dates and adjustment: one look-up for the lines that share them (`planned` kept alive by the entry)
        "        pid = _id(planned)",
        "        shared_parts = deadlines.get((pid, shipped, delivered, ckey))",
        "        if shared_parts is None:",
        "            key = (pid, shipped, delivered)",
        "            found = deadlines.get(key)",
        "            if found is None:",
        "                found = deadlines[key] = _resolutions(_rules, planned, order_date, shipped, delivered, "
        "as_of, deadlines)",
        *miss,
        "            shared_parts = deadlines[pid, shipped, delivered, ckey] = (found[0], parts[1], parts[0], "
        "found[1], planned)",
        "        line_json = {'line_item_id': lid, 'class': cls, 'resolutions': shared_parts[0],",
        "                     'price_adjustment': shared_parts[1], 'reasons': shared_parts[2]}",
        "        lines.append(line_json)",
        "        classes.add(cls)",
        "        last = shared_parts[3]",
        "        if last is not None and (latest is None or last > latest):",
        "            latest = last",
        "        if lid not in outcomes:",
        "            outcomes[lid] = (line_json, line, planned[1], cls)",
        "    return lines, outcomes, classes, latest",
        ""])
    namespace = dict(env)
    exec(compile(source, f"<line loop of policy {program.name}>", "exec"), namespace)  # noqa: S102 (our own source)
    run = namespace["run"]
    run.source = source  # for reading and for tests
    return run
