"""`order_states`: the facts the app keeps per order and what it last wrote (rows: store/models.OrderState)."""
from __future__ import annotations

from sqlalchemy import update
from sqlmodel import select

from backend.store.models import OrderState, utcnow


def take_due_rechecks(db) -> list[tuple[str, str]]:
    """(shop, order id) of the orders whose recheck time has come, their recheck cleared in the same turn."""
    due = OrderState.recheck_at.is_not(None) & (OrderState.recheck_at <= utcnow())
    with db.session() as s:
        found = list(s.exec(select(OrderState.shop_domain, OrderState.order_id).where(due)))
        s.execute(update(OrderState).where(due).values(recheck_at=None))
    return [(shop, order_id) for shop, order_id in found]


def decided_order_ids(db, shop: str) -> list[str]:
    """The shop's stored orders that have facts to decide on (a created_at), in no particular order."""
    with db.session() as s:
        return [oid for oid, facts in s.exec(select(OrderState.order_id, OrderState.facts)
                                             .where(OrderState.shop_domain == shop))
                if (facts or {}).get("created_at")]


def names(db, shop: str, order_ids) -> dict[str, str]:
    """Shopify's name ("#1010") of each stored order, by order id (absent when the snapshot has none)."""
    if not order_ids:
        return {}
    with db.session() as s:
        found = s.exec(select(OrderState.order_id, OrderState.facts).where(
            OrderState.shop_domain == shop, OrderState.order_id.in_(list(order_ids))))
        return {oid: facts["name"] for oid, facts in found if (facts or {}).get("name")}


def recent(db, shop: str, limit: int = 25) -> list[OrderState]:
    """The shop's most recently stored orders, newest first."""
    with db.session() as s:
        return list(s.exec(select(OrderState).where(OrderState.shop_domain == shop)
                           .order_by(OrderState.id.desc()).limit(limit)))


def written(db, shop: str) -> list[tuple[dict, list, object]]:
    """(facts, tags written, deadline written) of every stored order of the shop (the dashboard's counts)."""
    with db.session() as s:
        return list(s.exec(select(OrderState.facts, OrderState.tags_written, OrderState.deadline_written)
                           .where(OrderState.shop_domain == shop)))
