"""Tables. Every change comes with an Alembic migration in migrations/versions/."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint, false
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def _ts(**kw) -> Any:
    return Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False, **kw))


def _opt_ts() -> Any:
    return Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))


class Shop(SQLModel, table=True):
    __tablename__ = "shops"

    id: Optional[int] = Field(default=None, primary_key=True)
    domain: str = Field(index=True, unique=True, max_length=255)
    # Fernet ciphertext of the offline access token; never the token itself.
    access_token_encrypted: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    refresh_token_encrypted: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    access_token_expires_at: Optional[datetime] = _opt_ts()
    refresh_token_expires_at: Optional[datetime] = _opt_ts()
    scopes: str = Field(default="", max_length=1024)
    active_policy: Optional[str] = Field(default=None, max_length=255)
    timezone: Optional[str] = Field(default=None, max_length=64)
    currency: Optional[str] = Field(default=None, max_length=8)
    installed_at: Optional[datetime] = _opt_ts()
    uninstalled_at: Optional[datetime] = _opt_ts()
    created_at: datetime = _ts()


class WebhookEvent(SQLModel, table=True):
    """Every delivery, recorded before it is acknowledged."""

    __tablename__ = "webhook_events"
    __table_args__ = (UniqueConstraint("event_id", name="uq_webhook_events_event_id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    event_id: str = Field(max_length=255)  # X-Shopify-Event-Id (X-Shopify-Webhook-Id when absent): dedupe key
    webhook_id: Optional[str] = Field(default=None, max_length=255)  # X-Shopify-Webhook-Id of the first delivery
    topic: str = Field(index=True, max_length=128)
    shop_domain: str = Field(index=True, max_length=255)
    triggered_at: Optional[datetime] = _opt_ts()
    received_at: datetime = _ts()
    payload: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default="received", index=True, max_length=32)  # received|processing|done|failed|dropped
    attempts: int = Field(default=0)
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    processed_at: Optional[datetime] = _opt_ts()
    lease_until: Optional[datetime] = _opt_ts()  # processing: the worker's lease; received: next sweep look


class OAuthState(SQLModel, table=True):
    """Single-use OAuth `state` nonces."""

    __tablename__ = "oauth_states"

    nonce: str = Field(primary_key=True, max_length=128)
    shop_domain: str = Field(max_length=255)
    created_at: datetime = _ts()


class WorkerHeartbeat(SQLModel, table=True):
    """Written by the `heartbeat` task: proof that the worker path runs end to end."""

    __tablename__ = "worker_heartbeats"

    id: Optional[int] = Field(default=None, primary_key=True)
    worker: str = Field(max_length=255)
    beat_at: datetime = _ts()


# ---- order pipeline (issue 5; migration 0003) --------------------------------


class CatalogProduct(SQLModel, table=True):
    """Local mirror of a shop's products, kept current by products/* webhooks."""

    __tablename__ = "catalog_products"
    __table_args__ = (UniqueConstraint("shop_domain", "product_id", name="uq_catalog_products_shop_product"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    shop_domain: str = Field(max_length=255)
    product_id: str = Field(max_length=64)
    title: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    product_type: str = Field(default="", max_length=255)
    tags: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    gift_card: bool = Field(default=False)
    updated_at: Optional[datetime] = _opt_ts()  # Shopify's updated_at of the product
    deleted_at: Optional[datetime] = _opt_ts()
    synced_at: datetime = _ts()


class CatalogVariant(SQLModel, table=True):
    __tablename__ = "catalog_variants"
    __table_args__ = (UniqueConstraint("shop_domain", "variant_id", name="uq_catalog_variants_shop_variant"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    shop_domain: str = Field(max_length=255)
    product_id: str = Field(index=True, max_length=64)
    variant_id: str = Field(max_length=64)
    title: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    sku: str = Field(default="", max_length=255)
    price: Optional[str] = Field(default=None, max_length=32)
    compare_at_price: Optional[str] = Field(default=None, max_length=32)
    updated_at: Optional[datetime] = _opt_ts()


class OrderState(SQLModel, table=True):
    """What the pipeline knows about one order: the facts snapshot it decides on, and what it wrote."""

    __tablename__ = "order_states"
    __table_args__ = (UniqueConstraint("shop_domain", "order_id", name="uq_order_states_shop_order"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    shop_domain: str = Field(max_length=255)
    order_id: str = Field(max_length=64)  # numeric id; the GID is facts["id"]
    order_updated_at: Optional[datetime] = _opt_ts()  # Shopify's updated_at of the newest payload applied
    last_triggered_at: Optional[datetime] = _opt_ts()  # X-Shopify-Triggered-At of that payload
    cancelled_at: Optional[datetime] = _opt_ts()
    # contract §5 order, catalog facts filled at purchase (a later product edit never changes them)
    facts: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    # per fulfillment: {id, line_item_ids, shipped_at, delivered_at, cancelled, updated_at}
    fulfillments: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    revision: int = Field(default=0)  # bumped on every fact change
    applied_revision: int = Field(default=0)  # the revision the last decision was made on
    decision_hash: Optional[str] = Field(default=None, max_length=64)  # of what was last written
    pending_hash: Optional[str] = Field(default=None, max_length=64)  # a write in flight (crash recovery)
    tags_written: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    deadline_written: Optional[str] = Field(default=None, max_length=10)
    recheck_at: Optional[datetime] = _opt_ts()  # decide again then (delivery fallback becomes due)
    lock_owner: Optional[str] = Field(default=None, max_length=128)
    lock_expires_at: Optional[datetime] = _opt_ts()
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class DecisionLogEntry(SQLModel, table=True):
    """Every decision the pipeline applied (or recorded without a policy), PII masked."""

    __tablename__ = "decision_log"

    id: Optional[int] = Field(default=None, primary_key=True)
    shop_domain: str = Field(index=True, max_length=255)
    order_id: str = Field(index=True, max_length=64)
    policy_name: Optional[str] = Field(default=None, max_length=255)
    policy_version: Optional[str] = Field(default=None, max_length=128)
    trigger: str = Field(default="", max_length=64)
    input: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    decision: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    tags_added: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    tags_removed: list = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    write_result: str = Field(default="", max_length=32)  # written|verified|no_policy|invalid|failed
    error: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    applied_at: datetime = _ts()


class PipelineJob(SQLModel, table=True):
    """One row per unit of work (an order to apply, a backfill); parked rows are the visible failures."""

    __tablename__ = "pipeline_jobs"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_pipeline_jobs_kind_key"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    kind: str = Field(max_length=32)  # apply_order | backfill
    key: str = Field(max_length=255)  # "shop:order_id" | "shop"
    shop_domain: str = Field(index=True, max_length=255)
    status: str = Field(default="pending", index=True, max_length=16)  # pending|running|rerun|done|parked
    attempts: int = Field(default=0)
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    trigger: str = Field(default="", max_length=64)
    progress: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))  # backfill cursor
    lease_until: Optional[datetime] = _opt_ts()
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


# ---- Shopify edge (issue 4; migration 0002) ----------------------------------


class ComplianceRecord(SQLModel, table=True):
    """What a compliance webhook made us do, for the merchant: a data request's report
    (the customer's data we hold) or a redaction's counts of deleted rows (no personal data)."""

    __tablename__ = "compliance_records"

    id: Optional[int] = Field(default=None, primary_key=True)
    shop_domain: str = Field(index=True, max_length=255)
    topic: str = Field(max_length=128)  # customers/data_request | customers/redact | shop/redact
    webhook_event_id: Optional[str] = Field(default=None, max_length=255)
    customer_id: Optional[str] = Field(default=None, index=True, max_length=64)
    report: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    created_at: datetime = _ts()


# ---- merchant admin (issue 7; migration 0004) ---------------------------------


class PolicyVersion(SQLModel, table=True):
    """Every policy text a shop activated (or drafted for activation); never edited, only superseded.

    `Shop.active_policy` names the active one as ``version:<id>``."""

    __tablename__ = "policy_versions"

    id: Optional[int] = Field(default=None, primary_key=True)
    shop_domain: str = Field(index=True, max_length=255)
    name: str = Field(max_length=255)  # [policy] name of the text
    based_on: Optional[str] = Field(default=None, max_length=255)  # preset it started from
    version: str = Field(max_length=64)  # Policy.version (hash of the text)
    source: str = Field(sa_column=Column(Text, nullable=False))
    created_by: Optional[str] = Field(default=None, max_length=255)  # session user id, or "cli"
    created_at: datetime = _ts()
    activated_at: Optional[datetime] = _opt_ts()  # last time it became active
    activated_by: Optional[str] = Field(default=None, max_length=255)


class ShopSettings(SQLModel, table=True):
    """What the merchant set on the Settings page (absent row: every default)."""

    __tablename__ = "shop_settings"

    shop_domain: str = Field(primary_key=True, max_length=255)
    protection_variant_id: Optional[str] = Field(default=None, max_length=64)
    tag_names: dict = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))  # contract name -> ours
    block_po_boxes: bool = Field(default=True)
    updated_by: Optional[str] = Field(default=None, max_length=255)
    updated_at: datetime = _ts()


class ReturnRecord(SQLModel, table=True):
    """A Shopify return the app heard of (returns/* webhooks), kept for the deciding layer (issue 15)."""

    __tablename__ = "returns"
    __table_args__ = (UniqueConstraint("shop_domain", "return_id", name="uq_returns_shop_return"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    shop_domain: str = Field(index=True, max_length=255)
    return_id: str = Field(max_length=64)          # numeric part of gid://shopify/Return/N
    order_id: Optional[str] = Field(default=None, max_length=64)
    status: str = Field(max_length=32)             # requested|open|declined|canceled|closed (Return.status)
    decline_reason: Optional[str] = Field(default=None, max_length=32)  # ReturnDeclineReason
    decline_note: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    line_count: Optional[int] = Field(default=None)
    status_at: Optional[datetime] = _opt_ts()      # when Shopify triggered the event that set `status`
    requested_at: Optional[datetime] = _opt_ts()
    created_at: datetime = _ts()
    updated_at: datetime = _ts()
    exchange_line_count: Optional[int] = Field(default=None)  # exchange lines of the return (returns/request)
    # the decision (migration 0009; services/returns/decide.py): approve|decline|partial, with its policy version
    verdict: Optional[str] = Field(default=None, max_length=16)
    decision: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    policy_name: Optional[str] = Field(default=None, max_length=255)
    policy_version: Optional[str] = Field(default=None, max_length=128)
    decided_at: Optional[datetime] = _opt_ts()
    # what Fineprint did about it: approved|declined|recommended|skipped|left_alone|overridden_*; error if failed
    action: Optional[str] = Field(default=None, max_length=32)
    action_at: Optional[datetime] = _opt_ts()
    action_error: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))


class ReturnsSettings(SQLModel, table=True):
    """A shop's returns mode (enforce | recommend | off; absent row: recommend) — migration 0009."""

    __tablename__ = "returns_settings"

    shop_domain: str = Field(primary_key=True, max_length=255)
    mode: str = Field(default="recommend", max_length=16)
    # process a return (its refund split as decided) once its items are received — migration 0010
    process_on_receipt: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    updated_by: Optional[str] = Field(default=None, max_length=255)
    updated_at: datetime = _ts()


class ReturnAuditEntry(SQLModel, table=True):
    """Every decision, write and merchant override of a return, with who and why (migration 0009)."""

    __tablename__ = "return_audit"

    id: Optional[int] = Field(default=None, primary_key=True)
    shop_domain: str = Field(index=True, max_length=255)
    return_id: str = Field(max_length=64)
    order_id: Optional[str] = Field(default=None, max_length=64)
    actor: str = Field(max_length=255)            # "fineprint" or the merchant's user id
    action: str = Field(max_length=32)            # decided|approved|declined|recommended|override_approve|...
    verdict: Optional[str] = Field(default=None, max_length=16)
    note: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime = _ts()


# ---- Shopify Flow (issue 17; migration 0008) ----------------------------------


class FlowTrigger(SQLModel, table=True):
    """One Flow trigger to fire once for an order and a deadline (services/flow/schedule.py).

    The unique key is what "once" means: a changed deadline is a new row (the old armed one is
    cancelled), the same deadline after a policy change or a restart is the same row."""

    __tablename__ = "flow_triggers"
    __table_args__ = (UniqueConstraint("shop_domain", "order_id", "trigger", "deadline",
                                       name="uq_flow_triggers_shop_order_trigger_deadline"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    shop_domain: str = Field(max_length=255)
    order_id: str = Field(max_length=64)
    trigger: str = Field(max_length=64)  # the Flow trigger extension's handle
    deadline: str = Field(max_length=10)  # YYYY-MM-DD, the shop's calendar
    fire_at: datetime = _ts(index=True)
    status: str = Field(default="armed", index=True, max_length=16)  # armed|sending|sent|cancelled|failed
    attempts: int = Field(default=0)
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    lease_until: Optional[datetime] = _opt_ts()
    sent_at: Optional[datetime] = _opt_ts()
    created_at: datetime = _ts()
    updated_at: datetime = _ts()


class FlowSettings(SQLModel, table=True):
    """Per-shop Flow settings (absent row: every default)."""

    __tablename__ = "flow_settings"

    shop_domain: str = Field(primary_key=True, max_length=255)
    reminder_days: int = Field(default=3)  # "Return window closing" / "Trial period ending": days before
    updated_at: datetime = _ts()
