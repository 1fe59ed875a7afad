"""`python -m bench` (= `make bench`): run main() of every module in bench/, sorted, skipping '_' names.

`python -m bench cli engine` runs only those (e.g. the `fineprint` CLI's startup and the engine's decisions/s)."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def names() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


def run_all(wanted: list[str] | None = None) -> None:
    unknown = sorted(set(wanted or ()) - set(names()))
    if unknown:
        raise SystemExit(f"no bench named {', '.join(unknown)} (there are: {', '.join(names())})")
    for name in names():
        if wanted and name not in wanted:
            continue
        module = importlib.import_module(f"bench.{name}")
        if hasattr(module, "main"):
            print(f"== bench/{name}.py", flush=True)
            module.main()


if __name__ == "__main__":
    run_all(sys.argv[1:])
