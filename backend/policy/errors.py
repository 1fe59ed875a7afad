"""Problems found in a policy file, and the two exceptions the package raises."""
from __future__ import annotations

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
