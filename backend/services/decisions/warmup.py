"""Warm a web worker before it serves (issue 19): its first decision cost ~30-40 ms of CPU, the next ~1-2 ms.

    warm_up(app, now=None) -> [the policy references warmed]      (also kept as app.extensions["fineprint.warmed"])

The first decision in a fresh process paid for what every later one finds ready: importing the `holidays`
package and the country's module (a ship-by calendar's holidays, ~29 ms), loading and compiling the shop's policy
(~10 ms), building its ship-by table for the year, and opening the first database connection. The server's entry
(`app.py`: `create_app(warm_up=True)`) runs this once in each web worker as it loads the app, before the worker
answers anything (granian and gunicorn both load the app in each worker), so no shopper pays it.

What is warmed is what a decision then looks up the usual way, never an answer: the presets and the active
policies of installed shops go through `policy_for`, whose cache is keyed by the file's modification time or by
the stored version's hash, so a policy the merchant changes after the warm-up is a new key and decides the very
next request. One sample cart is decided with each (its memo entry is that sample's own, under that policy). The
shop, settings and catalog reads stay uncached. Nothing here may stop a worker from starting: a policy that
cannot be loaded, or a database that cannot be reached yet, is logged and left to the first request.

    freeze_heap()   after the warm-up (app.py): what the worker has built so far leaves the garbage collector's view

A worker's warmed heap is ~170,000 container objects (modules, the compiled policies, SQLAlchemy's and Flask's
tables); each full collection walked all of them, ~80 ms of CPU on the 2-core machine, stalling every request
queued behind it (the Decision API's max and p99 under load). `gc.freeze()` (the standard library's answer for
exactly this: a long-lived heap built at start) moves them to a permanent generation that collections skip;
objects made by requests are collected as before. Only the server's entry calls it: a test process or the CLI
keeps its heap collectable.
"""
from __future__ import annotations

import copy
import gc
import logging
import time
from datetime import datetime, timezone

from backend import policy as engine
from backend.policy.compiled import compiled
from backend.store import decision_inputs

log = logging.getLogger(__name__)

SHOP_POLICIES = 32  # installed shops' active policies compiled at start; any other is compiled on its first request
# A cart with the facts the engine reads already filled (as the catalog fill leaves them), US address: a plain
# line, a final-sale one and a marked-down one, so the compiled policy's usual rule patterns are combined once
# (its own bounded memo, keyed by the rules' answers). `created_at` is set to the warm-up's moment.
SAMPLE = {"order": {"created_at": "", "currency": "USD", "shipping_address": {"country_code": "US", "province_code": "CA"},
                    "line_items": [
                        {"id": "0", "quantity": 1, "price": "10.00", "product_type": "", "product_tags": [],
                         "compare_at_price": None},
                        {"id": "1", "quantity": 1, "price": "10.00", "product_type": "", "product_tags": ["final-sale"],
                         "compare_at_price": None},
                        {"id": "2", "quantity": 1, "price": "10.00", "product_type": "", "product_tags": [],
                         "compare_at_price": "20.00"}]}}


def warm_up(app, now: datetime | None = None) -> list[str]:
    """Load, compile and try each preset and each installed shop's active policy; open a database connection."""
    from backend.services.orders.apply_decision import policy_for  # the policy cache lives with the pipeline

    started = time.thread_time()
    now = now or datetime.now(timezone.utc)
    refs = [*engine.preset_names(), *_shop_policies(app)]
    warmed = []
    sample = copy.deepcopy(SAMPLE)
    sample["order"]["created_at"] = now.isoformat()  # this year's ship-by table: the one shoppers' carts use
    for ref in dict.fromkeys(refs):
        try:
            engine.decide(compiled(policy_for(ref, app)), copy.deepcopy(sample), now)
        except Exception as exc:  # noqa: BLE001 - a policy the first request would fail on too: not the start's
            log.warning("warm-up: policy %r left to its first request (%s)", ref, type(exc).__name__)
            continue
        warmed.append(ref)
    app.extensions["fineprint.warmed"] = tuple(warmed)
    log.info("web worker warmed: %d policies in %.0f ms of CPU", len(warmed), (time.thread_time() - started) * 1000)
    return warmed


def _shop_policies(app) -> list[str]:
    """The installed shops' active policies, read on the pool's first connection (which the first request then
    reuses); [] when the database cannot be reached yet."""
    db = app.extensions["fineprint.db"]
    try:
        refs = db.read(lambda conn: decision_inputs.active_policies(conn, SHOP_POLICIES))
        decision_inputs.cart_inputs(db.engine, "", ())  # the cart read's own connection and statement, once
        return refs
    except Exception as exc:  # noqa: BLE001 - the first request reports a database that is down
        log.warning("warm-up: the database did not answer (%s); shop policies load on first use", type(exc).__name__)
        return []


def freeze_heap() -> int:
    """Collect what the start left behind, then freeze the rest (kept for the process's life); the count frozen."""
    gc.collect()
    gc.freeze()
    frozen = gc.get_freeze_count()
    log.info("web worker heap frozen: %d objects left out of garbage collections", frozen)
    return frozen
