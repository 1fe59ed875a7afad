"""Shopify Flow: armed triggers (fired once per shop, order, trigger and deadline) and per-shop settings

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "flow_triggers",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("trigger", sa.String(64), nullable=False),
        sa.Column("deadline", sa.String(10), nullable=False),
        sa.Column("fire_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="armed"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.UniqueConstraint("shop_domain", "order_id", "trigger", "deadline",
                            name="uq_flow_triggers_shop_order_trigger_deadline"),
    )
    op.create_index("ix_flow_triggers_fire_at", "flow_triggers", ["fire_at"])
    op.create_index("ix_flow_triggers_status", "flow_triggers", ["status"])
    op.create_table(
        "flow_settings",
        sa.Column("shop_domain", sa.String(255), primary_key=True),
        sa.Column("reminder_days", sa.Integer(), nullable=False, server_default="3"),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("flow_settings")
    op.drop_index("ix_flow_triggers_status", table_name="flow_triggers")
    op.drop_index("ix_flow_triggers_fire_at", table_name="flow_triggers")
    op.drop_table("flow_triggers")
