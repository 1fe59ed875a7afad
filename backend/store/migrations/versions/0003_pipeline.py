"""order pipeline: catalog mirror, order states, decision log, pipeline jobs

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "catalog_products",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.Column("product_type", sa.String(255), nullable=False, server_default=""),
        sa.Column("tags", sa.JSON(), nullable=False),
        sa.Column("gift_card", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("updated_at", TS, nullable=True),
        sa.Column("deleted_at", TS, nullable=True),
        sa.Column("synced_at", TS, nullable=False),
        sa.UniqueConstraint("shop_domain", "product_id", name="uq_catalog_products_shop_product"),
    )
    op.create_table(
        "catalog_variants",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("product_id", sa.String(64), nullable=False),
        sa.Column("variant_id", sa.String(64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False, server_default=""),
        sa.Column("sku", sa.String(255), nullable=False, server_default=""),
        sa.Column("price", sa.String(32), nullable=True),
        sa.Column("compare_at_price", sa.String(32), nullable=True),
        sa.Column("updated_at", TS, nullable=True),
        sa.UniqueConstraint("shop_domain", "variant_id", name="uq_catalog_variants_shop_variant"),
    )
    op.create_index("ix_catalog_variants_product_id", "catalog_variants", ["product_id"])

    op.create_table(
        "order_states",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("order_updated_at", TS, nullable=True),
        sa.Column("last_triggered_at", TS, nullable=True),
        sa.Column("cancelled_at", TS, nullable=True),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("fulfillments", sa.JSON(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("applied_revision", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("decision_hash", sa.String(64), nullable=True),
        sa.Column("pending_hash", sa.String(64), nullable=True),
        sa.Column("tags_written", sa.JSON(), nullable=False),
        sa.Column("deadline_written", sa.String(10), nullable=True),
        sa.Column("recheck_at", TS, nullable=True),
        sa.Column("lock_owner", sa.String(128), nullable=True),
        sa.Column("lock_expires_at", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("shop_domain", "order_id", name="uq_order_states_shop_order"),
    )
    op.create_index("ix_order_states_recheck_at", "order_states", ["recheck_at"])

    op.create_table(
        "decision_log",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("order_id", sa.String(64), nullable=False),
        sa.Column("policy_name", sa.String(255), nullable=True),
        sa.Column("policy_version", sa.String(128), nullable=True),
        sa.Column("trigger", sa.String(64), nullable=False, server_default=""),
        sa.Column("input", sa.JSON(), nullable=False),
        sa.Column("decision", sa.JSON(), nullable=True),
        sa.Column("tags_added", sa.JSON(), nullable=False),
        sa.Column("tags_removed", sa.JSON(), nullable=False),
        sa.Column("write_result", sa.String(32), nullable=False, server_default=""),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("applied_at", TS, nullable=False),
    )
    op.create_index("ix_decision_log_shop_domain", "decision_log", ["shop_domain"])
    op.create_index("ix_decision_log_order_id", "decision_log", ["order_id"])

    op.create_table(
        "pipeline_jobs",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("key", sa.String(255), nullable=False),
        sa.Column("shop_domain", sa.String(255), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, server_default="pending"),
        sa.Column("attempts", sa.Integer(), nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("trigger", sa.String(64), nullable=False, server_default=""),
        sa.Column("progress", sa.JSON(), nullable=True),
        sa.Column("lease_until", TS, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("updated_at", TS, nullable=False),
        sa.UniqueConstraint("kind", "key", name="uq_pipeline_jobs_kind_key"),
    )
    op.create_index("ix_pipeline_jobs_shop_domain", "pipeline_jobs", ["shop_domain"])
    op.create_index("ix_pipeline_jobs_status", "pipeline_jobs", ["status"])


def downgrade() -> None:
    op.drop_index("ix_pipeline_jobs_status", "pipeline_jobs")
    op.drop_index("ix_pipeline_jobs_shop_domain", "pipeline_jobs")
    op.drop_table("pipeline_jobs")
    op.drop_index("ix_decision_log_order_id", "decision_log")
    op.drop_index("ix_decision_log_shop_domain", "decision_log")
    op.drop_table("decision_log")
    op.drop_index("ix_order_states_recheck_at", "order_states")
    op.drop_table("order_states")
    op.drop_index("ix_catalog_variants_product_id", "catalog_variants")
    op.drop_table("catalog_variants")
    op.drop_table("catalog_products")
