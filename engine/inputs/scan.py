"""What publish's first pass keeps of a population (`Scan`: per record its key, file, offset, line and item;
the problems) and its second pass (`Records`: the records read again by offset in (edition, id) order,
chunk by chunk). engine.inputs.lines makes the scan."""
from __future__ import annotations

import gc
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

import orjson

from ..errors import Diagnostic, OvopError, source_line
from ..rules import limits
from .assessment import item_label
from .population import parse_line, parse_lines, slow
from .typed import read_typed
from .read import _read_json

CHUNK = 5000  # records read again at a time
# a number below 1e-4 written without an exponent starts so (parse_lines reads no exponent and no 17 digits: no
# number of 1e16 or more): a line without it holds only numbers whose repr has no exponent
_TINY = b"0.0000"


class Record(dict):
    """A record the fast check accepted, as parsed, with the file it was read from; `plain`: every number of its
    line one whose float repr writes without an exponent (engine.publish.rows.canonical_dict then need not look)."""
    __slots__ = ("file", "plain")


@contextmanager
def collector_paused():
    """The cyclic garbage collector off meanwhile (restored after): parsed records hold no cycles, and its
    passes over hundreds of thousands of new dicts would cost more than making them."""
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


@dataclass
class Scan:
    """What the first pass keeps: per keyed record, compactly; the problems; the records of other files."""
    population: Any  # the engine.inputs.lines.Population that scanned
    files: list[tuple[Path, str]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # edition NUL id, reading order
    file_of: array = field(default_factory=lambda: array("i"))  # index into files
    offset: array = field(default_factory=lambda: array("q"))  # byte offset of the line (-1: held)
    line: array = field(default_factory=lambda: array("q"))
    item: array = field(default_factory=lambda: array("q"))
    slow: bytearray = field(default_factory=bytearray)  # 1: read by the normal path
    # 1: the line was read at once by the first pass (no BOM, exponent, long number or key written twice): the
    # second pass parses it with orjson without looking at its bytes again (`parse_lines` does, for the others)
    exact: bytearray = field(default_factory=bytearray)
    held: dict[int, Any] = field(default_factory=dict)  # key index -> Assessment of a non-JSON Lines file
    where: dict[int, Diagnostic] = field(default_factory=dict)  # key index -> its id's place (held ones)
    errors: list[Diagnostic] = field(default_factory=list)
    ordered: list[int] | None = None  # key indices in (edition, id) order, once worked out

    def __len__(self) -> int:
        return len(self.keys)

    def order(self) -> list[int]:
        """Key indices in (edition, id) order, ties in reading order (publish sorted a list stably)."""
        keys = self.keys
        return sorted(range(len(keys)), key=keys.__getitem__)

    def duplicates(self, order: list[int]) -> list[Diagnostic]:
        """A diagnostic for every repeated (edition, id), in reading order of the repeat, naming the first."""
        keys, found = self.keys, []
        first = None
        for k, i in enumerate(order):
            if k and keys[i] == keys[order[k - 1]]:
                found.append((i, first))
            else:
                first = i
        out = []
        for i, j in sorted(found):
            edition, ident = keys[i].split("\0", 1)
            where, seen = self._where(i), self._where(j)
            out.append(replace(where, message=f'duplicate id "{ident}" in edition {edition} (first at {seen.where()})',
                               allowed="each id once per edition", context=source_line(where.file, where.line)))
        return out

    def _where(self, i: int) -> Diagnostic:
        if i in self.where:
            return self.where[i]
        path, file = self.files[self.file_of[i]]
        text = _line_at(path, self.offset[i])
        located = _read_json(text, file).located
        _, col = located.position(("id",))
        return Diagnostic(file, self.line[i], col, f"{item_label(located.data, f'item {self.item[i]}')}: id")

    def release(self) -> None:
        """Forget the keys (the ids, ~75 bytes a record) once the records are checked and ordered: reading them
        needs only the offsets (workers forked after this do not carry the keys)."""
        self.keys = []
        self.where.clear()

    def records(self, order: list[int] | None = None) -> "Records":
        """Every record in (edition, id) order, chunk by chunk (see the module's doc)."""
        return Records(self, order if order is not None else self.ordered if self.ordered is not None
                       else self.order())

    def at(self, order: list[int], positions: list[int]) -> list:
        """The records at `positions` of `order` (read by offset)."""
        handles: dict[int, Any] = {}
        try:
            with collector_paused():
                return self._block([order[p] for p in positions], handles)
        finally:
            for fh in handles.values():
                fh.close()

    def _records(self, order: list[int]) -> Iterator[Any]:
        handles: dict[int, Any] = {}
        try:
            for start in range(0, len(order), CHUNK):
                with collector_paused():
                    block = self._block(order[start:start + CHUNK], handles)
                yield from block
        finally:
            for fh in handles.values():
                fh.close()

    def typed(self, order: list[int], positions: list[int]) -> tuple | None:
        """The records at `positions` of `order` as one part of typed records (engine.inputs.typed: a
        TypedShared, its `records` the Structs) and the file they come from; None unless every one is a line the
        first pass read at once (`exact`), all of one file and one edition, and every number plain (as
        `Record.plain`): `at` then reads them as dicts."""
        indices = [order[p] for p in positions]
        if not indices or not all(map(self.exact.__getitem__, indices)) or \
                len({self.file_of[i] for i in indices}) != 1:
            return None
        path, file = self.files[self.file_of[indices[0]]]
        with limits.open_regular(path, file) as fh:
            lines = []
            for i in indices:
                fh.seek(self.offset[i])
                lines.append(fh.readline())
        if any(_TINY in line for line in lines):
            return None
        p = self.population
        with collector_paused():
            shared = read_typed(lines, p.lists, p.scales, parse_line)
        if shared is None or len(set(shared.declared)) != 1:
            return None
        return shared, file

    def _block(self, indices: list[int], handles: dict) -> list:
        out: list = []
        fast: list[tuple[int, bytes, str]] = []  # (place in out, line, file) of the records parsed at once, after
        at_once = True  # every one of them read at once by the first pass
        p = self.population
        for i in indices:
            if i in self.held:
                out.append(self.held[i])
                continue
            f = self.file_of[i]
            fh = handles.get(f)
            if fh is None:
                fh = handles[f] = limits.open_regular(*self.files[f])
            fh.seek(self.offset[i])
            blob = fh.readline()
            file = self.files[f][1]
            if self.slow[i]:
                assessment, errors = slow(_text(blob), file, self.line[i], self.item[i], p.catalogue,
                                          None, None)
                if errors or assessment is None:  # pragma: no cover - the file changed between the passes
                    raise OvopError(errors or [Diagnostic(file, self.line[i], message="the file changed while read")])
                out.append(assessment)
            else:
                fast.append((len(out), blob, file))
                at_once = at_once and self.exact[i]
                out.append(None)
        blobs = [blob for _, blob, _ in fast]
        raws = (_loads(blobs) if at_once else parse_lines(blobs)) if fast else []
        plain = raws is not None and not any(_TINY in blob for blob in blobs)
        for k, (at, blob, file) in enumerate(fast):  # a chunk's lines parsed at once, as `parse_line` reads each
            record = out[at] = Record(raws[k] if raws is not None else parse_line(blob))
            record.file, record.plain = file, plain
        return out


def _loads(blobs: list[bytes]) -> list | None:
    """Lines the first pass read at once, parsed by orjson alone; None if one is not an object any more (the file
    changed: each line is then read by `parse_line`)."""
    try:
        raws = list(map(orjson.loads, blobs))
    except orjson.JSONDecodeError:
        return None
    return raws if all(type(r) is dict for r in raws) else None


class Records:
    """The second pass: iterated, the records in order chunk by chunk; `at(positions)`, a few of them (publish's
    sample for its packing dictionaries)."""

    def __init__(self, scan: Scan, order: list[int]):
        self.scan, self.order = scan, order

    def __len__(self) -> int:
        return len(self.order)

    def __iter__(self) -> Iterator[Any]:
        return self.scan._records(self.order)

    def at(self, positions: list[int]) -> list:
        return self.scan.at(self.order, positions)

    def typed(self, positions: list[int]) -> tuple | None:
        return self.scan.typed(self.order, positions)


def _text(blob: bytes) -> str:
    """A line's text without its line ending (as the normal path splits the file)."""
    text = blob.decode("utf-8")
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith(("\n", "\r")) else text


def _line_at(path: Path, offset: int) -> str:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return _text(fh.readline())
