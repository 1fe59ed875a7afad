"""Helpers for the order-pipeline stories: a running pipeline (app + queue + consumers + simulator),
REST webhook payloads built from Shopify's published examples for the simulator's orders."""
from __future__ import annotations

import copy
import json
import time
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from backend import create_app, jobs
from backend.store.models import DecisionLogEntry, OrderState, PipelineJob, Shop
from tests.integration.edge_helpers import example, post_webhook

OUR_TAGS = {"final-sale", "sale-credit-only", "exchange-or-credit", "return-protection", "signature-required"}


class Pipeline:
    """The app, its queue and consumers, and the simulator, wired like production."""

    def __init__(self, app, simulator, consumers, variant):
        self.app, self.sim, self.consumers, self.variant = app, simulator, consumers, variant
        self.client = app.test_client()
        self.db = app.extensions["fineprint.db"]

    # -- setup ---------------------------------------------------------------------
    def configure(self, **settings) -> None:
        """Change settings of the running app (typed: a name that is not a setting is an error)."""
        self.app.config["FINEPRINT"] = self.app.config["FINEPRINT"].with_overrides(settings)

    def install(self, shop: str, policy: str | None, timezone_name: str = "America/New_York") -> None:
        if shop not in self.sim.shops:
            self.sim.add_shop(shop, timezone=timezone_name)
        token = self.sim.install(shop)["access_token"]
        cipher = self.app.extensions["fineprint.cipher"]
        with self.db.session() as s:
            s.add(Shop(domain=shop, access_token_encrypted=cipher.encrypt(token), scopes="read_orders,write_orders",
                       installed_at=datetime.now(timezone.utc), active_policy=policy, timezone=timezone_name))

    # -- webhooks --------------------------------------------------------------------
    def send(self, topic: str, payload: dict, shop: str, **kw):
        response = post_webhook(self.client, self.app, topic, payload, shop=shop, **kw)
        assert response.status_code == 200, response.get_data(as_text=True)
        return response

    # -- waiting -------------------------------------------------------------------
    def settle(self, timeout: float = 180.0) -> None:
        """Wait until the queue is empty and no job is pending or running (the bound is only a safety net)."""
        deadline = time.monotonic() + timeout
        quiet = 0
        while time.monotonic() < deadline:
            busy = jobs.huey.pending_count() + jobs.huey.scheduled_count()
            with self.db.session() as s:
                open_jobs = len(list(s.exec(select(PipelineJob.id).where(PipelineJob.status.in_(
                    ("pending", "running", "rerun"))))))
                from backend.store.models import WebhookEvent
                open_events = len(list(s.exec(select(WebhookEvent.id).where(WebhookEvent.status.in_(
                    ("received", "processing"))))))
            quiet = quiet + 1 if busy == 0 and open_jobs == 0 and open_events == 0 else 0
            if quiet >= 3:
                return
            time.sleep(0.05)
        raise AssertionError(f"pipeline did not settle in {timeout}s (queue {busy}, jobs {open_jobs}, "
                             f"events {open_events})")

    # -- what happened -------------------------------------------------------------
    def writes(self, shop: str, order_id=None) -> list:
        calls = [c for c in self.sim.calls("graphql", shop=shop) if c.operation == "FineprintApplyDecision"
                 and c.status == 200 and not c.fault]
        if order_id is not None:
            gid = f"gid://shopify/Order/{order_id}"
            calls = [c for c in calls if gid in json.dumps(c.variables)]
        return calls

    def tags(self, shop: str, order_id) -> set:
        return set(self.sim.order(shop, order_id).tags)

    def our_tags(self, shop: str, order_id) -> set:
        return self.tags(shop, order_id) & OUR_TAGS

    def metafield(self, shop: str, order_id, key: str):
        order = self.sim.order(shop, order_id)
        for (namespace, k), field in order.metafields.items():
            if k == key and "returns" in namespace:
                return field.value
        return None

    def state(self, shop: str, order_id) -> OrderState | None:
        with self.db.session() as s:
            return s.exec(select(OrderState).where(OrderState.shop_domain == shop,
                                                   OrderState.order_id == str(order_id))).first()

    def log(self, shop: str, order_id=None) -> list[DecisionLogEntry]:
        with self.db.session() as s:
            q = select(DecisionLogEntry).where(DecisionLogEntry.shop_domain == shop).order_by(DecisionLogEntry.id)
            if order_id is not None:
                q = q.where(DecisionLogEntry.order_id == str(order_id))
            return list(s.exec(q))

    def jobs(self, **where) -> list[PipelineJob]:
        with self.db.session() as s:
            q = select(PipelineJob).order_by(PipelineJob.id)
            for key, value in where.items():
                q = q.where(getattr(PipelineJob, key) == value)
            return list(s.exec(q))


def start_pipeline(db_url, tmp_path, simulator, redis=None, consumers: int = 1, workers: int = 4,
                   **overrides) -> Pipeline:
    config = {"database_url": db_url, "huey_immediate": False, "testing": True, "port": 8000,
              "pipeline_retry_base": 0.05, "backfill_dir": str(tmp_path / "backfill"),
              "backfill_poll_interval": 0.05, **simulator.app_overrides, **overrides}
    if redis:
        config.update(redis_url=redis[0], huey_name=redis[1])
    else:
        config["huey_path"] = str(tmp_path / "queue.db")
    app = create_app(config)
    jobs.huey.flush()
    started = []
    for _ in range(consumers):
        consumer = jobs.huey.create_consumer(workers=workers, worker_type="thread", periodic=False,
                                             initial_delay=0.02, backoff=1.1, max_delay=0.1,
                                             scheduler_interval=1, check_worker_health=False)
        consumer.start()
        started.append(consumer)
    return Pipeline(app, simulator, started, "postgres+redis" if redis else "sqlite")


def stop_pipeline(p: Pipeline) -> None:
    for consumer in p.consumers:
        consumer.stop(graceful=True)
    jobs.huey.flush()
    p.db.dispose()


# ------------------------------------------------------------------ payloads

def _money_set(amount: str, currency: str) -> dict:
    money = {"amount": amount, "currency_code": currency}
    return {"shop_money": money, "presentment_money": dict(money)}


def order_payload(sim, shop: str, order, topic: str = "orders/create") -> dict:
    """Shopify's published orders/create example, carrying the simulator order's data."""
    payload = copy.deepcopy(example("orders/create" if topic != "orders/cancelled" else "orders/cancelled"))
    template_line = payload["line_items"][0]
    currency = order.currency
    payload.update({
        "id": order.id, "admin_graphql_api_id": f"gid://shopify/Order/{order.id}", "name": order.name,
        "created_at": order.created_at, "updated_at": order.updated_at, "processed_at": order.processed_at,
        "cancelled_at": order.cancelled_at, "currency": currency, "presentment_currency": currency,
        "source_name": order.source_name, "tags": ", ".join(order.tags),
        "discount_codes": [dict(d) for d in order.discount_codes],
        "shipping_address": {**(payload.get("shipping_address") or {}), **(order.shipping_address or {})},
        "shipping_lines": [{**payload["shipping_lines"][0], **s} for s in order.shipping_lines] or
        payload["shipping_lines"][:1],
        "fulfillments": [],
        "line_items": [],
    })
    for li in order.line_items:
        line = copy.deepcopy(template_line)
        line.update({
            "id": li.id, "admin_graphql_api_id": f"gid://shopify/LineItem/{li.id}", "title": li.title,
            "name": li.title, "price": li.price, "price_set": _money_set(li.price, currency),
            "quantity": li.quantity, "current_quantity": li.quantity, "sku": li.sku,
            "variant_id": li.variant_id, "product_id": li.product_id, "gift_card": li.gift_card,
            "properties": [{"name": k, "value": v} for k, v in li.properties.items()],
            "total_discount": li.discount, "total_discount_set": _money_set(li.discount, currency),
            "discount_allocations": [{"amount": li.discount, "amount_set": _money_set(li.discount, currency),
                                      "discount_application_index": 0}] if li.discount not in ("0", "0.00") else [],
        })
        payload["line_items"].append(line)
    if topic == "orders/cancelled" and not payload["cancelled_at"]:
        payload["cancelled_at"] = order.updated_at
    return payload


def fulfillment_payload(sim, shop: str, order, ful, topic: str = "fulfillments/create") -> dict:
    payload = copy.deepcopy(example(topic))
    by_id = {li.id: li for li in order.line_items}
    template = payload["line_items"][0]
    payload.update({
        "id": ful.id, "admin_graphql_api_id": f"gid://shopify/Fulfillment/{ful.id}", "order_id": order.id,
        "status": ful.status, "created_at": ful.created_at, "updated_at": ful.delivered_at or ful.created_at,
        "shipment_status": ful.shipment_status, "tracking_company": ful.tracking_company,
        "tracking_number": ful.tracking_number,
        "line_items": [{**copy.deepcopy(template), "id": i, "admin_graphql_api_id": f"gid://shopify/LineItem/{i}",
                        "title": by_id[i].title, "price": by_id[i].price, "quantity": by_id[i].quantity}
                       for i in ful.line_item_ids],
    })
    return payload


def delivered_event_payload(order, ful, happened_at: str, status: str = "delivered") -> dict:
    payload = copy.deepcopy(example("fulfillment_events/create"))
    payload.update({"id": int(time.time() * 1000) % 10**9, "fulfillment_id": ful.id, "order_id": order.id,
                    "status": status, "happened_at": happened_at, "created_at": happened_at,
                    "updated_at": happened_at,
                    "admin_graphql_api_id": f"gid://shopify/FulfillmentEvent/{int(time.time() * 1e6)}"})
    return payload


def product_payload(sim, shop: str, product, topic: str = "products/update") -> dict:
    payload = copy.deepcopy(example(topic))
    template = payload["variants"][0]
    payload.update({
        "id": product.id, "admin_graphql_api_id": f"gid://shopify/Product/{product.id}", "title": product.title,
        "product_type": product.product_type, "tags": ", ".join(product.tags), "updated_at": product.updated_at,
        "variants": [{**template, "id": v.id, "admin_graphql_api_id": f"gid://shopify/ProductVariant/{v.id}",
                      "product_id": product.id, "title": v.title, "price": v.price,
                      "compare_at_price": v.compare_at_price, "sku": v.sku or ""} for v in product.variants],
    })
    return payload


@pytest.fixture
def pipeline(db_url, tmp_path, simulator, request):
    """A running pipeline: SQLite with one in-process consumer, or PostgreSQL with Redis and two consumers."""
    redis = request.getfixturevalue("redis_url") if db_url.startswith("postgresql") else None
    p = start_pipeline(db_url, tmp_path, simulator, redis=redis, consumers=2 if redis else 1)
    yield p
    stop_pipeline(p)
