"""Where each key of a TOML document is: path tuple -> (line, col), both 1-based.

`tomllib` gives values without positions, so this small scanner walks the same
text once and records the position of every key, table header and array
element. It assumes the text already parsed (syntax errors come from tomllib).
"""
from __future__ import annotations

import bisect
import re

_BARE = re.compile(r"[A-Za-z0-9_-]+")
_SCALAR_END = re.compile(r"[,\]}\n#]")


class _Scanner:
    def __init__(self, text: str):
        self.text = text
        self.i = 0
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.pos: dict[tuple, tuple[int, int]] = {}
        self.aot: dict[tuple, int] = {}

    def where(self, offset: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, offset)
        return line, offset - self.starts[line - 1] + 1

    def skip_ws(self, newlines: bool) -> None:
        text = self.text
        while self.i < len(text):
            ch = text[self.i]
            if ch == "#":
                end = text.find("\n", self.i)
                self.i = len(text) if end < 0 else end
            elif ch in " \t\r" or (newlines and ch == "\n"):
                self.i += 1
            else:
                return

    def key(self) -> list[str]:
        parts = []
        while True:
            self.skip_ws(False)
            ch = self.text[self.i]
            if ch in "\"'":
                parts.append(self.string())
            else:
                m = _BARE.match(self.text, self.i)
                parts.append(m.group(0))
                self.i = m.end()
            self.skip_ws(False)
            if self.text[self.i] != ".":
                return parts
            self.i += 1

    def string(self) -> str:
        text, start = self.text, self.i
        quote = text[start]
        if text.startswith(quote * 3, start):
            end = text.find(quote * 3, start + 3)
            while text.startswith(quote, end + 3):
                end += 1
            self.i = end + 3
            return text[start + 3:end]
        j = start + 1
        while text[j] != quote:
            j += 2 if (quote == '"' and text[j] == "\\") else 1
        self.i = j + 1
        return text[start + 1:j]

    def resolve(self, parts: list[str]) -> tuple:
        path: tuple = ()
        for part in parts:
            path += (part,)
            if path in self.aot:
                path += (self.aot[path] - 1,)
        return path

    def value(self, path: tuple) -> None:
        self.skip_ws(False)
        ch = self.text[self.i]
        if ch in "\"'":
            self.string()
        elif ch == "{":
            self.inline_table(path)
        elif ch == "[":
            self.array(path)
        else:
            m = _SCALAR_END.search(self.text, self.i)
            self.i = m.start() if m else len(self.text)

    def inline_table(self, path: tuple) -> None:
        self.i += 1
        while True:
            self.skip_ws(True)
            if self.text[self.i] == "}":
                self.i += 1
                return
            if self.text[self.i] == ",":
                self.i += 1
                continue
            self.keyval(path)

    def array(self, path: tuple) -> None:
        self.i += 1
        index = 0
        while True:
            self.skip_ws(True)
            ch = self.text[self.i]
            if ch == "]":
                self.i += 1
                return
            if ch == ",":
                self.i += 1
                continue
            self.pos.setdefault(path + (index,), self.where(self.i))
            self.value(path + (index,))
            index += 1

    def keyval(self, table: tuple) -> None:
        at = self.where(self.i)
        parts = self.key()
        path = table
        for part in parts:
            path += (part,)
            self.pos.setdefault(path, at)
        self.skip_ws(False)
        self.i += 1  # '='
        self.value(path)

    def header(self) -> tuple:
        at = self.where(self.i)
        double = self.text.startswith("[[", self.i)
        self.i += 2 if double else 1
        parts = self.key()
        self.i += 2 if double else 1
        if double:
            parent = self.resolve(parts[:-1]) + (parts[-1],)
            self.aot[parent] = self.aot.get(parent, 0) + 1
            path = parent + (self.aot[parent] - 1,)
            self.pos.setdefault(parent, at)
        else:
            path = self.resolve(parts)
        self.pos[path] = at
        return path

    def run(self) -> dict:
        table: tuple = ()
        while True:
            self.skip_ws(True)
            if self.i >= len(self.text):
                return self.pos
            if self.text[self.i] == "[":
                table = self.header()
            else:
                self.keyval(table)


def key_positions(text: str) -> dict[tuple, tuple[int, int]]:
    """Positions of every key path in a TOML text that tomllib accepted."""
    try:
        return _Scanner(text).run()
    except (IndexError, AttributeError):
        return {}


def locate(positions: dict, path: tuple) -> tuple[int, int]:
    """The position of `path`, or of its nearest recorded ancestor, or 1:1."""
    while path:
        if path in positions:
            return positions[path]
        path = path[:-1]
    return 1, 1


_TOML_AT = re.compile(r"\s*\(at line (\d+), column (\d+)\)")
_AT_END = re.compile(r"\s*\(at end of document\)")
_OPENERS = {"[": "]", "{": "}"}


def syntax_error_at(text: str, message: str) -> tuple[int, int, str]:
    """(line, col, message) for a tomllib error. tomllib says "at end of document" for a string, array or
    inline table left open, so the opener is found here and named; a newline inside a one-line string is
    reported where the string starts."""
    found = _TOML_AT.search(message)
    opener = _unclosed(text)
    if opener and (_AT_END.search(message) or message.startswith("Illegal character '\\n'")):
        offset, what = opener
        line, col = _Scanner(text).where(offset)
        return line, col, f"{what} is never closed"
    if found:
        return int(found.group(1)), int(found.group(2)), _TOML_AT.sub("", message).strip()
    line = text.count("\n") + 1  # at the end of the document, and nothing left open that we can name
    return line, len(text) - text.rfind("\n"), _AT_END.sub("", message).strip()


def _unclosed(text: str) -> tuple[int, str] | None:
    """(offset, description) of the first string left open, else of the innermost open '[' or '{'."""
    stack, i = [], 0
    while i < len(text):
        ch = text[i]
        if ch == "#":
            i = _line_end(text, i)
        elif ch in "\"'":
            end = _string_end(text, i)
            if end < 0:
                return i, "the string that starts here"
            i = end
        elif ch in _OPENERS:
            stack.append(i)
        elif ch in "]}" and stack:
            stack.pop()
        i += 1
    return (stack[-1], f"the '{text[stack[-1]]}' that starts here") if stack else None


def _line_end(text: str, i: int) -> int:
    end = text.find("\n", i)
    return len(text) if end < 0 else end


def _string_end(text: str, start: int) -> int:
    """Offset of the closing quote of the string opening at `start`, or -1 when it never closes."""
    quote = text[start]
    if text.startswith(quote * 3, start):
        end = text.find(quote * 3, start + 3)
        while end >= 0 and quote == '"' and _escaped(text, end):
            end = text.find(quote * 3, end + 1)
        return -1 if end < 0 else end + 2
    j = start + 1
    while j < len(text) and text[j] not in (quote, "\n"):
        j += 2 if (quote == '"' and text[j] == "\\") else 1
    return j if j < len(text) and text[j] == quote else -1


def _escaped(text: str, i: int) -> bool:
    backslashes = 0
    while i - backslashes - 1 >= 0 and text[i - backslashes - 1] == "\\":
        backslashes += 1
    return backslashes % 2 == 1
