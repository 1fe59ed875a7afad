"""`python -m bench` (= `make bench`): run main() of every module in bench/, sorted, skipping '_' names."""
from __future__ import annotations

import importlib
import pkgutil
from pathlib import Path


def run_all() -> None:
    here = Path(__file__).resolve().parent
    for info in sorted(pkgutil.iter_modules([str(here)]), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"bench.{info.name}")
        if hasattr(module, "main"):
            print(f"== bench/{info.name}.py")
            module.main()


if __name__ == "__main__":
    run_all()
