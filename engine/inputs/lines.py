"""JSON Lines populations for `ovop publish`: read twice, checked fast, never held in memory.

`Population(ruleset).scan(paths)` is the first pass: every file is read line by line (each line
bounded, engine.rules.limits), each chunk of lines parsed with `population.parse_line` and checked by
the `FastCheck` of each record's own edition (compiled once per edition); a record the fast check does
not accept goes through the normal path alone (`population.slow`), which either accepts it or words
its problems exactly as `load_assessments` does (file:line:col, id, field, allowed). Key positions are
worked out only for those lines. What the pass keeps per record is small: its key (edition and id),
file, byte offset, line and item number. Files that are not JSON Lines (YAML, JSON, sheets) are read by
the normal path and held, as before.

Problems are reported as `load_assessments` reports them: a file with a syntax error only by its syntax
errors, the others by their records' problems in line order, then duplicate ids across every file; a
file stops being read after MAX_ERRORS problems (bounded: a wrong population fails fast).

`Scan.records()` is the second pass: the records in (edition, id) order (a stable sort of the keys, as
publish sorted the loaded list), read again by offset chunk by chunk: dicts (`Record`, which carry their
file) for the records the fast check accepted, Assessment objects for the others. The garbage
collector is paused while a pass runs (the records hold no cycles).
"""
from __future__ import annotations

import gc
from array import array
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterator

from ..errors import MAX_ERRORS, Diagnostic, OvopError, source_line, stopped
from ..rules import RuleSet, limits, load_commodity_map, yamlsrc
from .assessment import Catalogue, check_file, item_label
from .population import FastCheck, Shared, parse_line, slow
from .read import _read_json, read
from .source import Source

CHUNK = 5000
SUFFIX = ".jsonl"


class Record(dict):
    """A record the fast check accepted, as parsed, with the file it was read from."""
    __slots__ = ("file",)


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
    population: "Population"
    files: list[tuple[Path, str]] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # edition NUL id, reading order
    file_of: array = field(default_factory=lambda: array("i"))  # index into files
    offset: array = field(default_factory=lambda: array("q"))  # byte offset of the line (-1: held)
    line: array = field(default_factory=lambda: array("q"))
    item: array = field(default_factory=lambda: array("q"))
    slow: bytearray = field(default_factory=bytearray)  # 1: read by the normal path
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

    def _block(self, indices: list[int], handles: dict) -> list:
        out = []
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
                record = Record(parse_line(blob))
                record.file = file
                out.append(record)
        return out


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


def _text(blob: bytes) -> str:
    """A line's text without its line ending (as the normal path splits the file)."""
    text = blob.decode("utf-8")
    return text[:-2] if text.endswith("\r\n") else text[:-1] if text.endswith(("\n", "\r")) else text


def _line_at(path: Path, offset: int) -> str:
    with open(path, "rb") as fh:
        fh.seek(offset)
        return _text(fh.readline())


class Population:
    """The fast checks of every edition of a rule set, built once; `scan` reads files with them."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self.catalogue = Catalogue.of(ruleset)
        self.editions = self.catalogue.editions
        cmap = load_commodity_map(ruleset.directory, self.editions)
        self.checks = {e: FastCheck(self.catalogue, m, cmap) for e, m in self.editions.items()}
        any_check = next(iter(self.checks.values()))
        self.lists, self.scales = any_check.lists, any_check.editions

    def scan(self, paths: list[Path], workers: int = 0) -> Scan:
        """First pass over every file (see the module's doc); raises nothing, the problems are in `errors`.
        `workers`: processes that parse and check a large file's chunks (the keeping stays here, in order)."""
        scan = Scan(self)
        for path in paths:
            file = str(path)
            if Path(path).suffix.lower() == SUFFIX:
                with collector_paused():
                    self._scan_lines(scan, Path(path), file, workers)
            else:
                self._scan_other(scan, Path(path), file)
        return scan

    def _scan_other(self, scan: Scan, path: Path, file: str) -> None:
        """A YAML, JSON or sheet file: the normal path, its assessments held (small files)."""
        try:
            source = read(path, file)
        except OvopError as exc:
            scan.errors += exc.diagnostics
            return
        keys: list = []
        items, errs = check_file(source, self.catalogue, None, None, keys)
        errs = sorted(errs, key=lambda d: (d.line or 0, d.col or 0))
        relocate = getattr(source, "relocate", None)  # spreadsheets: sheet, row and column
        scan.errors += [relocate(d) for d in errs] if relocate else errs
        by_key = {(a.edition, a.id): a for a in items}
        for edition, ident, where in keys:
            i = len(scan.keys)
            _keep(scan, edition + "\0" + ident, len(scan.files), -1, where.line or 0, 0, 0)
            scan.where[i] = where
            if (edition, ident) in by_key:
                scan.held[i] = by_key.pop((edition, ident))
        scan.files.append((path, file))

    def _scan_lines(self, scan: Scan, path: Path, file: str, workers: int = 0) -> None:
        f = len(scan.files)
        scan.files.append((path, file))
        start = len(scan.keys)
        syntax: list[Diagnostic] = []
        values: list[Diagnostic] = []
        state = {"item": 0}
        with limits.open_regular(path, file) as fh:
            blocks = limits.line_chunks(fh, file, CHUNK)
            parallel = workers > 0 and path.stat().st_size >= PARALLEL_BYTES
            for block, found in (_in_workers(self, blocks, workers) if parallel else
                                 ((b, self.fast(b)) for b in blocks)):
                self._keep_chunk(scan, f, file, block, found, syntax, values, state)
                if len(syntax) >= MAX_ERRORS or len(values) >= MAX_ERRORS:
                    break
        if syntax:  # as the normal path: a file that is not JSON Lines throughout is reported by that alone
            _drop(scan, start)
            scan.errors += syntax[:MAX_ERRORS] + ([stopped(file)] if len(syntax) >= MAX_ERRORS else [])
            return
        if state["item"] == 0:
            empty = Source(yamlsrc.Located(file, [], {}), {})
            scan.errors += check_file(empty, self.catalogue, None, None, [])[1]
            return
        values.sort(key=lambda d: d.line or 0)  # numbers past a limit are found before the chunk's other checks
        scan.errors += values[:MAX_ERRORS] + ([stopped(file)] if len(values) >= MAX_ERRORS else [])

    def fast(self, block: list) -> list[tuple]:
        """Each line of a chunk parsed and checked fast under its own edition: (NOT_UTF8, reason), (UNPARSED,),
        or (ACCEPTED or NOT_ACCEPTED, id, declared edition): what the first pass keeps of it (no record comes
        back: in workers, this is all that is sent back)."""
        found: list = [None] * len(block)
        parsed = []  # (position, raw); parse_lines over the chunk measured slower (19.5 against 18.7 µs a record)
        for k, (_, _, blob) in enumerate(block):
            try:
                parsed.append((k, parse_line(blob)))
            except UnicodeDecodeError as exc:
                found[k] = (NOT_UTF8, exc.reason)
            except (ValueError, RecursionError):
                found[k] = (UNPARSED,)
        groups: dict[str, list[int]] = {}
        for j, (_, raw) in enumerate(parsed):
            declared = raw.get("edition") if type(raw) is dict else None
            groups.setdefault(declared if type(declared) is str and declared in self.checks else "", []).append(j)
        accepted = [False] * len(parsed)
        for edition, js in groups.items():
            if edition:
                raws = [parsed[j][1] for j in js]
                for j, ok in zip(js, self.checks[edition].accept(raws, Shared(raws, self.lists, self.scales))):
                    accepted[j] = ok is not None
        for j, (k, raw) in enumerate(parsed):
            ident = raw.get("id") if type(raw) is dict else None
            declared = raw.get("edition") if type(raw) is dict else None
            found[k] = (ACCEPTED if accepted[j] else NOT_ACCEPTED, ident, declared)
        return found

    def _keep_chunk(self, scan: Scan, f: int, file: str, block: list, found: list, syntax: list, values: list,
                    state: dict) -> None:
        """What the first pass keeps of a chunk, in line order: keys, items, and the problems of every line the
        fast check did not accept (read by the normal path, here)."""
        for (offset, number, blob), result in zip(block, found):
            kind = result[0]
            if kind == NOT_UTF8:
                syntax.append(Diagnostic(file, number, None, "", f"bukan teks UTF-8 / not UTF-8 text ({result[1]})",
                                         "UTF-8 text"))
                continue
            if kind == UNPARSED:
                text = _text(blob)
                if not text.strip():
                    continue
                errors = slow(text, file, number, state["item"] + 1, self.catalogue, None, None)[1]
                numbers = [d for d in errors if limits.refused_number(d)]  # read as JSON, past a number limit
                syntax += [d for d in errors if not limits.refused_number(d)]
                values += numbers
                if numbers:
                    state["item"] += 1
                continue
            state["item"] += 1
            is_slow = kind == NOT_ACCEPTED
            if is_slow:
                values += slow(_text(blob), file, number, state["item"], self.catalogue, None, None)[1]
            ident, declared = result[1], result[2]
            if isinstance(ident, str) and isinstance(declared, str) and declared in self.editions:
                _keep(scan, declared + "\0" + ident, f, offset, number, state["item"], int(is_slow))


NOT_UTF8, UNPARSED, NOT_ACCEPTED, ACCEPTED = range(4)
PARALLEL_BYTES = 16_000_000  # a file this large is checked in worker processes (when asked for)
_POPULATION: dict = {}


def _in_workers(population: Population, blocks: Iterator[list], workers: int) -> Iterator[tuple[list, list]]:
    """(block, population.fast(block)) in order, worked out in forked workers (memory flat)."""
    from ..workers import in_order
    _POPULATION["it"] = population
    return in_order(_fast, ((block, (block,)) for block in blocks), workers)


def _fast(block: list) -> list[tuple]:
    with collector_paused():
        return _POPULATION["it"].fast(block)


def _keep(scan: Scan, key: str, f: int, offset: int, line: int, item: int, is_slow: int) -> None:
    scan.keys.append(key)
    scan.file_of.append(f)
    scan.offset.append(offset)
    scan.line.append(line)
    scan.item.append(item)
    scan.slow.append(is_slow)


def _drop(scan: Scan, start: int) -> None:
    """Forget the keys of a file from key index `start` on (its syntax errors are all it reports)."""
    del scan.keys[start:], scan.file_of[start:], scan.offset[start:], scan.line[start:], scan.item[start:]
    del scan.slow[start:]


def read_population(paths: list[Path], ruleset: RuleSet, workers: int = 0) -> Scan:
    """Check every file (first pass); OvopError with every problem, or the scan whose `records()` stream them."""
    scan = Population(ruleset).scan(paths, workers)
    order = scan.order()
    errors = scan.errors + scan.duplicates(order)
    if errors:
        raise OvopError(errors)
    scan.ordered = array("q", order)  # 8 bytes a record, no int objects (workers forked later share it untouched)
    return scan
