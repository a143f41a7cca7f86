"""JSON Lines populations for `ovop publish`: read twice, checked fast, never held in memory.

`Population(ruleset).scan(paths)` is the first pass: every file is cut into chunks of lines by their byte
ranges (`chunks.jobs`: each line bounded, engine.rules.limits) and each range is read, split and checked
where it goes (in a worker for a large file, `_range`): a chunk read at once (`accepted`: SUB records at a
time, every one well formed and accepted by the `FastCheck` of its own edition, compiled once per edition)
gives back only its keys, offsets and line numbers; any other goes line by line (`fast`, `parse_line`), and
a record the fast check does not accept goes through the normal path alone (`population.slow`), which
either accepts it or words its problems exactly as `load_assessments` does (file:line:col, id, field,
allowed). Key positions are worked out only for those lines. What the pass keeps per record is small
(`engine.inputs.scan.Scan`): its key (edition and id), file, byte offset, line and item number. Files that
are not JSON Lines (YAML, JSON, sheets) are read by the normal path and held, as before.

Problems are reported as `load_assessments` reports them: a file with a syntax error only by its syntax
errors, the others by their records' problems in line order, then duplicate ids across every file; a
file stops being read after MAX_ERRORS problems (bounded: a wrong population fails fast).

`Scan.records()` is the second pass: the records in (edition, id) order (a stable sort of the keys, as
publish sorted the loaded list), read again by offset chunk by chunk: dicts (`Record`, which carry their
file) for the records the fast check accepted, Assessment objects for the others. The garbage
collector is paused while a pass runs (the records hold no cycles).
"""
from __future__ import annotations

from array import array
from itertools import repeat
from operator import add
from pathlib import Path

import numpy as np

from ..errors import MAX_ERRORS, Diagnostic, OvopError, stopped
from ..rules import RuleSet, limits, load_commodity_map, yamlsrc
from ..workers import in_order
from . import chunks
from .assessment import Catalogue, check_file
from .population import FastCheck, Shared, parse_line, read_chunks, slow
from .read import read
from .scan import CHUNK, Scan, _text, collector_paused
from .source import Source

SUB = 1000  # records of a chunk read and checked at a time when it is read at once (`accepted`)
SUFFIX = ".jsonl"


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
        _POPULATION["it"] = self
        parallel = workers > 0 and path.stat().st_size >= PARALLEL_BYTES
        # byte ranges: each is read, split and checked where it goes
        jobs = chunks.jobs(path, file, CHUNK, tail=workers if parallel and workers > 1 else 0)
        ranges = (kept for _, kept in in_order(_range, ((None, (job,)) for job in jobs), workers)) if parallel \
            else map(_range, jobs)
        for kept in ranges:
            if kept[0] == "keys":
                _keep_keys(scan, f, state, *kept[1:])
                continue
            self._keep_chunk(scan, f, file, kept[1], kept[2], syntax, values, state)
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

    def fast(self, blobs: list[bytes]) -> list[tuple]:
        """Each line of a chunk parsed and checked fast under its own edition: (NOT_UTF8, reason), (UNPARSED,),
        or (ACCEPTED or NOT_ACCEPTED, id, declared edition): what the first pass keeps of it (no record comes
        back: in workers, this is all that is sent back)."""
        found: list = [None] * len(blobs)
        parsed = []  # (position, raw); parse_lines over the chunk measured slower (19.5 against 18.7 µs a record)
        for k, blob in enumerate(blobs):
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

    def accepted(self, data: bytes) -> list[str] | None:
        """The keys of a chunk's lines (`data`, newlines included) when they are read at once
        (`population.read_chunks`, SUB lines at a time) and each part is of one edition and accepted by its fast
        check: what `fast` finds of them, without a record at a time; None otherwise (`fast` then reads line by
        line)."""
        out: list[str] = []
        for shared in read_chunks(data, self.lists, self.scales, SUB):
            if shared is None or len(set(shared.declared)) != 1 or shared.declared[0] not in self.checks or \
                    None in self.checks[shared.declared[0]].accept(shared.raws, shared):
                return None
            out += map(add, map(add, shared.declared, repeat("\0")), shared.ids)
        return out

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


def _range(job: tuple) -> tuple:
    """One byte range of a file (`chunks.jobs`), read, split, parsed and checked fast (in a worker, or here):
    ("keys", keys, offsets, line numbers, read at once) when every line not blank is a record the fast check
    accepts, which is all the first pass keeps of them; else ("block", its lines, what `fast` found) for `_keep_chunk`."""
    _, name, start, end, line, _, _ = job
    with open(name, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    population = _POPULATION["it"]
    with collector_paused():
        keys = population.accepted(data)
        if keys is not None:  # the common case: the chunk read at once, all of one edition, all accepted
            offsets = start + _starts(data)
            numbers = np.arange(line, line + len(offsets), dtype=np.int64)
            return "keys", keys, offsets.tobytes(), numbers.tobytes(), 1
        blobs = chunks.blobs(data)
        sizes = np.fromiter(map(len, blobs), dtype=np.int64, count=len(blobs))
        offsets = start + np.cumsum(sizes) - sizes
        kept = [k for k, blob in enumerate(blobs) if not blob.isspace()] if any(map(bytes.isspace, blobs)) \
            else range(len(blobs))
        found = population.fast([blobs[k] for k in kept])
    if all(r[0] == ACCEPTED for r in found):
        at = np.asarray(kept, dtype=np.int64)
        return "keys", [r[2] + "\0" + r[1] for r in found], offsets[at].tobytes(), (line + at).tobytes(), 0
    return "block", [(int(offsets[k]), line + k, blobs[k]) for k in kept], found


def _starts(data: bytes) -> np.ndarray:
    """Where each line of `data` starts, as `chunks.blobs` cuts it (a newline ends a line; a last line may have none)."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10) + 1
    if data and (not len(ends) or ends[-1] != len(data)):
        ends = np.append(ends, len(data))
    return np.concatenate(([0], ends[:-1])).astype(np.int64) if len(ends) else ends


def _keep_keys(scan: Scan, f: int, state: dict, keys: list[str], offsets: bytes, numbers: bytes,
               exact: int) -> None:
    """`_keep` of a chunk of accepted records at once (items numbered on from `state`); `exact`: the chunk was
    read at once (`Scan.exact`)."""
    m = len(keys)
    scan.keys += keys
    scan.file_of.extend(array("i", [f]) * m)
    scan.offset.frombytes(offsets)
    scan.line.frombytes(numbers)
    scan.item.frombytes(np.arange(state["item"] + 1, state["item"] + m + 1, dtype=np.int64).tobytes())
    scan.slow.extend(bytes(m))
    scan.exact.extend(bytes([exact]) * m)
    state["item"] += m


def _keep(scan: Scan, key: str, f: int, offset: int, line: int, item: int, is_slow: int) -> None:
    scan.keys.append(key)
    scan.file_of.append(f)
    scan.offset.append(offset)
    scan.line.append(line)
    scan.item.append(item)
    scan.slow.append(is_slow)
    scan.exact.append(0)


def _drop(scan: Scan, start: int) -> None:
    """Forget the keys of a file from key index `start` on (its syntax errors are all it reports)."""
    del scan.keys[start:], scan.file_of[start:], scan.offset[start:], scan.line[start:], scan.item[start:]
    del scan.slow[start:], scan.exact[start:]


def read_population(paths: list[Path], ruleset: RuleSet, workers: int = 0) -> Scan:
    """Check every file (first pass); OvopError with every problem, or the scan whose `records()` stream them."""
    scan = Population(ruleset).scan(paths, workers)
    order = scan.order()
    errors = scan.errors + scan.duplicates(order)
    if errors:
        raise OvopError(errors)
    scan.ordered = array("q", order)  # 8 bytes a record, no int objects (workers forked later share it untouched)
    return scan
