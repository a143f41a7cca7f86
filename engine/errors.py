"""Diagnostics: every error names where it is (file:line:col, path inside the file) and what is allowed."""
from __future__ import annotations

import difflib
from dataclasses import dataclass, field
from pathlib import Path


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
        head = f"{self.where()}: "
        if self.path:
            head += f"{self.path}: "
        text = head + self.message
        if self.allowed:
            text += f"\n    allowed: {self.allowed}"
        if self.context is not None:
            text += f"\n    | {self.context}"
        return text


class OvopError(Exception):
    """A user-facing error: one or more diagnostics, never a traceback."""

    def __init__(self, diagnostics: list[Diagnostic] | Diagnostic | str):
        if isinstance(diagnostics, str):
            diagnostics = [Diagnostic(file="ovop", message=diagnostics)]
        elif isinstance(diagnostics, Diagnostic):
            diagnostics = [diagnostics]
        self.diagnostics = list(diagnostics)
        super().__init__(self.render())

    def render(self) -> str:
        return "\n".join(d.render() for d in self.diagnostics)


def did_you_mean(word: str, choices: list[str] | set[str]) -> str:
    """' (did you mean "x"?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return f' (did you mean "{match[0]}"?)' if match else ""


def source_line(path: str | Path, line: int | None) -> str | None:
    """The text of a 1-based line of a file, for error context."""
    if line is None:
        return None
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None
    return lines[line - 1].rstrip() if 0 < line <= len(lines) else None
