"""webhook events: keep X-Shopify-Webhook-Id beside the event id (X-Shopify-Event-Id), which is the dedupe key

Rows recorded before this revision keyed on the webhook id; it is copied into the new column so nothing
is lost, and the event id column keeps its UNIQUE constraint.

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("webhook_events", sa.Column("webhook_id", sa.String(255), nullable=True))
    op.execute("UPDATE webhook_events SET webhook_id = event_id")


def downgrade() -> None:
    with op.batch_alter_table("webhook_events") as batch:
        batch.drop_column("webhook_id")
