"""The queue port's huey adapter (services/queue.py's `Queue`), installed by `backend.create_app`.

Each method looks its task up when it is called, so a test that replaces `backend.jobs.process_webhook`
(a queue that is down, a message that is lost) replaces what the app sends."""
from __future__ import annotations

from backend import jobs
from backend.tasks import orders
from backend.tasks import returns


class HueyQueue:
    def apply_order(self, shop: str, order_id: str, trigger: str) -> None:
        orders.apply_order_task(shop, order_id, trigger)

    def backfill(self, shop: str, since: str | None) -> None:
        orders.backfill_task(shop, since)

    def decide_return(self, shop: str, return_id: str, trigger: str) -> None:
        returns.decide_return_task(shop, return_id, trigger)

    def process_webhook(self, event_row_id: int) -> None:
        jobs.process_webhook(event_row_id)

    def polls_webhooks(self) -> bool:
        return jobs.webhook_outbox()
