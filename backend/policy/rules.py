"""Load a policy file: TOML syntax, then every section validated; a policy with any error is never built."""
from __future__ import annotations

import hashlib
import tomllib
from pathlib import Path

from backend.policy import codes
from backend.policy import model as m
from backend.policy import sections as s
from backend.policy.calendar import zone
from backend.policy.errors import PolicyError, Problem, did_you_mean
from backend.policy.positions import key_positions, syntax_error_at
from backend.policy.reader import Reader

RULES_DIR = Path(__file__).resolve().parents[2] / "policy_rules"
_ARRAYS = {"rules": s.line_rule, "return_rules": s.return_rule, "fees": s.fee_rule, "bonus_credit": s.bonus_rule,
           "bundles": s.bundle_rule,
           "price_adjustments": s.price_adjustment_rule, "signature": s.order_rule,
           "blocks": lambda r, p, d: s.order_rule(r, p, d, "[[blocks]]"), "contradictions": s.contradiction}
_TABLES = {"protection": s.protection, "sales_tax": s.sales_tax}
SECTIONS = ("policy", "shipping", *_ARRAYS, *_TABLES)


def resolve_path(name_or_path: str | Path) -> Path:
    """A bare name is a file stem in policy_rules/; anything else is a path."""
    text = str(name_or_path)
    if "/" not in text and "\\" not in text and not text.endswith(".toml"):
        return RULES_DIR / f"{text}.toml"
    return Path(text)


def load_policy(name_or_path: str | Path) -> m.Policy:
    path = resolve_path(name_or_path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise PolicyError([Problem(str(name_or_path), 1, 1, f"cannot read policy: {exc.strerror}")]) from None
    return load_policy_text(_decode(data, _display(path)), _display(path))


def _decode(data: bytes, source_name: str) -> str:
    """UTF-8 text (a leading byte-order mark, as Windows editors write, is dropped); otherwise one problem
    at the first byte that is not UTF-8, e.g. a file saved as Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        col = len(data[data.rfind(b"\n", 0, exc.start) + 1:exc.start].decode("utf-8-sig", "replace")) + 1
        message = f"not UTF-8 text (line {line}, column {col}: byte 0x{data[exc.start]:02x}); save the file as UTF-8"
        raise PolicyError([Problem(source_name, line, col, message)]) from None


def load_policy_text(text: str, source_name: str = "<policy>") -> m.Policy:
    """Parse and validate; raises PolicyError listing every problem."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, col, message = syntax_error_at(text, str(exc))
        raise PolicyError([Problem(source_name, line, col, f"TOML syntax error: {message}")]) from None
    except RecursionError:
        # tomllib parses nested arrays and inline tables recursively; thousands of levels exhaust the stack.
        # No policy nests more than a few levels, so this is a clear error, not a crash.
        line, col = _deep_nesting_at(text)
        raise PolicyError([Problem(source_name, line, col, "arrays or inline tables nested too deeply to be a "
                                                           "policy (a policy needs a few levels)")]) from None
    reader = Reader(source_name, key_positions(text))
    policy = _build(reader, data, text, source_name)
    if reader.problems:
        raise PolicyError(sorted(reader.problems, key=lambda p: (p.line, p.col)))
    return policy


def _deep_nesting_at(text: str, depth_limit: int = 50) -> tuple[int, int]:
    """Line and column where brackets first nest `depth_limit` deep (strings and comments skipped roughly:
    only to point at the place; tomllib has already refused the text)."""
    depth, quote, comment, line, col = 0, "", False, 1, 0
    for ch in text:
        col += 1
        if ch == "\n":
            line, col, comment = line + 1, 0, False
        elif comment:
            continue
        elif quote:
            quote = "" if ch == quote else quote
        elif ch in "\"'":
            quote = ch
        elif ch == "#":
            comment = True
        elif ch in "[{":
            depth += 1
            if depth >= depth_limit:
                return line, col
        elif ch in "]}":
            depth = max(0, depth - 1)
    return 1, 1


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def _build(r: Reader, data: dict, text: str, source_name: str) -> m.Policy | None:
    for key in data:
        if key not in SECTIONS:
            r.error((key,), f"unknown section '{key}' (expected one of {', '.join(SECTIONS)})"
                            f"{did_you_mean(key, SECTIONS)}")
    head = r.table(data.get("policy"), ("policy",), "[policy]") if "policy" in data else None
    if head is None:
        r.error((), "missing [policy] table (name, title, timezone, currency)")
        return None
    meta = r.fields(head, ("policy",), s.POLICY_SPEC, "[policy]")
    if meta is not None and "conditions" in meta:
        r.conditions = meta["conditions"]  # item_condition values are checked against the policy's words
    parts = {key: tuple(x for x in (build(r, p, d) for p, d in r.tables(data[key], (key,), key)) if x)
             for key, build in _ARRAYS.items() if key in data}
    for key, build in _TABLES.items():
        if key in data and (table := r.table(data[key], (key,), f"[{key}]")) is not None:
            parts[key] = build(r, (key,), table)
    shipping = _shipping(r, data["shipping"]) if "shipping" in data else None
    fallback = _fallback(r, head.get("delivery_fallback"))
    if meta is None or r.problems:
        return None
    return m.Policy(
        name=meta["name"], title=meta["title"], version=hashlib.sha256(text.encode()).hexdigest()[:12],
        source_name=source_name, timezone=meta["timezone"], tz=zone(meta["timezone"]),
        currency=meta["currency"].upper(), shipping=shipping, delivery_fallback=fallback,
        seed=meta.get("seed"), conditions=meta.get("conditions", m.CONDITIONS), raw=data, positions=r.positions, **parts)


def _fallback(r: Reader, data) -> m.DeliveryFallback | None:
    if data is None:
        return None
    path = ("policy", "delivery_fallback")
    if (table := r.table(data, path, "[policy.delivery_fallback]")) is None:
        return None
    f = r.fields(table, path, s.FALLBACK_SPEC, "[policy.delivery_fallback]")
    if f is None:
        return None
    info = m.Info(f.get("id", "delivery-fallback"), f.get("title", "Delivery assumed"), f["text"])
    return m.DeliveryFallback(info, f["days"])


def _shipping(r: Reader, data) -> m.Shipping | None:
    if (table := r.table(data, ("shipping",), "[shipping]")) is None:
        return None
    spec = s._spec(currency=(True, codes.currency), rates=(False, None), ship_by=(False, None))
    f, info = r.fields(table, ("shipping",), spec, "[shipping]"), r.info(table, ("shipping",), "[shipping]")
    rates = tuple(_rate(r, p, d) for p, d in r.tables(table.get("rates", []), ("shipping", "rates"), "shipping.rates"))
    ship_by = _ship_by(r, table["ship_by"]) if "ship_by" in table else None
    if f is None or info is None or None in rates:
        return None
    return m.Shipping(info, f["currency"].upper(), rates, ship_by)


def _rate(r: Reader, path, data):
    got = s._rule(r, path, data, "[[shipping.rates]]", {"rate": (True, s.amount_field)}, s.ORDER)
    return None if got is None else m.Rate(got[0], got[1], got[2]["rate"])


def _ship_by(r: Reader, data) -> m.ShipBy | None:
    path = ("shipping", "ship_by")
    if (table := r.table(data, path, "[shipping.ship_by]")) is None:
        return None
    f = r.fields(table, path, s._spec(**s.SHIP_BY_SPEC), "[shipping.ship_by]")
    info = r.info(table, path, "[shipping.ship_by]")
    seasons = tuple(_season(r, p, d) for p, d in r.tables(table.get("seasons", []), path + ("seasons",), "seasons"))
    if f is None or info is None or None in seasons:
        return None
    return m.ShipBy(info, f.get("business_days", 1), f.get("weekend", frozenset({5, 6})),
                    f.get("holidays", ()), f.get("country", "US").upper(), seasons)


def _season(r: Reader, path, data):
    f = r.fields(data, path, s._spec(**s.SEASON_SPEC), "[[shipping.ship_by.seasons]]")
    info = r.info(data, path, "[[shipping.ship_by.seasons]]")
    return None if f is None or info is None else m.Season(info, f["from"], f["to"], f["business_days"])
