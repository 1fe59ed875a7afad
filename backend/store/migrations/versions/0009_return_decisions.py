"""return decisions (issue 15): each Shopify return's decision with its policy version, what Fineprint did
about it, a per-shop returns mode, and an audit log of decisions, writes and merchants' overrides

Revision ID: 0009
Revises: 0008
"""
from alembic import op
import sqlalchemy as sa

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)
DECISION_COLUMNS = ("exchange_line_count", "verdict", "decision", "policy_name", "policy_version", "decided_at", "action", "action_at",
                    "action_error")


def upgrade() -> None:
    with op.batch_alter_table("returns") as batch:
        batch.add_column(sa.Column("exchange_line_count", sa.Integer(), nullable=True))
        batch.add_column(sa.Column("verdict", sa.String(16), nullable=True))
        batch.add_column(sa.Column("decision", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("policy_name", sa.String(255), nullable=True))
        batch.add_column(sa.Column("policy_version", sa.String(128), nullable=True))
        batch.add_column(sa.Column("decided_at", TS, nullable=True))
        batch.add_column(sa.Column("action", sa.String(32), nullable=True))
        batch.add_column(sa.Column("action_at", TS, nullable=True))
        batch.add_column(sa.Column("action_error", sa.Text(), nullable=True))
    op.create_table(
        "returns_settings",
        sa.Column("shop_domain", sa.String(255), primary_key=True),
        sa.Column("mode", sa.String(16), nullable=False, server_default="recommend"),
        sa.Column("updated_by", sa.String(255), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
    )
    op.create_table(
        "return_audit",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("return_id", sa.String(64), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=True),
        sa.Column("actor", sa.String(255), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("verdict", sa.String(16), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", TS, nullable=False),
    )
    op.create_index("ix_return_audit_shop_domain", "return_audit", ["shop_domain"])


def downgrade() -> None:
    op.drop_index("ix_return_audit_shop_domain", table_name="return_audit")
    op.drop_table("return_audit")
    op.drop_table("returns_settings")
    with op.batch_alter_table("returns") as batch:
        for name in reversed(DECISION_COLUMNS):
            batch.drop_column(name)
