"""The layering README's "How it fits together" draws is the one the code has: import-linter checks the
contracts in pyproject.toml ([tool.importlinter]) — web -> services -> (policy | store | shopify), the
worker -> services, a pure policy engine, no service importing the worker, no production module importing
the simulator. `make test` runs `lint-imports` too, before pytest."""
from __future__ import annotations

import tomllib
from pathlib import Path

from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_keeps_the_layering_contracts(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0, "lint-imports found a broken contract (output above)"


def test_the_contracts_cover_every_top_level_part_of_the_app():
    """A new backend package outside every contract would escape the layering unnoticed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    named = " ".join(str(c.get("layers", [])) + str(c.get("source_modules", [])) for c in config["contracts"])
    parts = {p.name for p in (ROOT / "backend").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {p for p in parts if f"backend.{p}" not in named} == set()
