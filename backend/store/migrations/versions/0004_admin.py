"""merchant admin: policy versions and shop settings

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("name", sa.String(255), nullable=False),
        sa.Column("based_on", sa.String(255), nullable=True),
        sa.Column("version", sa.String(64), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("created_by", sa.String(255), nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("activated_at", TS, nullable=True),
        sa.Column("activated_by", sa.String(255), nullable=True),
    )
    op.create_index("ix_policy_versions_shop_domain", "policy_versions", ["shop_domain"])
    op.create_table(
        "shop_settings",
        sa.Column("shop_domain", sa.String(255), primary_key=True),
        sa.Column("protection_variant_id", sa.String(64), nullable=True),
        sa.Column("tag_names", sa.JSON(), nullable=False),
        sa.Column("block_po_boxes", sa.Boolean(), nullable=False, server_default=sa.true()),
        sa.Column("updated_by", sa.String(255), nullable=True),
        sa.Column("updated_at", TS, nullable=False),
    )


def downgrade() -> None:
    op.drop_table("shop_settings")
    op.drop_index("ix_policy_versions_shop_domain", "policy_versions")
    op.drop_table("policy_versions")
