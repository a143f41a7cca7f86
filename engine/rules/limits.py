"""Bounds on everything read: file size, nesting depth, expanded nodes, digits of a number, errors kept.

Every reader of a file or a request body goes through here, so that a hostile or careless input fails
in about a second with a clear message, never by exhausting memory or time:

  * `read_text(path, file)`: only a regular file (a FIFO, a device, a folder is refused before it is
    read), at most `max_bytes()` (env OVOP_MAX_INPUT_BYTES, default 64 MiB), UTF-8, a BOM dropped;
  * `open_regular(path, file)`: the same check, for readers that stream a file line by line;
  * `bounded_lines(fh, file)`: lines of at most `max_line_bytes()` (env OVOP_MAX_LINE_BYTES, 1 MiB);
  * `check_body(data, what)`: a request body of at most `max_body_bytes()` (env OVOP_MAX_BODY_BYTES,
    1 MiB), for web routes (`body_limit()` says the number);
  * `number_problem(text)`: a number written with too many digits or too large an exponent, found
    *before* any exact conversion (`Fraction("1e999999999")` would never end);
  * `MAX_DEPTH`, `MAX_NODES`: nesting and expanded nodes (YAML aliases) of one file;
  * `MAX_ERRORS`: a run keeps this many diagnostics, then says how many more (engine.errors);
  * `excerpt(line, col)`: at most `EXCERPT` characters of a line, around the column.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path
from typing import IO, Iterator

from ..errors import MAX_ERRORS, Diagnostic, OvopError, Text, excerpt
from .messages import t

MAX_DEPTH = 64
MAX_NODES = 2_000_000
MAX_DIGITS = 100  # characters of a number's digits (integer and fraction parts together)
MAX_EXPONENT = 400  # |exponent| of a number written with one
MIB = 1 << 20

__all__ = ["MAX_DEPTH", "MAX_NODES", "MAX_DIGITS", "MAX_EXPONENT", "MAX_ERRORS", "max_bytes", "max_line_bytes",
           "max_body_bytes", "body_limit", "read_text", "read_bytes", "open_regular", "bounded_lines", "check_body",
           "number_problem", "number_error", "refused_number", "NUMBER_ALLOWED", "excerpt", "too_deep", "too_many_nodes",
           "LimitError"]


class LimitError(OvopError):
    """An input past one of the bounds (a subclass, so callers may tell it from other errors)."""


def _env(name: str, default: int) -> int:
    try:
        value = int(os.environ.get(name, ""))
    except ValueError:
        return default
    return value if value > 0 else default


def max_bytes() -> int:
    return _env("OVOP_MAX_INPUT_BYTES", 64 * MIB)


def max_line_bytes() -> int:
    return _env("OVOP_MAX_LINE_BYTES", MIB)


def max_body_bytes() -> int:
    return _env("OVOP_MAX_BODY_BYTES", MIB)


def body_limit() -> int:
    """The largest request body a web route accepts, in bytes."""
    return max_body_bytes()


def _size(n: int) -> str:
    return f"{n / MIB:g} MiB ({n:,} bytes)" if n >= MIB else f"{n:,} bytes"


def open_regular(path: str | Path, file: str | None = None, mode: str = "rb") -> IO:
    """Open a regular file for reading; anything else (FIFO, device, socket, folder) is refused
    without blocking (the FIFO is opened non-blocking, then checked)."""
    file = file or str(path)
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
    except OSError as exc:
        raise OvopError(Diagnostic(file, message=f"cannot read: {exc.strerror} (tidak dapat dibaca)",
                                   allowed="a readable regular file")) from None
    try:
        mode_bits = os.fstat(fd).st_mode
        if not stat.S_ISREG(mode_bits):
            kind = ("a folder" if stat.S_ISDIR(mode_bits) else "a pipe (FIFO)" if stat.S_ISFIFO(mode_bits)
                    else "a device" if stat.S_ISCHR(mode_bits) or stat.S_ISBLK(mode_bits) else "not a regular file")
            raise LimitError(Diagnostic(file, message=f"bukan berkas biasa / not a regular file: {kind}",
                                        allowed=t("limit_regular_ok")))
        os.set_blocking(fd, True)
        return os.fdopen(fd, mode, **({} if "b" in mode else {"encoding": "utf-8", "newline": ""}))
    except BaseException:
        os.close(fd)
        raise


def read_bytes(path: str | Path, file: str | None = None, limit: int | None = None) -> bytes:
    """The bytes of a regular file of at most `limit` bytes (default `max_bytes()`)."""
    file, limit = file or str(path), limit or max_bytes()
    with open_regular(path, file) as fh:
        data = fh.read(limit + 1)
    if len(data) > limit:
        raise LimitError(Diagnostic(file, message=f"berkas terlalu besar / file too large: more than {_size(limit)}",
                                    allowed=f"at most {_size(limit)} (set OVOP_MAX_INPUT_BYTES for more; "
                                            f"populations: .jsonl, read line by line)"))
    return data


def read_text(path: str | Path, file: str | None = None, limit: int | None = None) -> str:
    """A regular file of at most `limit` bytes as UTF-8 text, a leading BOM dropped."""
    file = file or str(path)
    data = read_bytes(path, file, limit)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise OvopError(Diagnostic(file, line, None, "", f"bukan teks UTF-8 / not UTF-8 text ({exc.reason})",
                                   "UTF-8 text")) from None
    return text[1:] if text.startswith("\ufeff") else text


def bounded_lines(fh: IO[bytes], file: str, limit: int | None = None, first: int = 1) -> Iterator[bytes]:
    """The lines of a binary file, each of at most `limit` bytes (default `max_line_bytes()`)."""
    limit = limit or max_line_bytes()
    number = first
    while True:
        blob = fh.readline(limit + 1)
        if not blob:
            return
        if len(blob) > limit and not blob.endswith(b"\n"):
            raise LimitError(Diagnostic(file, number, None, "",
                                        f"baris terlalu panjang / line too long: more than {_size(limit)}",
                                        f"one assessment per line, at most {_size(limit)} (OVOP_MAX_LINE_BYTES)"))
        yield blob
        number += 1


def check_body(data: bytes | str, what: str = "request body", limit: int | None = None) -> None:
    """Refuse a request body past the limit (the words a web route answers with a 413)."""
    limit = limit or max_body_bytes()
    if len(data) > limit:
        raise LimitError(Diagnostic(what, message=f"isi permintaan terlalu besar / request body too large: "
                                                  f"{len(data):,} bytes", allowed=f"at most {_size(limit)}"))


NUMBER_ALLOWED = t("limit_number_ok", digits=MAX_DIGITS, exp=MAX_EXPONENT)
_EXPONENT = re.compile(r"[eE]([-+]?)0*([0-9]*)$")


def number_problem(text: str) -> str | None:
    """Why a number written as `text` is refused (too many digits, too large an exponent), or None.

    Looks only at the text: cheap whatever its length, and before any int() or Fraction()."""
    text = text.strip()
    exponent = ""
    m = _EXPONENT.search(text)
    if m:
        exponent, text = m.group(2), text[:m.start()]
    if len(text) > MAX_DIGITS + 2:  # a sign and a decimal point besides the digits
        return f"angka terlalu panjang / number too long: {excerpt(text, None, 24)} ({len(text):,} characters)"
    if len(exponent) > 6 or (exponent and int(exponent) > MAX_EXPONENT):
        return f"eksponen terlalu besar / exponent too large: e{excerpt(m.group(1) + exponent, None, 24)}"
    return None


def number_error(text: str, file: str, line: int | None = None, col: int | None = None, path: str = "",
                 context: str | None = None) -> LimitError:
    return LimitError(Diagnostic(file, line, col, path, number_problem(text) or "number refused", NUMBER_ALLOWED,
                                 context))


def refused_number(d: Diagnostic) -> bool:
    """Is `d` the refusal of a number past the limits (whatever its path and place)?"""
    return d.allowed == NUMBER_ALLOWED


def too_deep(file: str, line: int | None = None, col: int | None = None, path: str = "") -> LimitError:
    return LimitError(Diagnostic(file, line, col, path, f"bersarang terlalu dalam / nested too deeply: more than "
                                 f"{MAX_DEPTH} levels", t("limit_depth_ok", n=MAX_DEPTH)))


def too_many_nodes(file: str, count: int) -> LimitError:
    return LimitError(Diagnostic(file, 1, 1, "", f"terlalu banyak nilai / too many values: more than {count:,} "
                                 f"once aliases are expanded", t("limit_nodes_ok", count=_thousands(count),
                                                                    most=_thousands(MAX_NODES))))


def _thousands(n: int) -> Text:
    """n with its thousands grouped as each language writes them: 100.000 / 100,000."""
    return Text(f"{n:,}".replace(",", "."), f"{n:,}")
