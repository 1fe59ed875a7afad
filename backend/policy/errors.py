"""Problems found in a policy file, and the two exceptions the package raises."""
from __future__ import annotations

import difflib
from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One finding about a policy file: an `error` makes the policy unusable, a `warning` does not."""

    file: str
    line: int
    col: int
    message: str
    severity: str = "error"

    def __str__(self) -> str:
        prefix = "warning: " if self.severity == "warning" else ""
        return f"{self.file}:{self.line}:{self.col}: {prefix}{self.message}"


class PolicyError(Exception):
    """A policy failed to load or validate; `problems` says where and why."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems) or "invalid policy")


class RequestError(Exception):
    """A decision request is malformed; `errors` is a list of {"field", "message"}."""

    def __init__(self, errors: list[dict]):
        self.errors = list(errors)
        first = self.errors[0] if self.errors else {"field": "", "message": "invalid request"}
        super().__init__(f"{first['field']}: {first['message']}" if first["field"] else first["message"])


class ItemErrors(ValueError):
    """Bad items of a list value: `items` is [(index, message)], so each is reported at its own position."""

    def __init__(self, items: list[tuple[int, str]]):
        self.items = list(items)
        super().__init__("; ".join(message for _, message in self.items))


def did_you_mean(word, choices, quote: bool = True) -> str:
    """'; did you mean X?' when `word` is close to one of `choices` (difflib's ratio, or one slip away:
    two neighbouring letters swapped, which short words like 'per' -> 'epr' need), else ''."""
    if not isinstance(word, str):
        return ""
    by_lower = {str(c).lower(): str(c) for c in choices}
    close = difflib.get_close_matches(word.lower(), list(by_lower), n=1, cutoff=0.75) \
        or [c for c in by_lower if _swapped(word.lower(), c)][:1]
    if not close:
        return ""
    found = by_lower[close[0]]
    return f"; did you mean {repr(found) if quote else found}?"


def _swapped(a: str, b: str) -> bool:
    """`a` is `b` with two neighbouring letters swapped."""
    if len(a) != len(b) or a == b:
        return False
    diff = [i for i in range(len(a)) if a[i] != b[i]]
    return len(diff) == 2 and diff[1] == diff[0] + 1 and a[diff[0]] == b[diff[1]] and a[diff[1]] == b[diff[0]]
