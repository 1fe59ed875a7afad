"""A shop's policy: check a draft, keep every version, activate one, roll back.

    check_text(text)                          -> {"ok", "name", "version", "problems": [...]}
    create_version(db, shop, text, user)      -> PolicyVersion (same text twice: the same row)
    activate(app, shop, version_id, user)     -> PolicyVersion; re-decides the shop's stored orders
    set_policy(app, shop, name_or_path, user) -> PolicyVersion (the CLI and the admin page both use it)
    previous_version(db, shop)                -> what a rollback would activate, or None
    rollback(app, shop, user)                 -> the version that was active before the current one

`Shop.active_policy` holds ``version:<id>:<hash>`` for a stored version (the
hash makes the reference self-checking, so a cache keyed by it is never
stale); a bare preset name or a path (older rows, `DEFAULT_POLICY`) still works.
"""
from __future__ import annotations

from backend.errors import NotFound, ValidationError
from backend.policy import PolicyError, load_policy_text, preset_names, resolve_path
from backend.services import queue
from backend.store import order_states, policy_versions, shops
from backend.store.models import PolicyVersion

PREFIX = "version:"


class InvalidPolicy(ValidationError):
    code = "invalid_policy"


# ------------------------------------------------------------------ checking

def problem_json(problem, lines: list[str] | None = None) -> dict:
    out = {"file": problem.file, "line": problem.line, "col": problem.col, "message": problem.message,
           "severity": problem.severity, "text": str(problem)}
    if lines is not None and 1 <= problem.line <= len(lines):
        out["source_line"] = lines[problem.line - 1]
    return out


def check_text(text: str, source_name: str = "policy.toml") -> dict:
    """The same findings as `policy check`: errors (file:line:col) and, for a valid text, lint warnings."""
    from backend.policy.lint import lint

    lines = text.splitlines()
    try:
        policy = load_policy_text(text, source_name)
    except PolicyError as exc:
        return {"ok": False, "name": None, "version": None,
                "problems": [problem_json(p, lines) for p in exc.problems]}
    return {"ok": True, "name": policy.name, "version": policy.version,
            "problems": [problem_json(p, lines) for p in lint(policy)]}


def parse(text: str, source_name: str = "policy.toml"):
    try:
        return load_policy_text(text, source_name)
    except PolicyError as exc:
        raise InvalidPolicy("the policy has errors", details={"problems": [problem_json(p) for p in exc.problems]})


# ------------------------------------------------------------------ sources

def presets() -> list[str]:
    return preset_names()


def file_source(name_or_path: str) -> str:
    path = resolve_path(name_or_path)
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        raise NotFound(f"no policy named {name_or_path}", code="unknown_policy") from None
    except UnicodeDecodeError:
        raise InvalidPolicy(f"file {name_or_path} is not UTF-8 text: save it as UTF-8") from None


def is_version_ref(ref: str | None) -> bool:
    return bool(ref) and ref.startswith(PREFIX)


def ref(row: PolicyVersion) -> str:
    return f"{PREFIX}{row.id}:{row.version}"


def version_id(ref_: str) -> int:
    return int(ref_[len(PREFIX):].split(":", 1)[0])


def get_version(db, shop: str, vid: int) -> PolicyVersion:
    row = policy_versions.get(db, vid)
    if row is None or row.shop_domain != shop:
        raise NotFound("no such policy version", code="unknown_version")
    return row


def load_ref(db, ref_: str):
    """The Policy a `Shop.active_policy` value names (a stored version, a preset or a path)."""
    from backend.policy import load_policy

    if not is_version_ref(ref_):
        return load_policy(ref_)
    row = policy_versions.get(db, version_id(ref_))
    if row is None:
        raise NotFound(f"policy {ref_} is gone", code="unknown_version")
    return load_policy_text(row.source, f"{row.name}@{row.version}")


def active(db, shop: str) -> tuple[PolicyVersion | None, str | None]:
    """(the active version row or None, the raw active_policy value)."""
    current = policy_versions.active_pointer(db, shop)
    if is_version_ref(current):
        return policy_versions.get(db, version_id(current)), current
    return None, current


def active_source(db, shop: str) -> tuple[str | None, str | None]:
    """(source text, label) of the active policy; (None, None) when the shop has none."""
    row, current = active(db, shop)
    if row is not None:
        return row.source, f"{row.name} (version {row.version})"
    if current:
        return file_source(current), current
    return None, None


def versions(db, shop: str, limit: int = 50) -> list[PolicyVersion]:
    return policy_versions.listing(db, shop, limit)


# ------------------------------------------------------------------ changing

def create_version(db, shop: str, text: str, created_by: str | None, based_on: str | None = None,
                   source_name: str = "policy.toml") -> PolicyVersion:
    policy = parse(text, source_name)
    return policy_versions.find_or_add(db, shop, policy.name, policy.version, text, based_on, created_by)


def activate(app, shop: str, vid: int, user: str | None, redecide: bool = True) -> PolicyVersion:
    db = app.extensions["fineprint.db"]
    row, shop_known = policy_versions.mark_active(db, shop, vid, user, ref)
    if row is None:
        raise NotFound("no such policy version", code="unknown_version")
    if not shop_known:
        raise NotFound(f"unknown shop {shop} (install the app on it first)", code="unknown_shop")
    if redecide:
        redecide_orders(app, shop, "policy_change")
    return row


def set_policy(app, shop: str, name_or_path: str, user: str | None, redecide: bool = True) -> PolicyVersion:
    """A preset or a policy file becomes a new version of the shop's policy, and the active one."""
    db = app.extensions["fineprint.db"]
    if shops.get(db, shop) is None:
        raise NotFound(f"unknown shop {shop} (install the app on it first)", code="unknown_shop")
    text = file_source(name_or_path)
    row = create_version(db, shop, text, user, based_on=name_or_path, source_name=name_or_path)
    return activate(app, shop, row.id, user, redecide=redecide)


def activate_text(app, shop: str, text: str, user: str | None, based_on: str | None = None) -> PolicyVersion:
    row = create_version(app.extensions["fineprint.db"], shop, text, user, based_on=based_on)
    return activate(app, shop, row.id, user)


def previous_version(db, shop: str) -> PolicyVersion | None:
    """The version that was active before the current one (what "Roll back" activates), or None."""
    current, _ = active(db, shop)
    earlier = [v for v in versions(db, shop, 1000)
               if v.activated_at is not None and (current is None or v.id != current.id)]
    return max(earlier, key=lambda v: v.activated_at) if earlier else None


def rollback(app, shop: str, user: str | None) -> PolicyVersion:
    """Activate the version that was active before the current one."""
    previous = previous_version(app.extensions["fineprint.db"], shop)
    if previous is None:
        raise NotFound("there is no earlier version to roll back to", code="nothing_to_roll_back")
    return activate(app, shop, previous.id, user)


def redecide_orders(app, shop: str, trigger: str) -> int:
    """Queue one apply per stored order of the shop (the pipeline writes only what changes)."""
    ids = order_states.decided_order_ids(app.extensions["fineprint.db"], shop)
    for order_id in ids:
        queue.enqueue_apply(app, shop, order_id, trigger)
    return len(ids)
