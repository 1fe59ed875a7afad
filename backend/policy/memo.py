"""A bounded memo, owned by the compiled policy whose values it holds (never module-global, never keyed by id())."""
from __future__ import annotations


class Memo(dict):
    """A dict that empties itself when full: cheap, and a policy's working set refills it at once.

    Keys are values (texts, dates), never object ids, so an entry can only ever answer for what it was
    computed from."""

    __slots__ = ("limit",)

    def __init__(self, limit: int = 4096):
        super().__init__()
        self.limit = limit

    def put(self, key, value):
        """Store and return `value` (nothing is kept when the limit is 0)."""
        if len(self) >= self.limit:
            self.clear()
            if self.limit <= 0:
                return value
        self[key] = value
        return value
