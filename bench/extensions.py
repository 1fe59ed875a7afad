"""Compressed size of each built UI extension (`shopify app build` output in extensions/*/dist/).

Shopify's cap is 64 KB per UI extension; our targets: 10 KB gzipped for checkout, 12 KB for the customer-account returns modal.
Runs `npm run build` first (offline), unless FINEPRINT_BENCH_NO_BUILD=1 asks to read dist/ as it is.
"""
from __future__ import annotations

import gzip
import os
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CAP = 64 * 1024
TARGETS = {"checkout-returns": 10 * 1024, "customer-account-returns": 12 * 1024}


def build() -> bool:
    if os.environ.get("FINEPRINT_BENCH_NO_BUILD") == "1":
        return True
    try:
        done = subprocess.run(["npm", "run", "build", "--silent"], cwd=ROOT, capture_output=True, text=True, timeout=600)
    except (OSError, subprocess.TimeoutExpired) as exc:
        print(f"  build failed to run: {exc}")
        return False
    if done.returncode != 0:
        print(f"  npm run build exited {done.returncode}:\n{done.stdout[-2000:]}{done.stderr[-2000:]}")
    return done.returncode == 0


def sizes() -> list[tuple[str, int, int]]:
    rows = []
    for bundle in sorted(ROOT.glob("extensions/*/dist/*.js")):
        data = bundle.read_bytes()
        rows.append((bundle.parent.parent.name, len(data), len(gzip.compress(data, compresslevel=9))))
    return rows


def main() -> None:
    build()
    rows = sizes()
    if not rows:
        print("  no built UI extension found (run `make build`)")
        return
    for name, raw, gz in rows:
        target = TARGETS.get(name)
        verdict = "over the 64 KB cap" if gz > CAP else (
            f"target {target // 1024} KB: {'met' if gz <= target else 'missed'}" if target else "under the 64 KB cap")
        print(f"  {name:<24} {raw / 1024:6.1f} KB raw  {gz / 1024:5.1f} KB gzip  ({verdict})")


if __name__ == "__main__":
    main()
