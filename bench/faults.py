"""Nothing lost, nothing doubled (printed, not asserted): 300 orders under mixed Admin API faults and worker kills.

Real parts: signed orders/create webhooks through the app, the SQLite queue, `flask --app app worker`
processes (killed with SIGKILL and replaced while they work), and the Shopify simulator answering 429,
THROTTLED, 5xx, slow answers and 401s mixed into normal traffic. Printed:

* lost: orders whose decision never reached Shopify (no decision metafield, or tags that differ from it)
* doubled: orders Shopify received more than one applied write for
* time to converge: from the first webhook until every order is written and no job is open

Knobs: BENCH_FAULT_ORDERS (300), BENCH_FAULT_KILLS (4), BENCH_FAULT_TIMEOUT (600 s).
"""
from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench.pipeline import SECRET, SHOP, US, _app, _headers, _install, _order_payload, _product_payload, _products

ROOT = Path(__file__).resolve().parent.parent
FAULT_MIX = [("429", 40, {"retry_after": 0.2}), ("throttled", 40, {}), ("503", 25, {}), ("500", 10, {}),
             ("slow", 10, {"delay": 0.3}), ("revoked", 10, {})]


def _worker(tmp: Path, sim) -> subprocess.Popen:
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": f"sqlite:///{tmp / 'bench.db'}",
           "SHOPIFY_ADMIN_ORIGIN": sim.origin_template, "SHOPIFY_API_SECRET": SECRET}
    env.pop("REDIS_URL", None)
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "app", "worker", "-w", "4"], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _inject(sim) -> int:
    """A shuffled mix of every fault class, spread over the traffic (each answers one request)."""
    mix = [(kind, opts) for kind, times, opts in FAULT_MIX for _ in range(times)]
    random.Random(7).shuffle(mix)
    for kind, opts in mix:
        sim.inject(SHOP, kind, **opts)
        sim.inject(SHOP, "slow", delay=0.0)  # a normal answer between two faults
    return len(mix)


def _open_work(app) -> int:
    from sqlmodel import select

    from backend.store.models import PipelineJob, WebhookEvent

    with app.extensions["fineprint.db"].session() as s:
        jobs = len(list(s.exec(select(PipelineJob.id).where(PipelineJob.status.in_(("pending", "running"))))))
        events = len(list(s.exec(select(WebhookEvent.id).where(WebhookEvent.status.in_(("received", "processing"))))))
    return jobs + events


def _outcome(sim, orders) -> tuple[int, int]:
    writes: dict[str, int] = {}
    for call in sim.calls("graphql", shop=SHOP):
        # applied: answered 200 without the simulator's own THROTTLED (its cost bucket), or answered late
        if (call.operation == "FineprintApplyDecision" and call.status == 200 and call.error is None
                and call.fault in (None, "slow")):
            gid = (call.variables or {}).get("id") or ((call.variables or {}).get("metafields") or [{}])[0].get(
                "ownerId")
            writes[gid] = writes.get(gid, 0) + 1
    lost = doubled = 0
    for order in orders:
        decision = _decision(sim, order)
        ours = set(sim.order(SHOP, order.id).tags) & {"final-sale", "sale-credit-only", "return-protection",
                                                      "signature-required"}
        lost += decision is None or set(decision.get("tags") or []) != ours
        doubled += writes.get(f"gid://shopify/Order/{order.id}", 0) > 1
    return lost, doubled


def _decision(sim, order):
    for (namespace, key), field in sim.order(SHOP, order.id).metafields.items():
        if key == "decision" and "returns" in namespace:
            return json.loads(field.value)
    return None


def _converged(app, sim, orders) -> bool:
    return _open_work(app) == 0 and all(_decision(sim, o) is not None for o in orders)


def run(n_orders: int = 300, kills: int = 4, timeout: float = 600.0) -> dict:
    from devshop import Simulator

    with tempfile.TemporaryDirectory() as d, Simulator(api_secret=SECRET) as sim:
        tmp = Path(d)
        sim.add_shop(SHOP)
        app = _app(tmp, sim, huey_path=str(tmp / "huey.db"))  # where `flask worker` finds it (next to the db)
        _install(app, sim)
        client = app.test_client()
        products = _products(sim)
        for p in products:
            body = json.dumps(_product_payload(sim, p)).encode()
            client.post("/webhooks", data=body, headers=_headers(body, "products/create"))
        workers = [_worker(tmp, sim), _worker(tmp, sim)]
        faults = _inject(sim)
        orders = [sim.add_order(SHOP, line_items=[{"variant": products[i % len(products)].variants[0]}],
                                shipping_address=US) for i in range(n_orders)]
        started = time.monotonic()
        for i, order in enumerate(orders):
            body = json.dumps(_order_payload(sim, order)).encode()
            assert client.post("/webhooks", data=body, headers=_headers(body, "orders/create")).status_code == 200
            if kills and i % (n_orders // kills) == n_orders // (2 * kills):  # kill one mid-flight, start another
                victim = workers.pop(0)
                os.killpg(victim.pid, signal.SIGKILL)
                victim.wait()
                workers.append(_worker(tmp, sim))
        while not _converged(app, sim, orders) and time.monotonic() - started < timeout:
            time.sleep(0.5)
        elapsed = time.monotonic() - started
        for w in workers:
            os.killpg(w.pid, signal.SIGTERM)
            w.wait(timeout=30)
        lost, doubled = _outcome(sim, orders)
        app.extensions["fineprint.db"].dispose()
        return {"orders": n_orders, "faults": faults, "kills": kills, "lost": lost, "doubled": doubled,
                "converge_s": elapsed, "converged": _converged_flag(lost, elapsed, timeout)}


def _converged_flag(lost: int, elapsed: float, timeout: float) -> bool:
    return lost == 0 and elapsed < timeout


def main() -> None:
    figures = run(int(os.environ.get("BENCH_FAULT_ORDERS", 300)), int(os.environ.get("BENCH_FAULT_KILLS", 4)),
                  float(os.environ.get("BENCH_FAULT_TIMEOUT", 600)))
    print(f"{figures['orders']} orders, {figures['faults']} injected faults (429, THROTTLED, 500/503, slow, 401), "
          f"{figures['kills']} worker kills (SIGKILL)")
    print(f"  lost {figures['lost']}   (target 0)")
    print(f"  doubled {figures['doubled']}   (target 0)")
    state = "converged" if figures["converged"] else "NOT converged"
    print(f"  time to converge {figures['converge_s']:.1f} s ({state}; a killed worker's lease lapses in 30 s)")


if __name__ == "__main__":
    main()
