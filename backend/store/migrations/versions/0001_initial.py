"""shops, webhook event log, OAuth states, worker heartbeats

Revision ID: 0001
Revises:
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "shops",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("domain", sa.String(255), nullable=False),
        sa.Column("access_token_encrypted", sa.Text(), nullable=True),
        sa.Column("refresh_token_encrypted", sa.Text(), nullable=True),
        sa.Column("access_token_expires_at", TS, nullable=True),
        sa.Column("refresh_token_expires_at", TS, nullable=True),
        sa.Column("scopes", sa.String(1024), nullable=False, server_default=""),
        sa.Column("active_policy", sa.String(255), nullable=True),
        sa.Column("timezone", sa.String(64), nullable=True),
        sa.Column("currency", sa.String(8), nullable=True),
        sa.Column("installed_at", TS, nullable=True),
        sa.Column("uninstalled_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_shops_domain", "shops", ["domain"], unique=True)

    op.create_table(
        "webhook_events",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("event_id", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(128), nullable=False),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("triggered_at", TS, nullable=True),
        sa.Column("received_at", TS, nullable=False),
        sa.Column("payload", sa.JSON(), nullable=True),
        sa.Column("status", sa.String(32), nullable=False, server_default="received"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("processed_at", TS, nullable=True),
        sa.UniqueConstraint("event_id", name="uq_webhook_events_event_id"),
    )
    op.create_index("ix_webhook_events_topic", "webhook_events", ["topic"])
    op.create_index("ix_webhook_events_shop_domain", "webhook_events", ["shop_domain"])
    op.create_index("ix_webhook_events_status", "webhook_events", ["status"])

    op.create_table(
        "oauth_states",
        sa.Column("nonce", sa.String(128), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("created_at", TS, nullable=False),
    )

    op.create_table(
        "worker_heartbeats",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("worker", sa.String(255), nullable=False),
        sa.Column("beat_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("worker_heartbeats")
    op.drop_table("oauth_states")
    op.drop_index("ix_webhook_events_status", "webhook_events")
    op.drop_index("ix_webhook_events_shop_domain", "webhook_events")
    op.drop_index("ix_webhook_events_topic", "webhook_events")
    op.drop_table("webhook_events")
    op.drop_index("ix_shops_domain", "shops")
    op.drop_table("shops")
