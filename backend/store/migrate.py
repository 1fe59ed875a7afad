"""Alembic, driven from code (no alembic.ini): `fineprint db upgrade`."""
from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config as AlembicConfig

from backend.store.db import make_engine

HERE = Path(__file__).resolve().parent


def alembic_config(url: str) -> AlembicConfig:
    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(HERE / "migrations"))
    cfg.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return cfg


def _run(url: str, fn, *args) -> None:
    cfg = alembic_config(url)
    engine = make_engine(url)
    try:
        cfg.attributes["engine"] = engine
        fn(cfg, *args)
    finally:
        engine.dispose()


def upgrade(url: str, revision: str = "head") -> None:
    _run(url, command.upgrade, revision)


def downgrade(url: str, revision: str = "base") -> None:
    _run(url, command.downgrade, revision)


def revision(url: str, message: str, autogenerate: bool = True) -> None:
    _run(url, command.revision, message, autogenerate)
