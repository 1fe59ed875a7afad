"""The worker stage's throughput on PostgreSQL + Redis with 1 and 2 consumer processes (issue 19), printed.

Real parts: a private PostgreSQL schema, a private Redis queue name, `fineprint worker` processes (the command
production runs), and the Shopify simulator over HTTP with its rate limits lifted (so the figure is the
worker's, not Shopify's pacing). Each run records N signed orders/create deliveries first (the queue messages
held back), starts the consumers and waits until they are up, then releases the messages at once and waits
until every order's decision has been written to the simulated shop. Printed per run:

* orders applied per second (from the first to the last applied decision, as the decision log dates them);
* the consumers' CPU per order (from /proc): what one worker core sustains, whatever else the machine runs.

* first, in process: the database transactions (and statements) the worker spends per order, counted with
  SQLAlchemy engine events (bench code only), with the Redis order lock and with the row lease.

Targets (issue 19 sets none for throughput; these are what the README's capacity plan assumes): at most
TARGET_TRANSACTIONS transactions per order; at most TARGET_CPU_MS of worker CPU per order (one core
≥ 1000/TARGET_CPU_MS orders/s); and the second consumer scales: it costs at most TARGET_CPU_GROWTH more worker
CPU per order than one consumer alone (no lock contention, lease stealing or work done twice), so on separate
cores two consumers apply ~2 × one's orders/s (the modelled speed-up, printed beside the verdict). The wall-clock
ratio of the two runs is printed too, but is not the criterion: on this machine's 2 shared cores the second
consumer competes with the first, PostgreSQL, Redis and the simulator for the same CPU.

Knobs: BENCH_SCALE_ORDERS (400), BENCH_SCALE_THREADS (4 per consumer), BENCH_SCALE_CONSUMERS ("1,2").
Skipped, with the reason, when PostgreSQL or Redis is not reachable.
"""
from __future__ import annotations

import json
import logging
import os
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._cpu import tree_cpu_seconds  # noqa: E402
from bench.pipeline import SECRET, SHOP, US, _headers, _order_payload, _product_payload, _products  # noqa: E402

TIMEOUT = 600.0
TARGET_TRANSACTIONS = 10
TARGET_CPU_MS = 50.0
TARGET_CPU_GROWTH = 0.10  # the second consumer's extra worker CPU per order, at most


def _install_with_catalog(app, sim):
    """The bench shop installed (policy ally) with the simulator's token, its products mirrored through signed
    products/create webhooks: (the app's test client, the products)."""
    from backend.store.models import Shop

    token = sim.install(SHOP)["access_token"]
    with app.extensions["fineprint.db"].session() as s:
        s.add(Shop(domain=SHOP, access_token_encrypted=app.extensions["fineprint.cipher"].encrypt(token),
                   active_policy="ally"))
    client = app.test_client()
    products = _products(sim)
    for p in products:
        body = json.dumps(_product_payload(sim, p)).encode()
        assert client.post("/webhooks", data=body, headers=_headers(body, "products/create")).status_code == 200
    return client, products


def _consumer(url: str, redis_url: str, queue: str, sim, threads: int) -> subprocess.Popen:
    env = {**os.environ, "APP_ENV": "development", "DATABASE_URL": url, "REDIS_URL": redis_url,
           "QUEUE_NAME": queue, "SHOPIFY_ADMIN_ORIGIN": sim.origin_template, "SHOPIFY_API_SECRET": SECRET}
    fineprint = Path(sys.executable).with_name("fineprint")
    return subprocess.Popen([str(fineprint), "worker", "--workers", str(threads)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)


def _count(app, sql: str) -> int:
    import sqlalchemy as sa

    with app.extensions["fineprint.db"].engine.connect() as conn:
        return conn.execute(sa.text(sql)).scalar() or 0


def _wait(predicate, timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        time.sleep(0.2)


def run(url: str, redis_url: str, consumers: int, orders: int, threads: int) -> dict:
    import sqlalchemy as sa

    from backend import create_app, jobs
    from backend.services import queue as queue_port
    from backend.services.webhooks import ingest
    from backend.store import migrate
    from devshop import Simulator

    queue = f"fineprint-bench-{uuid.uuid4().hex[:8]}"
    migrate.upgrade(url)
    with tempfile.TemporaryDirectory() as d, Simulator(api_secret=SECRET) as sim:
        sim.add_shop(SHOP, bucket_size=10**9, restore_rate=10**9)  # rate limits lifted: the worker's own speed
        base = {"database_url": url, "admin_origin": sim.origin_template, "backfill_dir": str(Path(d) / "bf")}
        setup = create_app({**base, "huey_immediate": True})  # products mirrored inline, before the clock
        client, products = _install_with_catalog(setup, sim)
        setup.extensions["fineprint.db"].dispose()

        app = create_app({**base, "redis_url": redis_url, "huey_name": queue})  # the queue the consumers read
        logging.getLogger().setLevel(logging.WARNING)  # the figures, not the app's log
        db, held = app.extensions["fineprint.db"], []
        for i in range(orders):
            order = sim.add_order(SHOP, line_items=[{"variant": products[i % len(products)].variants[0]}],
                                  shipping_address=US)
            body = json.dumps(_order_payload(sim, order)).encode()
            delivery = ingest.Delivery.from_headers({k.lower(): v for k, v in _headers(body, "orders/create").items()})
            assert ingest.record(db, delivery, body.decode(), held.append) == "accepted"

        procs = [_consumer(url, redis_url, queue, sim, threads) for _ in range(consumers)]
        try:
            _wait(lambda: _count(app, "SELECT count(DISTINCT worker) FROM worker_heartbeats") >= consumers, 120,
                  "the consumers to start")
            time.sleep(1.0)  # each consumer's threads are polling the queue
            cpu_before = sum(tree_cpu_seconds(p.pid) or 0 for p in procs)
            started = time.monotonic()
            enqueue = queue_port.of(app).process_webhook
            for row_id in held:
                enqueue(row_id)
            written = "SELECT count(*) FROM decision_log WHERE write_result = 'written'"
            _wait(lambda: _count(app, written) >= orders, TIMEOUT, f"{orders} orders to be applied")
            wall = time.monotonic() - started
            cpu = sum(tree_cpu_seconds(p.pid) or 0 for p in procs) - cpu_before
        finally:
            for p in procs:
                os.killpg(p.pid, signal.SIGTERM)
            for p in procs:
                try:
                    p.wait(timeout=40)
                except subprocess.TimeoutExpired:
                    os.killpg(p.pid, signal.SIGKILL)
                    p.wait()
        with db.engine.connect() as conn:
            first, last = conn.execute(sa.text("SELECT min(applied_at), max(applied_at) FROM decision_log "
                                               "WHERE write_result = 'written'")).one()
            doubled = conn.execute(sa.text("SELECT count(*) FROM (SELECT order_id FROM decision_log WHERE "
                                           "write_result = 'written' GROUP BY order_id HAVING count(*) > 1) x")).scalar()
        writes = len([c for c in sim.calls("graphql", shop=SHOP)
                      if c.operation == "FineprintApplyDecision" and c.status == 200])
        db.dispose()
        jobs.huey.storage.flush_all()  # this run's private queue: nothing left behind in the shared Redis
    span = max((last - first).total_seconds(), 1e-6)
    return {"consumers": consumers, "threads": threads, "orders": orders, "per_s": (orders - 1) / span,
            "wall_per_s": orders / wall, "cpu_ms": cpu / orders * 1000, "writes": writes, "doubled": doubled,
            "load": os.getloadavg()[0]}


def transactions_per_order(url: str, redis_url: str | None, orders: int = 20) -> dict:
    """Database transactions and statements the worker spends per order (one orders/create event processed and
    its decision applied, in process), counted with SQLAlchemy engine events around the worker's part only."""
    import sqlalchemy as sa

    from backend import create_app, jobs
    from backend.services import queue as queue_port
    from backend.services.webhooks import ingest
    from backend.store import migrate
    from devshop import Simulator

    migrate.upgrade(url)
    _empty(url)
    with tempfile.TemporaryDirectory() as d, Simulator(api_secret=SECRET) as sim:
        sim.add_shop(SHOP, bucket_size=10**9, restore_rate=10**9)
        app = create_app({"database_url": url, "admin_origin": sim.origin_template, "huey_immediate": True,
                          "redis_url": redis_url, "huey_name": f"fineprint-bench-{uuid.uuid4().hex[:8]}",
                          "backfill_dir": str(Path(d) / "bf")})
        logging.getLogger().setLevel(logging.WARNING)  # the figures, not the app's log
        db = app.extensions["fineprint.db"]
        client, products = _install_with_catalog(app, sim)
        counts = {"transactions": 0, "statements": 0}

        def on_begin(conn):
            counts["transactions"] += 1

        def on_statement(*args):
            counts["statements"] += 1

        held = []
        for i in range(orders):
            order = sim.add_order(SHOP, line_items=[{"variant": products[i % len(products)].variants[0]}],
                                  shipping_address=US)
            body = json.dumps(_order_payload(sim, order)).encode()
            delivery = ingest.Delivery.from_headers({k.lower(): v for k, v in _headers(body, "orders/create").items()})
            assert ingest.record(db, delivery, body.decode(), held.append) == "accepted"
        sa.event.listen(db.engine, "begin", on_begin)
        sa.event.listen(db.engine, "before_cursor_execute", on_statement)
        try:
            for row_id in held:
                queue_port.of(app).process_webhook(row_id)
        finally:
            sa.event.remove(db.engine, "begin", on_begin)
            sa.event.remove(db.engine, "before_cursor_execute", on_statement)
        written = _count(app, "SELECT count(*) FROM decision_log WHERE write_result = 'written'")
        db.dispose()
        jobs.huey.immediate = False
    assert written == orders, f"{written} of {orders} orders written"
    return {"lock": "redis" if redis_url else "row lease", "transactions": counts["transactions"] / orders,
            "statements": counts["statements"] / orders}


def main() -> None:
    try:
        from tests import services

        services.redis_client()
        schema, url = services.create_postgres_schema()
    except BaseException as exc:  # pytest.skip outside pytest raises Skipped (a BaseException)
        print(f"worker scale-out (PostgreSQL + Redis): skipped ({str(exc).splitlines()[0][:120]})")
        return
    orders = int(os.environ.get("BENCH_SCALE_ORDERS", 400))
    threads = int(os.environ.get("BENCH_SCALE_THREADS", 4))
    results, counted = [], []
    try:
        for redis_url in (services.TEST_REDIS_URL, None):
            c = transactions_per_order(url, redis_url)
            counted.append(c)
            print(f"worker transactions per order (orders/create processed and applied, PostgreSQL, order lock: "
                  f"{c['lock']}): {c['transactions']:.1f} transactions, {c['statements']:.1f} statements "
                  f"(target ≤ {TARGET_TRANSACTIONS} transactions: "
                  f"{'met' if c['transactions'] <= TARGET_TRANSACTIONS else 'not met'})", flush=True)
        for n in [int(x) for x in os.environ.get("BENCH_SCALE_CONSUMERS", "1,2").split(",")]:
            _empty(url)
            r = run(url, services.TEST_REDIS_URL, n, orders, threads)
            results.append(r)
            print(f"worker stage, PostgreSQL + Redis, {n} consumer process(es) x {threads} threads, {orders} orders "
                  f"(simulator rate limits lifted): {r['per_s']:.0f} orders applied/s ({r['wall_per_s']:.0f}/s from "
                  f"release to last write), consumers' CPU {r['cpu_ms']:.1f} ms per order (one worker core ~"
                  f"{1000 / r['cpu_ms']:.0f} orders/s; target ≤ {TARGET_CPU_MS:.0f} ms: "
                  f"{'met' if r['cpu_ms'] <= TARGET_CPU_MS else 'not met'}), {r['writes']} Admin writes, "
                  f"{r['doubled']} orders written twice (target 0) (load average {r['load']:.1f} on "
                  f"{os.cpu_count()} CPUs)", flush=True)
    finally:
        services.drop_postgres_schema(schema)
    tx = " / ".join(f"{c['transactions']:.0f}" for c in counted)
    if len(results) >= 2:
        one, two = results[0], results[1]
        speedup = two["per_s"] / one["per_s"]
        growth = two["cpu_ms"] / one["cpu_ms"] - 1
        modelled = 2 * 1000 / two["cpu_ms"] / (1000 / one["cpu_ms"])
        scales = growth <= TARGET_CPU_GROWTH and two["doubled"] == 0
        print(f"  summary: worker stage {one['per_s']:.0f} orders/s with 1 consumer, {two['per_s']:.0f}/s with 2 "
              f"(x{speedup:.2f} here, where {os.cpu_count()} shared cores at load {two['load']:.1f} run both); "
              f"CPU per order {one['cpu_ms']:.1f} -> {two['cpu_ms']:.1f} ms with the second consumer "
              f"({growth:+.0%}, target ≤ {TARGET_CPU_GROWTH:+.0%}: {'met' if scales else 'not met'}; so on separate "
              f"cores x{modelled:.2f}), {min(one['cpu_ms'], two['cpu_ms']):.1f}-{max(one['cpu_ms'], two['cpu_ms']):.1f} "
              f"ms of worker CPU per order (target ≤ {TARGET_CPU_MS:.0f}), {tx} transactions per order (Redis lock / "
              f"row lease; target ≤ {TARGET_TRANSACTIONS}), {sum(r['doubled'] for r in results)} orders written twice")
    elif results:
        r = results[0]
        print(f"  summary: worker stage {r['per_s']:.0f} orders/s with {r['consumers']} consumer(s), "
              f"{r['cpu_ms']:.1f} ms of worker CPU per order (target ≤ {TARGET_CPU_MS:.0f}), {tx} transactions "
              f"per order (target ≤ {TARGET_TRANSACTIONS})")


def _empty(url: str) -> None:
    import sqlalchemy as sa

    engine = sa.create_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    with engine.begin() as conn:
        for table in reversed(meta.sorted_tables):
            if table.name != "alembic_version":
                conn.execute(table.delete())
    engine.dispose()


if __name__ == "__main__":
    main()
