"""Validation of the parsed TOML: typed fields and conditions, each problem at file:line:col."""
from __future__ import annotations

import re

from backend.policy.errors import ItemErrors, Problem, did_you_mean
from backend.policy.model import CONDITIONS, Cond, Info
from backend.policy.positions import locate
from backend.policy.vocabulary import VOCABULARY, all_of, any_of_preds, check_value, compile_key, none_of

_ID = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_SCOPE_NAMES = {"class": "the line's class", "return": "a return request", "line": "a line"}
INFO_FIELDS = ("id", "title", "text")
COND_FIELDS = ("when", "when_any", "unless")


class Reader:
    """Collects problems while turning raw tables into model values."""

    def __init__(self, source_name: str, positions: dict):
        self.source_name = source_name
        self.positions = positions
        self.problems: list[Problem] = []
        self.ids: set[str] = set()
        self.conditions = CONDITIONS  # the item-condition words; [policy] conditions may add more

    def error(self, path: tuple, message: str) -> None:
        line, col = locate(self.positions, path)
        self.problems.append(Problem(self.source_name, line, col, message))

    def table(self, value, path: tuple, what: str) -> dict | None:
        if isinstance(value, dict):
            return value
        self.error(path, f"{what} must be a table")
        return None

    def tables(self, value, path: tuple, what: str) -> list[tuple[tuple, dict]]:
        if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
            self.error(path, f"{what} must be an array of tables ([[{what}]])")
            return []
        return [(path + (i,), v) for i, v in enumerate(value)]

    def fields(self, data: dict, path: tuple, spec: dict, section: str) -> dict | None:
        """Check `data` against spec {name: (required, convert)}; None when anything is wrong."""
        before = len(self.problems)
        out = {}
        for key in data:
            if key not in spec:
                self.error(path + (key,), f"unknown field '{key}' in {section}{did_you_mean(key, spec)}")
        for key, (required, convert) in spec.items():
            if key not in data:
                if required:
                    self.error(path, f"{section} is missing required field '{key}'")
                continue
            try:
                out[key] = convert(data[key]) if convert else data[key]
            except (ValueError, TypeError) as exc:  # `at`: where inside the value, when the converter knows
                self.error(path + (key,) + getattr(exc, "at", ()), f"field '{key}': {exc}")
        return out if len(self.problems) == before else None

    def info(self, data: dict, path: tuple, section: str) -> Info | None:
        rule_id = data.get("id")
        if isinstance(rule_id, str) and not _ID.match(rule_id):
            self.error(path + ("id",), f"rule id '{rule_id}' must be lower-case letters, digits, '-' or '_'")
        elif isinstance(rule_id, str) and rule_id in self.ids:
            self.error(path + ("id",), f"duplicate rule id '{rule_id}'")
        bad = [k for k in INFO_FIELDS if not isinstance(data.get(k), str) or not data.get(k).strip()]
        for key in bad:  # a missing key is already reported by fields(): one message per problem
            if key in data:
                self.error(path + (key,), f"field '{key}' of {section} must be a non-empty string")
        if bad:
            return None
        self.ids.add(rule_id)
        line, col = locate(self.positions, path)
        return Info(rule_id, data["title"].strip(), " ".join(data["text"].split()), line, col)

    def cond(self, data: dict, path: tuple, scopes: tuple, prefix: str = "") -> Cond | None:
        when = self.cond_table(data.get(prefix + "when", {}), path + (prefix + "when",), scopes)
        raw_any = data.get(prefix + "when_any", [])
        if not isinstance(raw_any, list):
            self.error(path + (prefix + "when_any",), "when_any must be an array of condition tables")
            raw_any = []
        any_of = [self.cond_table(t, path + (prefix + "when_any", i), scopes) for i, t in enumerate(raw_any)]
        unless = None
        if prefix + "unless" in data:
            unless = self.cond_table(data[prefix + "unless"], path + (prefix + "unless",), scopes)
        if when is None or None in any_of or (prefix + "unless" in data and unless is None):
            return None
        return _compile(when, tuple(any_of), unless)

    def cond_table(self, table, path: tuple, scopes: tuple) -> dict | None:
        if not isinstance(table, dict):
            self.error(path, "conditions must be a table")
            return None
        out, ok = {}, True
        for key, value in table.items():
            ok = self._cond_value(key, value, path + (key,), scopes, out) and ok
        return out if ok else None

    def _cond_value(self, key, value, path, scopes, out) -> bool:
        if key not in VOCABULARY:
            self.error(path, f"unknown condition '{key}'{did_you_mean(key, VOCABULARY)}")
            return False
        scope, kind = VOCABULARY[key]
        if scope not in scopes:
            self.error(path, f"condition '{key}' needs {_SCOPE_NAMES.get(scope, scope)}, not available here")
            return False
        try:
            out[key] = check_value(kind, value) if kind != "conditions" else _words(value, self.conditions)
        except ItemErrors as exc:  # each bad list item at its own position
            for index, message in exc.items:
                self.error(path + (index,), f"condition '{key}': {message}")
            return False
        except (ValueError, TypeError) as exc:
            self.error(path, f"condition '{key}' {exc}")
            return False
        return True


def _words(value, known: tuple) -> frozenset:
    """Item-condition values, each one of the policy's condition words."""
    if not isinstance(value, list) or not value or not all(isinstance(v, str) for v in value):
        raise ValueError("must be a list of strings (not empty)")
    bad = [v for v in value if v not in known]
    if bad:
        raise ValueError(f"unknown value '{bad[0]}' (expected one of {', '.join(known)}; "
                         f"[policy] conditions declares more)")
    return frozenset(value)


def _compile(when: dict, any_of: tuple, unless: dict | None) -> Cond:
    preds = [compile_key(k, v) for k, v in when.items()]
    if any_of:
        preds.append(any_of_preds([all_of([compile_key(k, v) for k, v in t.items()]) for t in any_of]))
    if unless:
        preds.append(none_of(all_of([compile_key(k, v) for k, v in unless.items()])))
    return Cond(when, any_of, unless, all_of(preds))
