"""Loads the Cython-compiled twins of the policy modules, only where they were compiled from the current source.

`scripts/build-native` (run by `make install`) compiles each `backend/policy/<module>.py` unchanged into a C
extension under `build/native/` (out of the source tree, so no `.so` ever shadows an edited `.py`) and writes
`build/native/manifest.json`: for each module, the SHA-256 of the exact source bytes it compiled and the file
it built. `install()` (called first thing by `backend/policy/__init__.py`) puts a meta-path finder in front
that imports `backend.policy.<module>` from its compiled file when, and only when, the manifest's hash equals
the hash of the `.py` as it is now; otherwise (edited source, other Python ABI, no build) the normal import of
the `.py` happens. The compiled and the interpreted modules behave alike (tests/unit/policy/test_native.py);
the compiled ones decide ~1.5x faster (README, "Policy engine").

FINEPRINT_NATIVE=0 turns it off. This module itself and the package's `__init__` are never compiled.
Written by hand (a few lines on importlib's own machinery) because no library offers a hash-checked loader.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import sys
from importlib.machinery import EXTENSION_SUFFIXES, ExtensionFileLoader
from importlib.util import spec_from_file_location
from pathlib import Path

PACKAGE = "backend.policy"  # named, not __name__-derived: scripts/build-native and a test load this file by path
PACKAGE_DIR = Path(__file__).resolve().parent
NATIVE_DIR = PACKAGE_DIR.parents[1] / "build" / "native"
MANIFEST = "manifest.json"
OFF = ("0", "false", "no", "off")

log = logging.getLogger(__name__)


def source_hash(data: bytes) -> str:
    """The manifest's fingerprint of a module's source bytes."""
    return hashlib.sha256(data).hexdigest()


def abi() -> str:
    """The extension suffix of this interpreter: a build for another Python is never loaded."""
    return EXTENSION_SUFFIXES[0]


def enabled() -> bool:
    return os.environ.get("FINEPRINT_NATIVE", "1").strip().lower() not in OFF


def read_manifest(directory: Path) -> dict:
    """{module: {"sha256", "file"}} of a build for this interpreter; {} when there is none (or it is unreadable)."""
    try:
        manifest = json.loads((directory / MANIFEST).read_bytes())
    except (OSError, ValueError):
        return {}
    if not isinstance(manifest, dict) or manifest.get("abi") != abi() or not isinstance(manifest.get("modules"), dict):
        return {}
    return manifest["modules"]


class _CompiledLoader(ExtensionFileLoader):
    """Loads the extension; the module's `__file__` stays its `.py` (same bytes), so paths relative to it hold.

    `__spec__.origin` names the compiled file that was loaded.
    """

    def __init__(self, name: str, path: str, source: str):
        super().__init__(name, path)
        self.source = source

    def create_module(self, spec):
        module = super().create_module(spec)
        module.__file__ = self.source  # set before the module body runs (exec_module)
        return module


class NativeFinder:
    """Finds `backend.policy.<module>` in the build when the manifest's hash matches the current source."""

    def __init__(self, directory: Path = NATIVE_DIR, package_dir: Path = PACKAGE_DIR):
        self.directory, self.package_dir = directory, package_dir
        self.modules = read_manifest(directory)

    def find_spec(self, fullname: str, path=None, target=None):
        package, _, short = fullname.rpartition(".")
        entry = self.modules.get(short) if package == PACKAGE else None
        if not entry:
            return None
        source = self.package_dir / f"{short}.py"
        compiled = self.directory / str(entry.get("file", ""))
        try:
            current = source_hash(source.read_bytes())
        except OSError:
            return None
        if current != entry.get("sha256") or not compiled.is_file():
            log.debug("%s: compiled build is stale or missing, importing the .py", fullname)
            return None
        return spec_from_file_location(fullname, compiled, loader=_CompiledLoader(fullname, str(compiled), str(source)))


def install() -> None:
    """Put the finder first on sys.meta_path (once), unless FINEPRINT_NATIVE=0 or there is no build."""
    if not enabled() or any(isinstance(f, NativeFinder) for f in sys.meta_path):
        return
    finder = NativeFinder()
    if finder.modules:
        sys.meta_path.insert(0, finder)


def loaded() -> list[str]:
    """The policy modules imported so far from their compiled build (for tests and diagnostics)."""
    return sorted(name for name, module in list(sys.modules.items())
                  if name.startswith(PACKAGE + ".") and isinstance(getattr(module, "__loader__", None), _CompiledLoader))
