"""Shopify edge: compliance records (data requests and redactions, for the merchant)

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "compliance_records",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("topic", sa.String(128), nullable=False),
        sa.Column("webhook_event_id", sa.String(255), nullable=True),
        sa.Column("customer_id", sa.String(64), nullable=True),
        sa.Column("report", sa.JSON(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_compliance_records_shop_domain", "compliance_records", ["shop_domain"])
    op.create_index("ix_compliance_records_customer_id", "compliance_records", ["customer_id"])


def downgrade() -> None:
    op.drop_index("ix_compliance_records_customer_id", "compliance_records")
    op.drop_index("ix_compliance_records_shop_domain", "compliance_records")
    op.drop_table("compliance_records")
