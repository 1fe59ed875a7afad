"""SQLite settings the web app and the worker rely on when they share one file."""
from sqlalchemy import text

from backend.store.db import make_engine


def test_sqlite_runs_in_wal_mode_and_syncs_only_at_checkpoints(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'app.db'}")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 1  # NORMAL
    engine.dispose()
