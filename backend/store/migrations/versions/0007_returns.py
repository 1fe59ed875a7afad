"""returns: Shopify returns heard of through returns/* webhooks, for the deciding layer (issue 15)

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "returns",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("return_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=True),
        sa.Column("status", sa.String(32), nullable=False),
        sa.Column("decline_reason", sa.String(32), nullable=True),
        sa.Column("decline_note", sa.Text(), nullable=True),
        sa.Column("line_count", sa.Integer(), nullable=True),
        sa.Column("status_at", TS, nullable=True),
        sa.Column("requested_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("shop_domain", "return_id", name="uq_returns_shop_return"),
    )
    op.create_index("ix_returns_shop_domain", "returns", ["shop_domain"])


def downgrade() -> None:
    op.drop_index("ix_returns_shop_domain", table_name="returns")
    op.drop_table("returns")
