"""Tables. Every change comes with an Alembic migration in migrations/versions/."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, DateTime, Text, UniqueConstraint
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
    event_id: str = Field(max_length=255)  # X-Shopify-Webhook-Id or X-Shopify-Event-Id
    topic: str = Field(index=True, max_length=128)
    shop_domain: str = Field(index=True, max_length=255)
    triggered_at: Optional[datetime] = _opt_ts()
    received_at: datetime = _ts()
    payload: Optional[dict] = Field(default=None, sa_column=Column(JSON, nullable=True))
    status: str = Field(default="received", index=True, max_length=32)  # received|processing|done|failed|dropped
    attempts: int = Field(default=0)
    last_error: Optional[str] = Field(default=None, sa_column=Column(Text, nullable=True))
    processed_at: Optional[datetime] = _opt_ts()


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
