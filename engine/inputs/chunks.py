"""JSON Lines files cut into chunks of lines by their byte ranges: the parent finds the newlines (numpy, a block
at a time) and sends each worker a range, which it reads itself (`blobs`: its lines as `readline` gives them).
Used by every population path (impact, publish's first pass): the parent sends no lines."""
from __future__ import annotations

import io
import os
from pathlib import Path
from typing import Iterator

import numpy as np

from ..rules import limits

BLOCK = 1 << 23  # bytes the parent reads at a time to cut the file into chunks
FIRST = 1 << 20  # bytes read first, then twice as many each time up to BLOCK
_WHITE = np.zeros(256, dtype=bool)  # what bytes.strip strips
_WHITE[list(b" \t\n\r\x0b\x0c")] = True


def jobs(path: Path, file: str, count: int, tail: int = 0) -> Iterator[tuple]:
    """(file, path, start, end, first line, first item, lines) of each `count` lines: the byte range a worker
    reads itself (the parent sends no lines). Cut on blocks of the file (numpy finds the newlines): each line at most
    `limits.max_line_bytes()` (the error `limits.bounded_lines` words, where the reading stops), items the
    lines not blank (as `bytes.strip` sees them). `tail` (the workers): the first `tail` chunks, and those that start
    within the last `tail` chunks' worth of bytes (by the bytes a line so far), are a quarter of `count`, so that
    the workers start sooner and finish together (one chunk of `count` left to the last worker would leave the
    others idle)."""
    with limits.open_regular(path, file) as f:
        size = os.fstat(f.fileno()).st_size if tail else 0
        yield from _cut(f, limits.max_line_bytes(), file, str(path), count,
                        lambda start, line: _want(count, tail, size, start, line))


def _want(count: int, tail: int, size: int, start: int, line: int) -> int:
    """The lines of the chunk that starts at byte `start`, line `line` (see `jobs`)."""
    quarter = max(1, count // 4)
    if tail and (line <= tail * quarter or (size - start) * (line - 1) <= tail * count * start):
        return quarter
    return count


def _cut(f, limit: int, file: str, name: str, count: int, sizes=None) -> Iterator[tuple]:
    buf = bytearray(BLOCK + limit + 1)  # the line read in part (at most `limit` bytes), then a block
    view, have, base, eof = memoryview(buf), 0, 0, False  # have: the bytes of that line, base: its offset
    start = n = blank = 0  # the chunk's offset, its lines and blank lines so far
    line = item = 1
    want = sizes(0, 1) if sizes else count  # the lines of the chunk being cut (`sizes`: from a byte and line on)
    step = min(FIRST, BLOCK)  # the bytes read at a time: the first chunks are sent before a whole block is read
    while not eof:
        got = f.readinto(view[have:have + step])
        step = min(2 * step, BLOCK)
        eof, data = not got, view[:have + got]
        ends, long = _lines(data, limit, eof)
        blanks = _blank(data, ends)
        total = len(ends) if long is None else long  # the lines given to chunks
        k = b = 0
        while total - k >= want - n:
            k += want - n
            nb = int(np.searchsorted(blanks, k))
            end = base + int(ends[k - 1])
            yield file, name, start, end, line, item, want
            start, line, item, n, blank, b = end, line + want, item + want - blank - (nb - b), 0, 0, nb
            want = sizes(start, line) if sizes else count
        n, blank = n + total - k, blank + int(np.searchsorted(blanks, total)) - b
        if long is not None:  # raises the LimitError of that line
            at = int(ends[long - 1]) if long else 0
            next(limits.bounded_lines(io.BytesIO(bytes(data[at:at + limit + 1])), file, limit, line + n))
        last = int(ends[-1]) if len(ends) else 0
        have = len(data) - last
        buf[:have] = buf[last:len(data)]
        base += last
    if n:
        yield file, name, start, base, line, item, n


def _lines(data: memoryview, limit: int, eof: bool) -> tuple[np.ndarray, int | None]:
    """The ends (past the newline) of the lines complete in `data` (at the end of the file, the last line too),
    and the index of the first line longer than `limit` without its newline (the line in progress counts:
    None when there is none)."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10) + 1
    last = int(ends[-1]) if len(ends) else 0
    long = np.flatnonzero(np.diff(ends, prepend=0) - 1 > limit)
    if long.size:
        return ends, int(long[0])
    if len(data) - last > limit:
        return ends, len(ends)
    if eof and len(data) > last:
        ends = np.append(ends, len(data))
    return ends, None


def _blank(data: memoryview, ends: np.ndarray) -> np.ndarray:
    """The indices of the blank lines among those ending at `ends` (only blanks, as `bytes.strip` sees them)."""
    if not len(ends):
        return np.zeros(0, dtype=np.int64)
    starts = np.concatenate(([0], ends[:-1]))
    maybe = np.flatnonzero(_WHITE[np.frombuffer(data, dtype=np.uint8)[starts]])
    return np.asarray([i for i in maybe.tolist() if not bytes(data[starts[i]:ends[i]]).strip()], dtype=np.int64)


def blobs(data: bytes) -> list[bytes]:
    """The lines of a chunk as `readline` gives them (each with its newline, the last maybe without)."""
    blobs = data.split(b"\n")
    last = blobs.pop()
    blobs = [b + b"\n" for b in blobs]
    return blobs + [last] if last else blobs
