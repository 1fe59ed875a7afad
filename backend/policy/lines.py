"""One line's outcome: class (by precedence), windows (later rules override), deadlines, price adjustment.

`combine` is THE combining rule of the rule language (see policy_rules/README.md). `LineRules` is the
policy's rules turned once into plain tuples, which `combine` and `line_outcome` run for every line.
`finish` is the compiled policy's tail of the line loop (generated.py): lines whose pattern table entry is
known to their line dicts, with deadlines from the policy's per-window-length tables (LineRules.after).
"""
from __future__ import annotations

from datetime import date, timedelta

from backend.policy.calendar import IsoDates
from backend.policy.memo import Memo
from backend.policy.model import CLASS_PERMITS, PRECEDENCE, RESOLUTIONS, Policy

_NO_RANK = -1
DEADLINES = 366 * 16  # anchor dates kept per window length (LineRules.after): a handful of years in use


class Ctx:
    """What a condition looks at."""

    __slots__ = ("line", "order", "ret", "cls", "elapsed")

    def __init__(self, line, order, ret=None, cls=None, elapsed=None):
        self.line, self.order, self.ret, self.cls = line, order, ret, cls
        self.elapsed = elapsed  # days since the requested resolution's window anchor (return lines only)


class LineRules:
    """The line rules of one policy as plain tuples (built once by compile_policy)."""

    __slots__ = ("rules", "protection", "fallback", "fallback_delta", "adjustments", "iso", "_after")

    def __init__(self, policy: Policy):
        self.rules = tuple(
            (r.cond.match, r.cls, PRECEDENCE[r.cls] if r.cls else _NO_RANK,
             tuple((res, (w, r, timedelta(days=w.days) if w is not None and w.days is not None else None))
                   for res, w in r.windows.items()),
             r) for r in policy.rules)
        self.protection = policy.protection
        self.fallback = policy.delivery_fallback
        self.fallback_delta = timedelta(days=self.fallback.days) if self.fallback else None
        self.adjustments = tuple((r.cond.match, r, timedelta(days=r.days)) for r in policy.price_adjustments) \
            if policy.price_adjustments else None
        self.iso = IsoDates().__getitem__  # a date's ISO text (the deadlines' texts)
        self._after: dict = {}  # days -> its table of deadlines (after())

    def after(self, days: int) -> Memo:
        """The table anchor date -> (anchor + days, its ISO text) of one window length: a pure function of
        the date, bounded (it starts over past DEADLINES dates), filled as decisions meet anchor dates. A
        decision's deadlines are then one look-up each (a date sum and a text look-up, ~2k instructions
        (callgrind), only for an anchor date not met before)."""
        table = self._after.get(days)
        if table is None:
            table = self._after[days] = Memo(DEADLINES)
        return table


def combine(rules: LineRules, ctx: Ctx, protected: bool, undetermined: list):
    """Class: highest precedence among matching rules. Windows: per resolution, the last matching rule
    in file order that sets it wins; then the class masks what it never permits. A rule whose conditions
    are undetermined is not applied, and is listed in `undetermined`.
    Returns (class, {resolution: (Window, rule, timedelta) | None}, [rules that shaped the line])."""
    cls, rank, class_rules, set_by = "standard", PRECEDENCE["standard"], [], {}
    if protected:
        cls, rank, class_rules = "protection", PRECEDENCE["protection"], [rules.protection]
    for match, rule_cls, rule_rank, windows, rule in rules.rules:
        found = match(ctx)
        if not found:
            if found is None:
                undetermined.append(("lines", rule.info.id, ctx.line.id))
            continue
        if rule_cls is not None:
            if rule_rank > rank or not class_rules:
                cls, rank, class_rules = rule_cls, rule_rank, [rule]
            elif rule_rank == rank:
                class_rules.append(rule)
        for resolution, entry in windows:
            set_by[resolution] = entry
    permits = CLASS_PERMITS[cls]
    windows, shaped = {}, class_rules
    for resolution in RESOLUTIONS:
        entry = set_by.get(resolution)
        if entry is None or (permits is not None and resolution not in permits):
            windows[resolution] = None
            continue
        windows[resolution] = entry if entry[0] is not None else None  # `false`: not permitted, by this rule
        if entry[1] not in shaped:
            shaped.append(entry[1])
    return cls, windows, shaped


def anchors(order, line_id: str | None) -> tuple:
    """(shipped, delivered) local dates for a line: the latest over the fulfillments that cover it."""
    shipped = delivered = None
    for f in order.fulfillments:
        if f.line_ids is not None and line_id not in f.line_ids:
            continue
        if f.shipped_date is not None and (shipped is None or f.shipped_date > shipped):
            shipped = f.shipped_date
        if f.delivered_date is not None and (delivered is None or f.delivered_date > delivered):
            delivered = f.delivered_date
    return shipped, delivered


def line_outcome(rules: LineRules, ctx: Ctx, protected: bool, as_of: date, shared, undetermined: list,
                 deadlines: dict, combined: tuple | None = None) -> tuple:
    """(the §6 line dict, the windows (the return computation needs them), the latest deadline text); sets
    ctx.cls. `shared`: the line's (shipped, delivered) dates when known already (else found here);
    `deadlines`: this decision's (anchor date, days) -> (deadline, its text), shared by its lines;
    `combined`: what `combine` answers for this line, when the compiled policy knows it already (program.py)."""
    cls, windows, shaped = combined if combined is not None else combine(rules, ctx, protected, undetermined)
    ctx.cls = cls
    dates, fallback = _anchor_dates(rules, ctx, as_of, windows, shared)
    resolutions, latest = {}, None
    for resolution in RESOLUTIONS:
        entry = windows[resolution]
        if entry is None:
            resolutions[resolution] = {"allowed": False, "deadline": None, "window": None}
            continue
        window = entry[0]
        if window.until is not None:
            resolutions[resolution], text = _dated(window, entry[2], dates, as_of, rules.iso)
            if text is not None and (latest is None or text > latest):
                latest = text
            continue
        anchor = dates[window.anchor]
        if anchor is None:
            resolutions[resolution] = {"allowed": True, "deadline": None,
                                       "window": {"days": window.days, "from": window.anchor}}
            continue
        key = (anchor, window.days)
        found = deadlines.get(key)
        if found is None:
            deadline = anchor + entry[2]
            found = deadlines[key] = (deadline, rules.iso(deadline))
        if latest is None or found[1] > latest:  # ISO dates order as text
            latest = found[1]
        resolutions[resolution] = {"allowed": as_of <= found[0], "deadline": found[1],
                                   "window": {"days": window.days, "from": window.anchor}}
    reasons = [r.info.reason for r in shaped]
    if fallback:
        reasons.append(rules.fallback.info.reason)
    adjustment = _price_adjustment(rules, ctx, dates, as_of, reasons, undetermined) \
        if rules.adjustments is not None else None
    out = {"line_item_id": ctx.line.id, "class": cls, "resolutions": resolutions,
           "price_adjustment": adjustment, "reasons": reasons}
    return out, windows, latest


_ANCHOR_INDEX = {"order": 0, "shipment": 1, "delivery": 2}
# Dicts whose values are all known before a decision are copied from these (`{**template}`: PyDict_Copy,
# one block copy, ~half the instructions of inserting key by key (callgrind)); a dict with values that vary
# is cheaper built as a display than copied and then set.
_NOT_ALLOWED = {"allowed": False, "deadline": None, "window": None}
_NO_ADJUSTMENT = {"allowed": False, "resolution": None, "deadline": None}
_NONE_STEP, _UNTIL_STEP, _ANCHORED_STEP = 0, 1, 2


def plan(rules: LineRules, combined: tuple) -> tuple:
    """What `line_outcome` reads of a `combine` answer, laid out once (program.py keeps one per pattern of
    matching rules): (class, windows, steps, reasons, whether a delivery fallback would show), a step per
    resolution being (resolution, kind, window or None, its timedelta, its anchor's index in (order,
    shipment, delivery), its `window` entry as shown (copied for each decision), its table of deadlines
    (LineRules.after)); kind says which branch of `line_outcome` the step takes
    (no window, a window with a return-by date, a window of days from an anchor), decided here once."""
    cls, windows, shaped = combined
    steps = []
    for resolution in RESOLUTIONS:
        entry = windows[resolution]
        if entry is None:
            steps.append((resolution, _NONE_STEP, None, None, None, None, None))
        else:
            window = entry[0]
            kind = _UNTIL_STEP if window.until is not None else _ANCHORED_STEP
            steps.append((resolution, kind, window, entry[2], _ANCHOR_INDEX[window.anchor],
                          {"days": window.days, "from": window.anchor},
                          rules.after(window.days) if kind == _ANCHORED_STEP else None))
    shows_fallback = any(e is not None and e[0].anchor == "delivery" for e in windows.values())
    return cls, windows, tuple(steps), tuple(r.info.reason for r in shaped), shows_fallback


def planned_outcome(rules: LineRules, planned: tuple, ctx: Ctx, as_of: date, shared: tuple, undetermined: list,
                    deadlines: dict, adjustment=None) -> tuple:
    """`line_outcome` for a line whose `combine` answer is laid out already (`plan`): the same answer.
    `adjustment`: the compiled chooser of the line's price adjustment (program.price_adjustment_chooser),
    else the rules' own predicates are run. `deadlines`: this decision's memo, shared by its lines: the
    parts of line dicts that lines with the same pattern and anchor dates share within the decision (their
    `resolutions`, `reasons` and `price_adjustment` are then the same objects: see engine.decide)."""
    cls = planned[0]
    ctx.cls = cls
    shipped, delivered = shared
    key = (id(planned), shipped, delivered)  # `planned` is kept alive by the entry
    found = deadlines.get(key)
    if found is None:
        found = deadlines[key] = _planned_resolutions(rules, planned, ctx.order.local_date, shipped, delivered,
                                                      as_of)
    resolutions, latest, fallback, anchored, _ = found
    if rules.adjustments is None:
        reasons_key = (key, None, None)
        parts = deadlines.get(reasons_key)
        if parts is None:
            parts = deadlines[reasons_key] = (_reasons(rules, planned, fallback), None, planned)
    elif adjustment is None:
        reasons = _reasons(rules, planned, fallback)
        dates = {"order": anchored[0], "shipment": anchored[1], "delivery": anchored[2]}
        parts = (reasons, _price_adjustment(rules, ctx, dates, as_of, reasons, undetermined))
    else:  # _price_adjustment, with the compiled chooser and the anchor dates at hand
        chosen = adjustment(ctx, undetermined)
        rule = None if chosen is None else chosen[0]
        reasons_key = (key, id(rule), None)  # `rule` is kept alive by the policy
        parts = deadlines.get(reasons_key)
        if parts is None:
            parts = deadlines[reasons_key] = _adjusted(rules, planned, fallback, chosen, anchored, as_of)
    return {"line_item_id": ctx.line.id, "class": cls, "resolutions": resolutions,
            "price_adjustment": parts[1], "reasons": parts[0]}, planned[1], latest


def finish(rules: LineRules, order, todo: list, as_of: date, choices: tuple | None) -> tuple:
    """(line dicts, {line id: (line dict, line, windows, class)}, classes, latest deadline) of the lines in
    `todo`, each (line, pattern table entry (class, undetermined rule ids, `plan`'s layout, serial), index
    of its price adjustment in `choices`, each (rule, timedelta, its table of deadlines) (-1: none; None:
    the policy has none)): the tail of the generated line loop (generated.py), here so that it runs
    compiled (scripts/build-native), not interpreted as the exec'd loop is. Lines of one pattern and anchor
    dates share their `resolutions`, and with one price adjustment their `reasons` and `price_adjustment`
    (engine.decide), found once in `seen` by the entry's serial, which no other entry ever has.
    Written for the compiled twin: `seen` and the other locals are literals (Cython then calls the C API
    for their look-ups, not a method call: ~500 instructions (callgrind) each)."""
    for f in order.fulfillments:  # the lines share their anchor dates unless a fulfillment lists its lines
        if f.line_ids is not None:
            shared = None
            break
    else:
        shared = anchors(order, None)
    order_date = order.local_date
    lines, outcomes, classes, seen, latest = [], {}, set(), {}, None
    for line, entry, ckey in todo:
        cls, _, planned, serial = entry
        lid = line.id
        if shared is None:
            shipped, delivered = anchors(order, lid)
            key = (serial, shipped, delivered)
        else:
            shipped, delivered = shared
            key = serial
        # without price adjustments, one look-up finds a line's parts; with them, the resolutions are found
        # by the pattern and anchor dates, the reasons and adjustment by those and the adjustment chosen
        full = key if ckey is None else (key, ckey)
        parts = seen.get(full)
        if parts is None:
            found = None if ckey is None else seen.get(key)
            if found is None:
                found = _planned_resolutions(rules, planned, order_date, shipped, delivered, as_of)
                if ckey is not None:
                    seen[key] = found
            if ckey is None:
                reasons, adjustment = _reasons(rules, planned, found[2]), None
            else:
                chosen = choices[ckey]
                reasons, adjustment, _ = _adjusted(rules, planned, found[2], chosen, found[3], as_of,
                                                   None if chosen is None else chosen[2])
            parts = seen[full] = (found[0], adjustment, reasons, found[1])
        line_json = {"line_item_id": lid, "class": cls, "resolutions": parts[0], "price_adjustment": parts[1],
                     "reasons": parts[2]}
        lines.append(line_json)
        classes.add(cls)
        last = parts[3]
        if last is not None and (latest is None or last > latest):  # ISO dates order as text
            latest = last
        if lid not in outcomes:
            outcomes[lid] = (line_json, line, planned[1], cls)
    return lines, outcomes, classes, latest


def _deadline(table: Memo, anchor: date, delta, iso) -> tuple:
    """(anchor + delta, its ISO text), kept in the window length's table (LineRules.after): the miss path of
    a `table[anchor]` look-up (a subscript, not table.get: the compiled twin calls the mapping slot rather
    than looking a method up)."""
    deadline = anchor + delta
    return table.put(anchor, (deadline, iso(deadline)))


def _reasons(rules: LineRules, planned: tuple, fallback: bool) -> list:
    reasons = list(planned[3])
    if fallback:
        reasons.append(rules.fallback.info.reason)
    return reasons


def _adjusted(rules: LineRules, planned: tuple, fallback: bool, chosen, anchored: tuple, as_of: date,
              table: Memo | None = None) -> tuple:
    """(reasons, price adjustment) of a line whose compiled chooser answered `chosen` (_price_adjustment);
    `table`: the deadlines of the chosen rule's days, when the caller has it at hand."""
    reasons = _reasons(rules, planned, fallback)
    if chosen is None:
        return reasons, {**_NO_ADJUSTMENT}, planned
    rule = chosen[0]
    reasons.append(rule.info.reason)
    if rule.resolution is None:
        return reasons, {**_NO_ADJUSTMENT}, planned
    anchor = anchored[_ANCHOR_INDEX[rule.anchor]]
    if anchor is None:
        return reasons, {"allowed": True, "resolution": rule.resolution, "deadline": None}, planned
    delta = chosen[1]
    if table is None:
        table = rules.after(delta.days)
    try:  # one look-up but for an anchor date new to the table (_deadline)
        found = table[anchor]
    except KeyError:
        found = _deadline(table, anchor, delta, rules.iso)
    return reasons, {"allowed": as_of <= found[0], "resolution": rule.resolution, "deadline": found[1]}, planned


def _planned_resolutions(rules: LineRules, planned: tuple, order_date, shipped, delivered, as_of: date) -> tuple:
    """(resolutions dict, latest deadline text, whether the delivery fallback shows, (order, shipment,
    delivery) dates, `planned` (kept alive while its id is a key)) of a pattern and anchor dates."""
    _, _, steps, _, shows_fallback = planned
    iso, fallback = rules.iso, False
    if delivered is None and shipped is not None and rules.fallback is not None:
        assumed = shipped + rules.fallback_delta
        if as_of >= assumed:
            delivered, fallback = assumed, shows_fallback
    anchored = (order_date, shipped, delivered)
    dates, resolutions, latest = None, {}, None
    last_table = last_anchor = text = allowed = None  # resolutions mostly share days and anchor: one look-up
    for resolution, kind, window, delta, index, window_shown, table in steps:
        if kind == _ANCHORED_STEP:
            anchor = anchored[index]
            if anchor is None:
                resolutions[resolution] = {"allowed": True, "deadline": None, "window": {**window_shown}}
                continue
            if table is not last_table or anchor is not last_anchor:
                try:  # one look-up but for an anchor date new to the table (_deadline)
                    found = table[anchor]
                except KeyError:
                    found = _deadline(table, anchor, delta, iso)
                last_table, last_anchor, text, allowed = table, anchor, found[1], as_of <= found[0]
                if latest is None or text > latest:  # ISO dates order as text
                    latest = text
            resolutions[resolution] = {"allowed": allowed, "deadline": text, "window": {**window_shown}}
        elif kind == _NONE_STEP:
            resolutions[resolution] = {**_NOT_ALLOWED}
        else:
            if dates is None:
                dates = {"order": order_date, "shipment": shipped, "delivery": delivered}
            resolutions[resolution], until_text = _dated(window, delta, dates, as_of, iso)
            if until_text is not None and (latest is None or until_text > latest):
                latest = until_text
    return resolutions, latest, fallback, anchored, planned


def _dated(window, delta, dates: dict, as_of: date, iso) -> tuple[dict, str | None]:
    """A window with a return-by date: the date alone, or the later of it and anchor + days (null while
    that anchor has not happened). `window.days` shows the days from the order when only `until` is set."""
    ordered = dates["order"]
    until = window.until_date(ordered)
    days = window.days if window.days is not None else max(0, (until - ordered).days)
    shown = {"days": days, "from": window.anchor, "until": iso(until)}
    anchor = dates[window.anchor]
    if window.days is not None and anchor is None:
        return {"allowed": True, "deadline": None, "window": shown}, None
    deadline = until if window.days is None else max(anchor + delta, until)
    text = iso(deadline)
    return {"allowed": as_of <= deadline, "deadline": text, "window": shown}, text


def elapsed_days(rules: LineRules, ctx: Ctx, as_of: date, windows: dict, resolution: str) -> int | None:
    """Days from the anchor of the window permitting `resolution` to `as_of` (0 before the anchor has
    happened: nothing is late yet); None when no window permits it."""
    entry = windows.get(resolution)
    if entry is None:
        return None
    anchor = _anchor_dates(rules, ctx, as_of, windows, None)[0][entry[0].anchor]
    return 0 if anchor is None else max(0, (as_of - anchor).days)


def _anchor_dates(rules: LineRules, ctx: Ctx, as_of: date, windows: dict, shared) -> tuple[dict, bool]:
    """({anchor: local date or None}, whether the delivery fallback supplied a delivery date in use)."""
    ship_date, delivered = shared if shared is not None else anchors(ctx.order, ctx.line.id)
    fallback = False
    if delivered is None and ship_date is not None and rules.fallback is not None:
        assumed = ship_date + rules.fallback_delta
        if as_of >= assumed:
            delivered = assumed
            fallback = any(e is not None and e[0].anchor == "delivery" for e in windows.values())
    return {"order": ctx.order.local_date, "shipment": ship_date, "delivery": delivered}, fallback


def _price_adjustment(rules: LineRules, ctx: Ctx, dates: dict, as_of: date, reasons: list,
                      undetermined: list) -> dict:
    chosen = None
    for match, rule, delta in rules.adjustments:
        found = match(ctx)
        if found:
            chosen = (rule, delta)
        elif found is None:
            undetermined.append(("lines", rule.info.id, ctx.line.id))
    if chosen is None:
        return {"allowed": False, "resolution": None, "deadline": None}
    rule, delta = chosen
    reasons.append(rule.info.reason)
    if rule.resolution is None:
        return {"allowed": False, "resolution": None, "deadline": None}
    anchor = dates[rule.anchor]
    deadline = anchor + delta if anchor is not None else None
    return {"allowed": deadline is None or as_of <= deadline, "resolution": rule.resolution,
            "deadline": rules.iso(deadline) if deadline else None}
