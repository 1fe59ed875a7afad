"""The Cython-compiled policy modules (build/native/, backend/policy/native.py) decide exactly as the plain ones,
and a compiled module is used only while it was compiled from the current source.

The comparison runs the other variant in a subprocess with FINEPRINT_NATIVE=0: the golden cases' requests, and
never-seen orders of the engine bench. Skipped with the reason when no native build is present.
"""
from __future__ import annotations

import json
import os
import random
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

import pytest

from backend.policy import RequestError, compile_policy, decide, load_policy, native

ROOT = Path(__file__).resolve().parents[3]
CASES = sorted((ROOT / "policy_rules" / "cases").glob("*/*.json"))
EXAMPLES = ROOT / "policy_rules" / "examples"
DEFAULT_NOW = datetime(2024, 6, 1, 12, 0, tzinfo=timezone.utc)
BENCH_NOW = datetime(2024, 12, 1, 18, 0, tzinfo=timezone.utc)
NO_BUILD = "no native build of backend/policy (make install builds build/native/; FINEPRINT_NATIVE=0 turns it off)"


def _outcome(policy, request, now) -> object:
    try:
        return decide(policy, request, now)
    except RequestError as exc:
        return {"request_error": exc.errors}


def decisions() -> str:
    """Every golden case's decision, and 3-line never-seen orders of the bench for each preset, as one JSON text."""
    from bench.engine import PRESETS, make_request

    out = {}
    for path in CASES:
        case, example = json.loads(path.read_text()), EXAMPLES / f"{path.parent.name}.toml"
        policy = load_policy(example if example.exists() else path.parent.name)
        now = datetime.fromisoformat(case["now"]) if "now" in case else DEFAULT_NOW
        out[f"{path.parent.name}/{path.stem}"] = _outcome(policy, case["request"], now)
    for name in PRESETS:
        compiled = compile_policy(load_policy(name), memo_size=0)
        for k in range(40):
            out[f"bench/{name}/{k}"] = _outcome(compiled, make_request(random.Random(k), 1 + k % 4, k), BENCH_NOW)
    return json.dumps(out, sort_keys=True, default=str)


def _run(code: str, **env) -> str:
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=600,
                          env={**os.environ, **env})
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_compiled_and_plain_engines_decide_alike():
    import backend.policy.engine  # noqa: F401 - loaded by the package; named so the check below reads plainly

    if "backend.policy.engine" not in native.loaded():
        pytest.skip(NO_BUILD)
    plain = _run("import sys; from backend.policy import native; from tests.unit.policy.test_native import decisions; "
                 "out = decisions(); assert not native.loaded(), native.loaded(); sys.stdout.write(out)",
                 FINEPRINT_NATIVE="0")
    assert decisions() == plain


def _manifest(directory: Path, modules: dict, abi: str | None = None) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    (directory / native.MANIFEST).write_text(json.dumps({"abi": abi or native.abi(), "modules": modules}))


def test_a_stale_or_foreign_build_is_not_used(tmp_path):
    source = native.PACKAGE_DIR / "money.py"
    current = native.source_hash(source.read_bytes())
    (tmp_path / "money.so").write_bytes(b"")  # never opened: the finder only decides which file would load
    _manifest(tmp_path, {"money": {"sha256": current, "file": "money.so"}})
    spec = native.NativeFinder(tmp_path).find_spec("backend.policy.money")
    assert spec is not None and spec.origin == str(tmp_path / "money.so")
    assert native.NativeFinder(tmp_path).find_spec("backend.other.money") is None
    _manifest(tmp_path, {"money": {"sha256": "0" * 64, "file": "money.so"}})  # the source changed since the build
    assert native.NativeFinder(tmp_path).find_spec("backend.policy.money") is None
    _manifest(tmp_path, {"money": {"sha256": current, "file": "gone.so"}})
    assert native.NativeFinder(tmp_path).find_spec("backend.policy.money") is None
    _manifest(tmp_path, {"money": {"sha256": current, "file": "money.so"}}, abi=".cpython-00-other.so")
    assert native.NativeFinder(tmp_path).modules == {}
    (tmp_path / native.MANIFEST).write_text("{not json")
    assert native.NativeFinder(tmp_path).modules == {}


def test_a_stale_module_falls_back_to_its_py_beside_current_compiled_ones(tmp_path):
    built = native.read_manifest(native.NATIVE_DIR)
    if "engine" not in built or "money" not in built:
        pytest.skip(NO_BUILD)
    stale = {**built, "money": {**built["money"], "sha256": "0" * 64}}
    _manifest(tmp_path, {name: {**e, "file": str(native.NATIVE_DIR / e["file"])} for name, e in stale.items()})
    code = ("import importlib.util, json, pathlib, sys\n"  # the loader by path: nothing of the package imported yet
            "spec = importlib.util.spec_from_file_location('_native', 'backend/policy/native.py')\n"
            "native = importlib.util.module_from_spec(spec); spec.loader.exec_module(native)\n"
            f"sys.meta_path.insert(0, native.NativeFinder(pathlib.Path({str(tmp_path)!r})))\n"
            "from tests.unit.policy.test_native import decisions\n"
            "out = decisions(); money = sys.modules['backend.policy.money'].__spec__.origin\n"
            "json.dump({'loaded': native.loaded(), 'money': money, 'out': out}, sys.stdout)\n")
    # FINEPRINT_NATIVE=0 keeps the package's own finder out: only this one (money stale) is on sys.meta_path
    got = json.loads(_run(code, FINEPRINT_NATIVE="0"))
    assert "backend.policy.engine" in got["loaded"] and "backend.policy.money" not in got["loaded"]
    assert got["money"] == str(native.PACKAGE_DIR / "money.py")
    assert got["out"] == decisions()
