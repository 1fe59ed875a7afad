"""returns_settings.process_on_receipt: Fineprint processes a return (the refund split as decided) once its
items are received, when the merchant asks it to (issue 15)

Revision ID: 0010
Revises: 0009
"""
from alembic import op
import sqlalchemy as sa

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("returns_settings") as batch:
        batch.add_column(sa.Column("process_on_receipt", sa.Boolean(), nullable=False,
                                   server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("returns_settings") as batch:
        batch.drop_column("process_on_receipt")
