"""webhook_events.payload compressed with lz4 on PostgreSQL (issue 19, webhook ingest)

An order body (~9.5 KB) is stored out of line and compressed (TOAST); PostgreSQL's default, pglz, cost the
server 0.35-0.39 ms of CPU per insert against lz4's 0.26-0.27 ms (5 Dec 2026, 3,000 orders/create bodies,
the backend's CPU from /proc, load 6-7), for a table 47 % larger (12.9 MB against 8.8 MB). Applies to rows
written from now on; rows already stored keep pglz (both read back alike). A PostgreSQL built without lz4
(or before 14) keeps pglz: the ALTER's error is caught in the DO block (EXECUTE: parsed
only when run, so an older server's syntax error is caught too). Nothing to do on SQLite.

Revision ID: 0011
Revises: 0010
"""
from alembic import op

revision = "0011"
down_revision = "0010"
branch_labels = None
depends_on = None


def _compression(method: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"""DO $$ BEGIN
    EXECUTE 'ALTER TABLE webhook_events ALTER COLUMN payload SET COMPRESSION {method}';
EXCEPTION WHEN feature_not_supported OR invalid_parameter_value OR syntax_error THEN
    RAISE NOTICE 'webhook_events.payload keeps its compression: %', SQLERRM;
END $$""")


def upgrade() -> None:
    _compression("lz4")


def downgrade() -> None:
    _compression("pglz")
