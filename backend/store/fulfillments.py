"""Which stored order holds a fulfillment: one SQL lookup in the database, never a scan in Python.

The fulfillments live in `order_states.fulfillments` (a JSON list). The query is narrowed to the
shop through the (shop_domain, order_id) unique index and matches the id inside the JSON in SQL,
so only the one order id crosses the wire. SQLite and PostgreSQL spell JSON differently, hence one
statement per dialect; both read a non-array value as no fulfillments.
"""
from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Session

_BY_DIALECT = {
    "sqlite": text(
        "SELECT order_id FROM order_states WHERE shop_domain = :shop AND json_type(fulfillments) = 'array' "
        "AND EXISTS (SELECT 1 FROM json_each(order_states.fulfillments) AS f "
        "WHERE CAST(json_extract(f.value, '$.id') AS TEXT) = :fid) ORDER BY id LIMIT 1"),
    "postgresql": text(
        "SELECT order_id FROM order_states WHERE shop_domain = :shop AND json_typeof(fulfillments) = 'array' "
        "AND EXISTS (SELECT 1 FROM json_array_elements(order_states.fulfillments) AS f(value) "
        "WHERE f.value ->> 'id' = :fid) ORDER BY id LIMIT 1"),
}


def order_id_holding(session: Session, shop: str, fulfillment_id: str) -> str | None:
    """The id of the shop's stored order that has this fulfillment, or None."""
    statement = _BY_DIALECT[session.get_bind().dialect.name]
    return session.execute(statement, {"shop": shop, "fid": str(fulfillment_id)}).scalar()
