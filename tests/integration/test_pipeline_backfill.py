"""Backfill stories: existing orders read with one bulk operation, decided and tagged within the rate limit,
resumable after an interruption; `shops set-policy` and `jobs` from the command line."""
from __future__ import annotations

import pytest

from backend.services.orders import backfill
from tests.integration.pipeline_helpers import start_pipeline, stop_pipeline

SHOP = "backfill-dev.myshopify.com"
US = {"country_code": "US", "province_code": "NY", "address1": "1 Main St", "city": "New York", "zip": "10001"}


@pytest.fixture
def pipeline(db_url, tmp_path, simulator, request):
    redis = request.getfixturevalue("redis_url") if db_url.startswith("postgresql") else None
    p = start_pipeline(db_url, tmp_path, simulator, redis=redis, consumers=1)
    yield p
    stop_pipeline(p)


def _orders(sim, n):
    sample = sim.add_product(SHOP, "Sample", product_type="Sample", price="80.00")
    boot = sim.add_product(SHOP, "Boot", price="150.00", compare_at_price="300.00")
    loafer = sim.add_product(SHOP, "Loafer", price="250.00")
    kinds = [(sample, {"final-sale"}), (boot, {"sale-credit-only"}), (loafer, set())]
    made = []
    for i in range(n):
        product, tags = kinds[i % 3]
        made.append((sim.add_order(SHOP, line_items=[{"variant": product.variants[0]}], shipping_address=US,
                                   created_at=f"2026-0{1 + i % 3}-1{i % 10}T12:00:00Z"), tags))
    return made


def _writes(sim):
    return [c for c in sim.calls("graphql", shop=SHOP) if c.operation == "FineprintApplyDecision" and c.status == 200]


def test_backfill_tags_every_existing_order_once(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, None)
    runner = pipeline.app.test_cli_runner()
    refused = runner.invoke(args=["orders", "backfill", SHOP])
    assert refused.exit_code != 0 and "no active policy" in refused.output
    assert runner.invoke(args=["shops", "set-policy", SHOP, "ally"]).exit_code == 0
    made = _orders(sim, 30)
    result = runner.invoke(args=["orders", "backfill", SHOP])
    assert result.exit_code == 0, result.output
    assert "orders=30" in result.output and "written=30" in result.output
    for order, tags in made:
        assert pipeline.our_tags(SHOP, order.id) == tags
    assert len(_writes(sim)) == 30
    assert [c for c in sim.calls("graphql", shop=SHOP) if c.operation == "FineprintProducts"] == []
    again = runner.invoke(args=["orders", "backfill", SHOP])
    assert "skipped=30" in again.output and len(_writes(sim)) == 30


def test_backfill_since_a_date_reads_only_newer_orders(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    made = _orders(sim, 9)
    result = pipeline.app.test_cli_runner().invoke(args=["orders", "backfill", SHOP, "--since", "2026-02-01"])
    assert result.exit_code == 0, result.output
    assert "orders=6" in result.output
    assert all(pipeline.state(SHOP, o.id) is None for o, _ in made if o.created_at < "2026-02")


def test_an_interrupted_backfill_resumes_where_it_stopped(pipeline, monkeypatch):
    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    monkeypatch.setattr(backfill, "SAVE_EVERY", 5)
    made = _orders(sim, 24)
    real_one, seen, lock = backfill._one, [], __import__("threading").Lock()

    def dies_after_twelve(*args):
        with lock:
            if len(seen) >= 12:
                raise KeyboardInterrupt()
            seen.append(1)
        return real_one(*args)

    monkeypatch.setattr(backfill, "_one", dies_after_twelve)
    with pytest.raises(KeyboardInterrupt):
        backfill.run(pipeline.app, SHOP)
    monkeypatch.setattr(backfill, "_one", real_one)
    counts = backfill.run(pipeline.app, SHOP)
    assert counts["orders"] == 24 - 10  # resumed after the last saved position (10)
    assert counts["written"] + counts["skipped"] == 14  # what the dead run finished after 10 is skipped
    bulk_runs = [c for c in sim.calls("graphql", shop=SHOP) if c.operation == "FineprintBulkRun"]
    assert len(bulk_runs) == 1, "the bulk operation is not run again"
    for order, tags in made:
        assert pipeline.our_tags(SHOP, order.id) == tags
    assert len(_writes(sim)) == 24
