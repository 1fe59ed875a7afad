"""SQL of the compliance topics (customers/data_request, customers/redact, shop/redact): finding a customer's
rows, scrubbing them, and emptying a shop's tables. The rules (what counts as the customer's, what is masked,
what is kept) live in services/compliance/; everything here takes a Session (the caller owns the transaction).

    rows_naming(s, model, json_field, shop, order_ids, needles)  a customer's candidate rows (text pre-filter)
    set_values(s, model, row_id, **values)                       one row updated in place
    jobs_of(s, keys) / clear_job_errors(s, keys)                 pipeline_jobs by key
    events_with_payload(s, shop) / data_request_reports(s, shop) / delete_data_reports(s, shop, customer_id)
    shop_tables() / delete_shop_rows(s, table, shop) / delete_shop_events(s, shop, keep_id) / delete_shop(s, shop)
"""
from __future__ import annotations

from sqlalchemy import String, cast, delete, func, or_, update
from sqlmodel import Session, SQLModel, select

from backend.store.models import ComplianceRecord, PipelineJob, Shop, WebhookEvent

DATA_REQUEST = "customers/data_request"


def rows_naming(s: Session, model, json_field: str, shop: str, order_ids, needles) -> list:
    """The shop's rows of `model` for these orders, or whose JSON column `json_field` contains one of the
    (lower-case) needles: a pre-filter, the caller decides which rows really name the customer."""
    text = func.lower(cast(getattr(model, json_field), String))
    named = [text.contains(needle) for needle in needles if needle]
    clauses = [model.order_id.in_(sorted(order_ids))] if order_ids else []
    if not clauses and not named:
        return []
    return list(s.exec(select(model).where(model.shop_domain == shop, or_(*clauses, *named))).all())


def set_values(s: Session, model, row_id: int, **values) -> None:
    s.execute(update(model).where(model.id == row_id).values(**values)
              .execution_options(synchronize_session=False))


def jobs_of(s: Session, keys: list[str]) -> list[PipelineJob]:
    return list(s.exec(select(PipelineJob).where(PipelineJob.key.in_(keys)))) if keys else []


def clear_job_errors(s: Session, keys: list[str]) -> int:
    if not keys:
        return 0
    return s.exec(update(PipelineJob).where(PipelineJob.key.in_(keys), PipelineJob.last_error.is_not(None))
                  .values(last_error=None)).rowcount


def events_with_payload(s: Session, shop: str) -> list[WebhookEvent]:
    return list(s.exec(select(WebhookEvent).where(WebhookEvent.shop_domain == shop,
                                                  WebhookEvent.payload.is_not(None))))


def data_request_reports(s: Session, shop: str) -> list:
    """The reports kept for the shop's data requests (their JSON, None for an empty one)."""
    return list(s.exec(select(ComplianceRecord.report).where(ComplianceRecord.shop_domain == shop,
                                                             ComplianceRecord.topic == DATA_REQUEST)))


def delete_data_reports(s: Session, shop: str, customer_id: str | None = None) -> int:
    """The shop's data-request reports (only the customer's when `customer_id` is given)."""
    query = delete(ComplianceRecord).where(ComplianceRecord.shop_domain == shop, ComplianceRecord.topic == DATA_REQUEST)
    if customer_id is not None:
        query = query.where(ComplianceRecord.customer_id == customer_id)
    return s.exec(query).rowcount


def shop_tables() -> list[tuple[str, bool]]:
    """(table name, has a shop_domain column) of every table, dependants first (safe order to delete)."""
    return [(t.name, "shop_domain" in t.c) for t in reversed(SQLModel.metadata.sorted_tables)]


def delete_shop_rows(s: Session, table_name: str, shop: str) -> int:
    table = SQLModel.metadata.tables[table_name]
    return s.exec(delete(table).where(table.c.shop_domain == shop)).rowcount


def delete_shop_events(s: Session, shop: str, keep_id: int | None) -> int:
    """The shop's webhook events but the one being handled."""
    return s.exec(delete(WebhookEvent).where(WebhookEvent.shop_domain == shop, WebhookEvent.id != keep_id)).rowcount


def delete_shop(s: Session, shop: str) -> int:
    return s.exec(delete(Shop).where(Shop.domain == shop)).rowcount
