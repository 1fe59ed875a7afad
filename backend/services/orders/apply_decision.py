"""Decide one stored order with its shop's active policy and write the result to Shopify once.

    apply_order(app, shop, order_id, trigger) -> "written" | "unchanged" | "verified"
                                                | "no_policy" | "invalid" | "waiting"

One Admin GraphQL request per change (tagsAdd + tagsRemove + metafieldsSet),
nothing when the written state would not change. Only our four tag names are
ever added or removed. A write is announced (`pending_hash`) before it is
sent, so a run that dies mid-write is recognised by the next one, which reads
the order back instead of writing twice.
"""
from __future__ import annotations

import copy
import hashlib
import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Callable

from backend.services.orders import catalog
from backend.services.flow import triggers as flow_triggers
from backend.services.orders import state as orders
from backend.services.decisions.cart_facts import fill_from_catalog
from backend.services.decisions.context import context_for_order
from backend.services.orders.state import OUR_TAGS
from backend.policy import RequestError
from backend.shopify import order_writes
from backend.store import order_pipeline
from backend.store.models import OrderState, utcnow

log = logging.getLogger(__name__)

# Test seams: a function called at "before_write" / "after_write" (crash injection).
hooks: dict = {}

PII_ADDRESS_FIELDS = ("address1", "address2", "city", "zip", "first_name", "last_name", "name", "phone", "company")


# ----------------------------------------------------------------- policies

_policies: dict = {}


def policy_for(name: str, app=None):
    """load_policy, cached per name and file modification time. A stored shop version
    (``version:<id>:<hash>``, see services.decisions.policies) is read from the database once."""
    from backend.policy import load_policy, resolve_path
    from backend.services.decisions import policies

    if policies.is_version_ref(name):
        if name not in _policies:
            from flask import current_app
            _policies[name] = policies.load_ref((app or current_app).extensions["fineprint.db"], name)
        return _policies[name]
    path = resolve_path(name)
    try:
        mtime = path.stat().st_mtime
    except OSError:
        mtime = None
    key = (name, mtime)
    if key not in _policies:
        _policies[key] = load_policy(name)
    return _policies[key]


# ------------------------------------------------------------------ helpers

def mask(request: dict) -> dict:
    """The decision input as logged: shipping address reduced to country and province."""
    masked = copy.deepcopy(request)
    address = (masked.get("order") or {}).get("shipping_address")
    if address:
        for key in PII_ADDRESS_FIELDS:
            if address.get(key):
                address[key] = "•••"
    for key in ("email", "phone", "customer", "billing_address"):
        (masked.get("order") or {}).pop(key, None)
    return masked


def stable(decision: dict) -> dict:
    """The decision without what only the passing of time changes (`allowed` flags), for hashing."""
    out = copy.deepcopy(decision)
    for line in out.get("lines") or []:
        for r in (line.get("resolutions") or {}).values():
            if isinstance(r, dict):
                r.pop("allowed", None)
        if isinstance(line.get("price_adjustment"), dict):
            line["price_adjustment"].pop("allowed", None)
    return out


def written_hash(tags: set, deadline: str | None, decision: dict) -> str:
    body = json.dumps({"tags": sorted(tags), "deadline": deadline, "decision": stable(decision)},
                      sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode()).hexdigest()


def recheck_at(policy, state: OrderState) -> datetime | None:
    """When the delivery fallback will turn a shipped-but-never-delivered line's anchor into a date."""
    fallback = getattr(policy, "delivery_fallback", None)
    if fallback is None:
        return None
    due = []
    for f in state.fulfillments or []:
        if not f.get("cancelled") and f.get("shipped_at") and not f.get("delivered_at"):
            shipped = catalog.parse_ts(f["shipped_at"]).astimezone(policy.tz)
            day = shipped.date() + timedelta(days=fallback.days)
            due.append(datetime(day.year, day.month, day.day, tzinfo=policy.tz).astimezone(timezone.utc))
    future = [d for d in due if d > utcnow()]
    return min(future) if future else None


# -------------------------------------------------------------------- apply

def _fill_catalog(app, session, state: OrderState, admin) -> bool:
    """Lines still lacking catalog facts: fetch unknown products (one read), then fill. True if facts changed."""
    lines = (state.facts or {}).get("line_items") or []
    if not any(catalog.needs_catalog(ln) for ln in lines):
        return False
    unknown = catalog.unknown_products(session, state.shop_domain, lines)
    if unknown and admin is not None:
        catalog.fetch_products(session, state.shop_domain, unknown, admin.graphql)
        session.flush()
    facts = copy.deepcopy(state.facts)
    fill_from_catalog(session, state.shop_domain, facts["line_items"])
    state.facts = facts
    return True


def _log(session, state, policy, trigger, request, decision, result, add=(), remove=(), error=None):
    order_pipeline.log_decision(
        session, shop_domain=state.shop_domain, order_id=state.order_id,
        policy_name=getattr(policy, "name", None), policy_version=getattr(policy, "version", None),
        trigger=trigger, input=mask(request) if request else {}, decision=decision,
        tags_added=sorted(add), tags_removed=sorted(remove), write_result=result, error=error)


def _mark(session, state: OrderState, **values) -> None:
    """Update only the pipeline's own columns (ingest may be changing facts concurrently)."""
    order_pipeline.mark(session, state.id, **values)


def apply_order(app, shop: str, order_id: str, trigger: str = "", admin=None, now: datetime | None = None,
                done: Callable[[object], None] | None = None) -> str:
    """Two database transactions around the one Admin write: the first reads what the decision needs and
    announces the write, the second records it (state, decision log, Flow triggers, and `done(session)`: the
    caller's own bookkeeping, committed with the outcome). An outcome with nothing to write is recorded in the
    first. Raises when the write fails (`done` not called)."""
    db = app.extensions["fineprint.db"]
    now = now or datetime.now(timezone.utc)
    with db.session() as session:
        outcome = _read_and_announce(app, session, shop, order_id, trigger, admin, now)
        if isinstance(outcome, str):
            if done is not None:
                done(session)
            return outcome
    state, policy, request, decision, desired, add, remove, digest, recheck, config, pending = outcome
    deadline = decision.get("return_deadline")
    # the write happens outside any transaction (no DB lock held during HTTP)
    admin = admin or admin_for(app, shop)
    gid = state.facts.get("id")
    result = "written"
    if pending == digest and _already_written(admin, gid, desired, deadline, decision, config.our_tags):
        result = "verified"
    else:
        _call_hook("before_write", shop, order_id)
        query, variables = order_writes.apply_decision_request(
            gid, sorted(add), sorted(remove), deadline, decision,
            delete_deadline=deadline is None and state.deadline_written is not None)
        data = admin.graphql(query, variables, resend=False)  # no answer: the next run reads back first
        errors = order_writes.user_errors(data)
        if errors:
            raise order_writes.WriteRejected(errors)
        _call_hook("after_write", shop, order_id)
        _check_echo(data, variables)
    with db.session() as session:
        _mark(session, state, decision_hash=digest, pending_hash=None, tags_written=sorted(desired),
              deadline_written=deadline, applied_revision=state.revision, recheck_at=recheck)
        _log(session, state, policy, trigger, request, decision, result, add, remove)
        flow_triggers.after_apply(app, shop, order_id, policy, decision, now, session=session)  # issue 17
        if done is not None:
            done(session)
    return result


def _read_and_announce(app, session, shop: str, order_id: str, trigger: str, admin, now: datetime):
    """Decide the stored order in the first transaction. An outcome with nothing to write ("waiting",
    "no_policy", "invalid", "unchanged") is recorded here and returned as a string; otherwise the write is
    announced (`pending_hash`) and what the write and its record need is returned."""
    state = orders.load(session, shop, order_id)
    if state is None or not (state.facts or {}).get("created_at"):
        return "waiting"  # fulfillment facts arrived before the order; orders/create will follow
    revision = state.revision
    policy_name = order_pipeline.active_policy(session, shop)
    if policy_name is None:
        if state.applied_revision != revision:
            _log(session, state, None, trigger, orders.decision_request(state), None, "no_policy")
            _mark(session, state, applied_revision=revision)
        return "no_policy"
    if admin is None and any(catalog.needs_catalog(ln) for ln in state.facts.get("line_items") or []):
        admin = admin_for(app, shop)
    if _fill_catalog(app, session, state, admin):
        # the snapshot, now complete, is kept: later product edits never reclassify this order
        order_pipeline.mark(session, state.id, facts=state.facts)
    policy = policy_for(policy_name, app)
    context = context_for_order(session, shop, state, policy)  # the one recipe every surface asks
    request = context.request
    try:
        decision = context.decide(now)
    except RequestError as exc:
        _log(session, state, policy, trigger, request, None, "invalid", error=str(exc))
        _mark(session, state, applied_revision=revision)
        return "invalid"
    desired = set(context.tags(decision))
    written = set(state.tags_written or [])
    add, remove = desired - written, written - desired
    digest = written_hash(desired, decision.get("return_deadline"), decision)
    recheck = recheck_at(policy, state)
    if digest == state.decision_hash:
        _mark(session, state, applied_revision=revision, recheck_at=recheck)
        return "unchanged"
    pending = state.pending_hash
    if pending is None or pending != digest:
        _mark(session, state, pending_hash=digest)
    return state, policy, request, decision, desired, add, remove, digest, recheck, context.config, pending


def _already_written(admin, gid: str, desired: set, deadline: str | None, decision: dict,
                     our_tags=OUR_TAGS) -> bool:
    """Does the order carry exactly what this write means: our tags (added and removed), the deadline
    and the decision? A run that died after announcing the write asks this before writing again; every
    field counts, since an order with no tag and no deadline looks "written" by those two alone."""
    data = admin.graphql(order_writes.ORDER_WRITE_STATE_QUERY, {"id": gid})
    found = order_writes.written_state(data)
    if found is None:
        return False
    ours = {t for t in found["tags"] if t in our_tags}
    meant = json.loads(json.dumps(decision, default=str))  # as the metafield holds it (JSON round trip)
    return (ours == desired and found["deadline"] == deadline
            and found["decision"] is not None and stable(found["decision"]) == stable(meant))


class WriteUnconfirmed(Exception):
    """Shopify answered the write, but its echo of the metafields is not what was sent: retried, and the
    retry reads the order back before writing again."""


def _check_echo(data: dict, variables: dict) -> None:
    """metafieldsSet echoes the values it stored; each must be the value sent (key by key)."""
    sent = {m["key"]: m["value"] for m in variables.get("metafields") or []}
    if not sent:
        return
    echoed = {m.get("key"): m.get("value") for m in ((data or {}).get("returns") or {}).get("metafields") or []}
    wrong = sorted(k for k, v in sent.items() if not _same_value(echoed.get(k), v))
    if wrong:
        raise WriteUnconfirmed(f"Shopify's echo of metafields {', '.join(wrong)} differs from what was sent")


def _same_value(echoed: str | None, sent: str) -> bool:
    if echoed == sent:
        return True
    try:  # a json metafield may come back re-serialised (key order, spacing): compare the documents
        return echoed is not None and json.loads(echoed) == json.loads(sent)
    except ValueError:
        return False


def _call_hook(name: str, *args) -> None:
    fn = hooks.get(name)
    if fn is not None:
        fn(*args)


# ------------------------------------------------------------ admin access

def admin_for(app, shop: str):
    """The Admin GraphQL client for a shop (token from tokens_for, pacing and retries inside)."""
    factory = app.extensions.get("fineprint.admin_factory")
    if factory is not None:
        return factory(shop)
    from backend.services.orders.admin_port import AdminPort

    return AdminPort(app, shop)
