"""The layering README's "How it fits together" draws is the one the code has: import-linter checks the
contracts in pyproject.toml ([tool.importlinter]) — web -> services -> (policy | store | shopify), the
worker -> services, a pure policy engine, no service importing the worker, no production module importing
the simulator. `make test` runs `lint-imports` too, before pytest."""
from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_import_keeps_the_layering_contracts():
    # In its own process: import-linter's CLI reconfigures logging, which would leak into later tests.
    done = subprocess.run([str(Path(sys.executable).with_name("lint-imports")), "--no-cache", "--no-logo"],
                          cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, f"lint-imports found a broken contract:\n{done.stdout}{done.stderr}"


def test_the_contracts_cover_every_top_level_part_of_the_app():
    """A new backend package outside every contract would escape the layering unnoticed."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    named = " ".join(str(c.get("layers", [])) + str(c.get("source_modules", [])) for c in config["contracts"])
    parts = {p.name for p in (ROOT / "backend").iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert {p for p in parts if f"backend.{p}" not in named} == set()


def _readme_tree() -> str:
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## How it fits together"):]
    return section[:section.index("\n## ")]


def _packages():
    for init in sorted([*(ROOT / "backend").glob("*/__init__.py"), *(ROOT / "backend/services").glob("*/__init__.py"),
                        ROOT / "devshop/__init__.py", ROOT / "bench/__init__.py", ROOT / "tests/__init__.py"]):
        yield init.parent


def test_the_readme_draws_every_package_and_each_says_what_it_may_import():
    """README's "How it fits together" is the floor plan: every package of backend/ and backend/services/ is on
    it, every folder it names exists, and each package's docstring says what lives there and what it may import."""
    import ast

    tree = _readme_tree()
    for package in _packages():
        assert f"{package.name}/" in tree, f"{package.relative_to(ROOT)} is missing from README's tree"
        doc = ast.get_docstring(ast.parse((package / "__init__.py").read_text())) or ""
        assert "may import" in doc.lower(), f"{package.relative_to(ROOT)}/__init__.py does not say what it may import"
    block = tree[tree.index("app.py "):]
    folders = {w.rstrip("/") for line in block[:block.index("```")].splitlines() for w in line.split()[:2]
               if w.endswith("/")}
    present = {p.name for d in (ROOT, ROOT / "backend", ROOT / "backend/services") for p in d.iterdir() if p.is_dir()}
    assert folders - present == set(), "README names folders that do not exist"
