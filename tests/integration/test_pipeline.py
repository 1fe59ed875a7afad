"""Order pipeline stories, end to end: signed webhooks over HTTP → queue → consumers → one Admin write.

Every story runs twice: SQLite + an in-process consumer on the SQLite queue, and
PostgreSQL + Redis with two consumers (as if on two machines).
"""
from __future__ import annotations

import pytest

from tests.integration.pipeline_helpers import order_payload, start_pipeline, stop_pipeline

SHOP = "pipeline-dev.myshopify.com"


@pytest.fixture
def pipeline(db_url, tmp_path, simulator, request):
    redis = request.getfixturevalue("redis_url") if db_url.startswith("postgresql") else None
    p = start_pipeline(db_url, tmp_path, simulator, redis=redis, consumers=2 if redis else 1)
    yield p
    stop_pipeline(p)


def test_a_final_sale_product_tags_the_order_in_one_write(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "ally")
    product = sim.add_product(SHOP, "Sample Sneaker", product_type="Sample", tags=["sample"], price="120.00")
    order = sim.add_order(SHOP, line_items=[{"variant": product.variants[0]}],
                          shipping_address={"country_code": "US", "province_code": "NY"})
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.settle()
    assert pipeline.our_tags(SHOP, order.id) == {"final-sale"}
    assert len(pipeline.writes(SHOP, order.id)) == 1
