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


def _fill(template: str, args: dict, lang: str | None) -> str:
    return template.format(**{k: say(v, lang) for k, v in args.items()})


_ONE = re.compile(r"(?<![\d.,-])1 (star|point|error|assessment|level)s\b")


def singular(english: str) -> str:
    """English counts in the singular where the number is 1 ("1 star", "1 point"), as templates written
    "{n} stars" read for every n."""
    return _ONE.sub(r"1 \1", english)


class Text(str):
    """A message in Indonesian and English. As a str it is the English text (what logs, older callers and
    substring checks see); `say(lang)` gives either language. Arguments that are Text themselves are said
    in the same language. Templates with arguments write literal braces as {{ }}."""

    def __new__(cls, id_text: str, en_text: str | None = None, /, **args):
        en_text = id_text if en_text is None else en_text
        self = super().__new__(cls, singular(_fill(en_text, args, "en")))
        self.templates, self.args = (id_text, en_text), args
        return self

    def say(self, lang: str | None = None) -> str:
        return _fill(self.templates[0], self.args, "id") if lang == "id" else str.__str__(self)

    def __add__(self, other):
        return Text("{a}{b}", "{a}{b}", a=self, b=other)

    def __radd__(self, other):
        return Text("{a}{b}", "{a}{b}", a=other, b=self)

    def __reduce__(self):
        return _text, (self.templates, self.args)


def _text(templates: tuple[str, str], args: dict) -> Text:
    return Text(*templates, **args)


def say(value, lang: str | None = None) -> str:
    """`value` in `lang` ("id", "en"; None: as stored) when it is a Text, else as it is."""
    return value.say(lang) if isinstance(value, Text) else str(value)


LABELS = {"id": ("diizinkan", "perbaikan"), "en": ("allowed", "fix")}


@dataclass(frozen=True, order=True)
class Diagnostic:
    file: str
    line: int | None = None
    col: int | None = None
    path: str = ""
    message: str = ""
    allowed: str | None = None
    context: str | None = field(default=None, compare=False)
    fix: str | None = field(default=None, compare=False)  # a ready change: what to write, where
    origin: tuple | None = field(default=None, compare=False, repr=False)  # the item a check found it in

    def where(self, lang: str | None = None) -> str:
        parts = [say(self.file, lang)]
        if self.line is not None:
            parts.append(str(self.line))
            if self.col is not None:
                parts.append(str(self.col))
        return ":".join(parts)

    def render(self, lang: str | None = None) -> str:
        """file:line:col: path: message, then what is allowed, the line, a ready fix; in `lang` (id, en).
        A diagnostic none of whose words has its own Indonesian is said whole in English."""
        said = lang == "id" and any(isinstance(x, Text) and x.say("id") != str(x)
                                    for x in (self.message, self.allowed, self.fix))
        allowed_word, fix_word = LABELS["id" if said else "en"]
        head = f"{printable(self.where(lang), False)}: "
        if self.path:
            head += f"{printable(say(self.path, lang), False)}: "
        text = head + printable(say(self.message, lang))
        if self.allowed:
            text += f"\n    {allowed_word}: {printable(say(self.allowed, lang))}"
        if self.context is not None:
            text += f"\n    | {printable(excerpt(self.context, self.col), False)}"
        if self.fix:
            lead, _, block = say(self.fix, lang).partition("\n")
            text += f"\n    {fix_word}: {printable(lead)}"
            text += "".join(f"\n      {printable(line, False)}" for line in block.splitlines())
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

    def render(self, lang: str | None = None) -> str:
        return "\n".join(d.render(lang) for d in self.diagnostics)


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
                                    f"the rest of the file was not read",
                      allowed=Text("perbaiki kesalahan ini dulu", "fix these first"))


def did_you_mean(word: str, choices: list[str] | set[str]) -> str:
    """' (did you mean "x"?)' when a close match exists, else ''."""
    match = difflib.get_close_matches(str(word), sorted(choices), n=1, cutoff=0.6)
    return Text(' (maksud Anda "{m}"?)', ' (did you mean "{m}"?)', m=match[0]) if match else ""


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
