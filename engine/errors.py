"""Diagnostics: every error names where it is (file:line:col, path inside the file) and what is allowed."""
from __future__ import annotations

import difflib
import os
import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

MAX_ERRORS = 50  # diagnostics kept by one error; the rest are counted ("and N more")
EXCERPT = 200  # characters of a line quoted in a diagnostic
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_CONTROL_ALL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str, newlines: bool = True) -> str:
    """Control characters (ESC, OSC, ...) escaped as \\xNN, so that echoed input cannot drive a terminal."""
    return (_CONTROL if newlines else _CONTROL_ALL).sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def excerpt(line: str, col: int | None = None, width: int = EXCERPT) -> str:
    """At most `width` characters of `line`, around `col` (1-based) when given, "…" where cut."""
    if len(line) <= width:
        return line
    start = 0 if not col else max(0, min(col - 1 - width // 2, len(line) - width))
    out = line[start:start + width]
    return ("…" if start else "") + out + ("…" if start + width < len(line) else "")


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int | None = None
    col: int | None = None
    path: str = ""
    message: str = ""
    allowed: str | None = None
    context: str | None = field(default=None, compare=False)

    def where(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def render(self) -> str:
        head = f"{printable(self.where(), False)}: "
        if self.path:
            head += f"{printable(self.path, False)}: "
        text = head + printable(self.message)
        if self.allowed:
            text += f"\n    allowed: {printable(self.allowed)}"
        if self.context is not None:
            text += f"\n    | {printable(excerpt(self.context, self.col), False)}"
        return text


class OvopError(Exception):
    """A user-facing error: one or more diagnostics, never a traceback."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(file="ovop", message=diagnostics)]
        elif isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = capped(list(diagnostics))
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


def capped(diagnostics: list[Diagnostic], limit: int = MAX_ERRORS) -> list[Diagnostic]:
    """The first `limit` diagnostics, and one saying how many more there were."""
    if len(diagnostics) <= limit or (len(diagnostics) == limit + 1 and diagnostics[-1].message.startswith(STOPPED)):
        return diagnostics
    more = len(diagnostics) - limit
    last = diagnostics[limit - 1]
    return diagnostics[:limit] + [Diagnostic(last.file, message=f"dan {more:,} kesalahan lagi / and {more:,} more "
                                             f"errors (only the first {limit} are shown)")]


STOPPED = "berhenti setelah"


def stopped(file: str, limit: int = MAX_ERRORS) -> Diagnostic:
    """The last diagnostic of a run that stopped reading after `limit` errors."""
    return Diagnostic(file, message=f"{STOPPED} {limit} kesalahan / stopped after {limit} errors; "
                                    f"the rest of the file was not read", allowed="fix these first")


def did_you_mean(word: str, choices: list[str] | set[str]) -> str:
    """' (did you mean "x"?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""


def source_line(path: str | Path, line: int | None) -> str | None:
    """The text of a 1-based line of a file, for error context."""
    if line is None:
        return None
    try:
        st = os.stat(path)
    except (OSError, ValueError):
        return None
    if not st.st_mode & 0o170000 == 0o100000:  # regular files only
        return None
    if st.st_size > (16 << 20):  # a large file: read up to the line, a bounded length of each
        return _line_of_large(str(path), line)
    lines = _lines(str(path), st.st_size, st.st_mtime_ns)
    return lines[line - 1].rstrip() if 0 < line <= len(lines) else None


def _line_of_large(path: str, line: int) -> str | None:
    try:
        with open(path, "rb") as fh:
            for number in range(1, line + 1):
                blob = fh.readline(1 << 16)
                while blob and not blob.endswith(b"\n") and number < line:
                    blob = fh.readline(1 << 16)  # the rest of a long line before the one wanted
                if not blob:
                    return None
        return blob.decode("utf-8", errors="replace").rstrip()
    except OSError:
        return None


@lru_cache(maxsize=4)
def _lines(path: str, size: int, mtime: int) -> list[str]:
    try:
        return Path(path).read_text(encoding="utf-8").removeprefix("\ufeff").splitlines()
    except (OSError, UnicodeDecodeError):
        return []
