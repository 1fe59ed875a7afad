"""A deadline that disappears after a policy switch is deleted from the order in Shopify (the simulator),
in the same single write as the rest of the decision (`metafieldsDelete` beside `metafieldsSet`)."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

from backend.services.decisions import policies
from tests.integration.pipeline_helpers import order_payload

SHOP = "deadline-dev.myshopify.com"
US_NY = {"country_code": "US", "province_code": "NY", "address1": "1 Main St", "city": "New York", "zip": "10001"}


def _created_two_days_ago() -> str:
    created = datetime.now(timezone.utc) - timedelta(days=2)
    return created.replace(microsecond=0).isoformat().replace("+00:00", "Z")


def test_switching_to_a_policy_without_a_deadline_deletes_the_deadline_metafield(pipeline):
    sim = pipeline.sim
    pipeline.install(SHOP, "novus")
    sneaker = sim.add_product(SHOP, "Sneaker", price="140.00")
    order = sim.add_order(SHOP, line_items=[{"variant": sneaker.variants[0]}], shipping_address=US_NY,
                          created_at=_created_two_days_ago())
    pipeline.send("orders/create", order_payload(sim, SHOP, order), shop=SHOP)
    pipeline.settle()
    assert pipeline.metafield(SHOP, order.id, "deadline")  # novus counts from the order date at once

    # ally counts from delivery, and this order has not even shipped: no deadline any more
    policies.set_policy(pipeline.app, SHOP, "ally", "merchant")
    pipeline.settle()

    assert pipeline.metafield(SHOP, order.id, "deadline") is None
    assert '"policy":"ally"' in pipeline.metafield(SHOP, order.id, "decision")
    last = pipeline.writes(SHOP, order.id)[-1]
    assert "metafieldsDelete" in last.root_fields and last.error is None
    assert pipeline.state(SHOP, order.id).deadline_written is None
    assert pipeline.log(SHOP, order.id)[-1].write_result == "written"
