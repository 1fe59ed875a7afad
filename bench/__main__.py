"""`python -m bench` (= `make bench`): run main() of every module in bench/, sorted, skipping '_' names.

`python -m bench cli engine` runs only those (e.g. the `fineprint` CLI's startup and the engine's decisions/s).
Every bench prints a `summary:` line per figure (with its target and verdict); they are printed again together at
the end, so a whole run's verdicts read in one place."""
from __future__ import annotations

import importlib
import pkgutil
import sys
from pathlib import Path


def names() -> list[str]:
    here = Path(__file__).resolve().parent
    return sorted(m.name for m in pkgutil.iter_modules([str(here)]) if not m.name.startswith("_"))


class _Summaries:
    """Forwards writes to the real stdout and keeps the `summary:` lines (a tee of a few lines, by hand: the
    benches print, and redirecting them through a logging setup for this would be more machinery)."""

    def __init__(self, out):
        self.out, self.lines, self._partial = out, [], ""

    def write(self, text: str) -> int:
        self._partial += text
        *done, self._partial = self._partial.split("\n")
        self.lines += [line.strip() for line in done if line.lstrip().startswith("summary:")]
        return self.out.write(text)

    def flush(self) -> None:
        self.out.flush()


def run_all(wanted: list[str] | None = None) -> None:
    unknown = sorted(set(wanted or ()) - set(names()))
    if unknown:
        raise SystemExit(f"no bench named {', '.join(unknown)} (there are: {', '.join(names())})")
    real, summaries = sys.stdout, _Summaries(sys.stdout)
    sys.stdout = summaries
    try:
        for name in names():
            if wanted and name not in wanted:
                continue
            module = importlib.import_module(f"bench.{name}")
            if hasattr(module, "main"):
                print(f"== bench/{name}.py", flush=True)
                module.main()
    finally:
        sys.stdout = real
    if summaries.lines:
        print("== summary of this run")
        for line in summaries.lines:
            print(f"  {line}")


if __name__ == "__main__":
    run_all(sys.argv[1:])
