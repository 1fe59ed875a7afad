"""Shopify returns decided by the written policy (issue 15): return decisions per second, and Admin API calls
per return in each mode.

1. Decisions/s: `services.returns.decide.decide` for a two-line AALLYN return (a full-price tote and a
   FLASH SALE clutch, so both parts run: the refund part and the store-credit part), through the one decision
   recipe on a SQLite database (catalog and settings reads included), per CPU second of this thread, the
   median of RUNS runs. Target: ≥ 1,000 decisions/s (the engine alone does several thousand; a return is
   two engine decisions and two small reads).
2. Admin calls per return, end to end (signed returns/request → worker → Shopify simulator, queue run
   immediately): enforce approves or declines with 1 read + 1 write (a partial return 1 more, to remove the
   refused lines), recommend writes the tag and note with 2 reads + 1 write. Targets: enforce ≤ 2,
   recommend ≤ 3 (1 for the return, 1 for the order's note, 1 write).
"""
from __future__ import annotations

import logging
import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

SHOP = "bench-returns.myshopify.com"
SECRET = "bench-secret"
RUNS = 5
DECISIONS = 400
TARGET_PER_SECOND = 1_000
TARGET_CALLS = {"enforce": 2, "recommend": 3}
US = {"country_code": "US", "province_code": "CA", "address1": "1 Main St", "city": "Los Angeles", "zip": "90012"}


def _iso(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _app(tmp: Path, sim):
    from backend import create_app
    from backend.store import migrate

    url = f"sqlite:///{tmp / 'bench.db'}"
    migrate.upgrade(url)
    return create_app({"database_url": url, "testing": True, "admin_origin": sim.origin_template,
                       "api_secret": SECRET, "huey_immediate": True})


def _install(app, sim, mode: str) -> None:
    from backend.store import returns as repo
    from backend.store.models import Shop

    token = sim.install(SHOP)["access_token"]
    with app.extensions["fineprint.db"].session() as s:
        s.add(Shop(domain=SHOP, access_token_encrypted=app.extensions["fineprint.cipher"].encrypt(token),
                   installed_at=datetime.now(timezone.utc), active_policy="aallyn", timezone="America/Los_Angeles"))
        s.flush()
        repo.save_settings(s, SHOP, mode=mode)


def _order(app, sim, client, tags_by_line):
    from tests.integration.pipeline_helpers import order_payload
    from tests.integration.edge_helpers import post_webhook

    delivered = datetime.now(timezone.utc) - timedelta(days=4)
    items = []
    for i, tags in enumerate(tags_by_line):
        product = sim.add_product(SHOP, f"Bag {i}", tags=list(tags), price="120.00" if tags else "295.00")
        items.append({"variant": product.variants[0]})
    order = sim.add_order(SHOP, line_items=items, created_at=_iso(delivered - timedelta(days=3)),
                          shipping_address=US, email="shopper@example.com")
    sim.fulfill(SHOP, order.id, created_at=_iso(delivered - timedelta(days=1)), delivered_at=_iso(delivered))
    post_webhook(client, app, "orders/create", order_payload(sim, SHOP, order), shop=SHOP, secret=SECRET)
    return order


def _deliver_fulfillment(app, client, sim, order):
    from tests.integration.edge_helpers import post_webhook
    from tests.integration.pipeline_helpers import delivered_event_payload, fulfillment_payload

    ful = sim.order(SHOP, order.id).fulfillments[0]
    post_webhook(client, app, "fulfillments/create", fulfillment_payload(sim, SHOP, order, ful), shop=SHOP,
                 secret=SECRET)
    post_webhook(client, app, "fulfillment_events/create",
                 delivered_event_payload(order, ful, ful.delivered_at), shop=SHOP, secret=SECRET)


def decisions_per_second() -> tuple[float, float]:
    """(median decisions per CPU second, median wall µs per decision)."""
    from backend.services.decisions.context import shop_policy
    from backend.services.orders import state as orders
    from backend.services.returns.decide import decide
    from devshop import Simulator

    with tempfile.TemporaryDirectory() as d, Simulator(api_secret=SECRET) as sim:
        sim.add_shop(SHOP, bucket_size=100000, restore_rate=100000)
        app = _app(Path(d), sim)
        _install(app, sim, "off")
        client = app.test_client()
        with app.app_context():
            order = _order(app, sim, client, [(), ("flash-sale",)])
            _deliver_fulfillment(app, client, sim, order)
            ret = {"id": "1", "gid": "gid://shopify/Return/1", "name": "#1001-R1", "order_id": str(order.id),
                   "currency": "USD", "shipping_fee": "0.00", "payments": [], "truncated": False,
                   "lines": [{"id": str(10 + i), "gid": f"gid://shopify/ReturnLineItem/{10 + i}",
                              "line_item_id": str(li.id), "quantity": 1, "processed_quantity": 0,
                              "reason": {"id": "r", "handle": "unwanted", "name": "Unwanted"},
                              "restocking_fee": None, "customer_note": None}
                             for i, li in enumerate(order.line_items)]}
            rates, walls = [], []
            with app.extensions["fineprint.db"].session() as s:
                state = orders.load(s, SHOP, str(order.id))
                policy, _ = shop_policy(s, SHOP)
                now = datetime.now(timezone.utc)
                decision = decide(s, SHOP, state, ret, now, policy)
                assert decision["verdict"] == "approve" and decision["credit_total"] == "120.00", decision
                for _ in range(RUNS):
                    cpu, wall = time.thread_time(), time.perf_counter()
                    for _ in range(DECISIONS):
                        decide(s, SHOP, state, ret, now, policy)
                    rates.append(DECISIONS / (time.thread_time() - cpu))
                    walls.append((time.perf_counter() - wall) / DECISIONS * 1e6)
        app.extensions["fineprint.db"].dispose()
    return statistics.median(rates), statistics.median(walls)


def calls_per_return(mode: str, returns: int = 10) -> dict:
    """Admin calls per return, by operation, for `returns` requests (half of them partly refused)."""
    from backend import jobs
    from devshop import Simulator

    with tempfile.TemporaryDirectory() as d, Simulator(api_secret=SECRET) as sim:
        sim.add_shop(SHOP, bucket_size=100000, restore_rate=100000)
        app = _app(Path(d), sim)
        _install(app, sim, mode)
        client = app.test_client()
        for noisy in ("huey", "httpx"):  # one line per task and per Admin call would bury the figures
            logging.getLogger(noisy).setLevel(logging.WARNING)
        by_kind = {"whole": [], "partial": []}
        with app.app_context():
            for i in range(returns):
                kind = "partial" if i % 2 else "whole"
                tags = [(), ("final-sale",)] if kind == "partial" else [()]
                order = _order(app, sim, client, tags)
                _deliver_fulfillment(app, client, sim, order)
                sim.clear_calls()
                sent_before = len(sim.sent_webhooks(SHOP))
                sim.request_return(SHOP, order.id, [{"line_item_id": li.id, "reason": "unwanted"}
                                                    for li in order.line_items])
                for sent in sim.sent_webhooks(SHOP)[sent_before:]:
                    if sent.topic == "returns/request":
                        assert client.post("/webhooks", data=sent.body, headers=sent.headers).status_code == 200
                calls = [c for c in sim.calls("graphql", shop=SHOP) if c.status == 200
                         and ((c.operation or "").startswith("FineprintReturn")
                              or c.operation == "FineprintOrderNote")]
                by_kind[kind].append(len(calls))
        app.extensions["fineprint.db"].dispose()
        jobs.huey.immediate = False
    return {k: statistics.mean(v) for k, v in by_kind.items() if v}


def main() -> None:
    rate, wall = decisions_per_second()
    met = "met" if rate >= TARGET_PER_SECOND else "not met"
    print(f"return decisions (AALLYN, 2 lines: refund part + store-credit part, through the decision recipe): "
          f"{rate:,.0f}/s per CPU second, {wall:,.0f} µs wall each (target ≥ {TARGET_PER_SECOND:,}/s: {met})",
          flush=True)
    calls, all_met = {}, rate >= TARGET_PER_SECOND
    for mode in ("enforce", "recommend"):
        figures = calls_per_return(mode)
        worst = calls[mode] = figures.get("whole", 0)
        met = "met" if worst <= TARGET_CALLS[mode] else "not met"
        all_met = all_met and met == "met"
        print(f"Admin calls per return, {mode}: {figures.get('whole', 0):.1f} for a whole approve/decline, "
              f"{figures.get('partial', 0):.1f} for a partly refused one (target ≤ {TARGET_CALLS[mode]} "
              f"per whole return: {met})", flush=True)
    load = os.getloadavg()[0]
    print(f"  summary: returns {rate:,.0f} decisions/s (target ≥ {TARGET_PER_SECOND:,}), "
          f"{calls['enforce']:.1f} Admin calls per enforced return (target ≤ {TARGET_CALLS['enforce']}), "
          f"{calls['recommend']:.1f} per recommended one (target ≤ {TARGET_CALLS['recommend']}): "
          f"{'met' if all_met else 'NOT met'} (1-min load average {load:.1f} on {os.cpu_count()} cores)", flush=True)


if __name__ == "__main__":
    main()
