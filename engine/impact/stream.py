"""`ovop impact` over JSON Lines populations: chunks of lines, checked fast, evaluated by the batch path.

The parent cuts each file into chunks of CHUNK lines (their byte ranges, first line and item:
`engine.inputs.chunks.jobs`) and worker processes (each with its own BatchEvaluator and fast checks, built
before the fork) read their chunk's bytes themselves; results come back in file order, so the output does not depend on the number of
workers. At most two chunks per worker are in flight: memory stays flat whatever the size of the file. A
chunk whose lines are all records the fast check accepts under both editions is read at once and
evaluated SUB records at a time (`_fast_chunk`; the draft on the base's columns where it reads them alike, what
it works out alike taken from the base's decisions: `batch.same_columns`, `batch.alike`); any other goes line
by line (`_run_chunk`). Each worker keeps only the matrix counts, the movers and the records it could not
re-target; the parent keeps the hashes of the records' keys (for duplicates: `Seen`) and the line of every
evaluated record (for the --check sample). The first and last chunks are smaller (`chunks.jobs(tail=...)`):
the workers start sooner and finish together.

A syntax error or a duplicate id is an error of the whole run: nothing is reported but the errors.
"""
from __future__ import annotations

import json
from collections import Counter
from dataclasses import dataclass, field
from itertools import repeat
from operator import add
from pathlib import Path
from typing import Callable, Iterator

import numpy as np

from ..batch import BatchEvaluator, Columns, codes_of, collector_paused, columns_of_tables, decide, same_columns
from ..errors import MAX_ERRORS, Diagnostic, OvopError, stopped
from ..inputs import Catalogue, FastCheck, Shared, parse, parse_line, slow
from ..inputs import chunks, population
from ..rules import RuleSet, limits, load_commodity_map
from ..workers import in_order
from .assume import apply as with_assumed
from .rows import compare, states, why_not_evaluated

CHUNK = 10_000
SUB = 2_000  # records of a chunk read and evaluated at a time on the fast path (measured: 1,000 to 3,000 best)
_STATE: dict = {}


@dataclass
class Part:
    """What one chunk (or the whole run, merged) contributed."""
    counts: Counter = field(default_factory=Counter)
    moves: list[tuple] = field(default_factory=list)
    skipped: list[dict] = field(default_factory=list)
    errors: list[Diagnostic] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)  # declared edition + NUL + id, of each record (sent: their hashes)
    key_lines: list[int] = field(default_factory=list)
    evaluated: list[int] = field(default_factory=list)  # lines of the records evaluated
    lines: int = 0


class Setup:
    """Everything a worker needs, built once in the parent and shared by fork."""

    def __init__(self, ruleset: RuleSet, base: str, draft: str, assumed: dict | None = None):
        self.ruleset, self.base, self.draft = ruleset, base, draft
        self.assumed = dict(assumed or {})  # answers filled in under the draft where a record has none
        self.catalogue = Catalogue.of(ruleset)
        self.cmap = load_commodity_map(ruleset.directory, self.catalogue.editions)
        self.checks = {e: FastCheck(self.catalogue, ruleset.get(e).model, self.cmap) for e in (base, draft)}
        self.batch = BatchEvaluator(ruleset)
        for e in (base, draft):
            codes_of(self.batch.plan(e))  # built before the fork, shared by the workers

    def retarget(self, file: str, numbered: list[tuple[int, int, str]], raws: list, edition: str, part: Part,
                 shared: Shared):
        """Each record re-targeted at `edition` (None: not; the reason is listed in `part.skipped`)."""
        assumed = self.assumed if edition == self.draft else {}
        if assumed:
            raws, shared = with_assumed(raws, assumed), None
        out = self.checks[edition].chunk(raws, shared)
        target = self.ruleset.get(edition).model
        for k, (line, item, text) in enumerate(numbered):
            if out[k] is None:
                text = text.decode("utf-8") if isinstance(text, bytes) else text
                text = json.dumps(raws[k], ensure_ascii=False) if assumed and isinstance(raws[k], dict) else text
                out[k], errors = slow(text, file, line, item, self.catalogue, target, self.cmap)
                unreadable = [d for d in errors if limits.refused_number(d)]
                if unreadable:  # a number no edition reads: an error of the run, as on the YAML path
                    part.errors += unreadable if edition == self.base else []
                    continue
                for ident, why in why_not_evaluated(errors).items():
                    part.skipped.append({"file": file, "id": ident, "edition": edition, "reason": why})
        return out


def run_chunk(job: tuple) -> Part:
    """Worker: read one chunk's byte range, parse, check and evaluate its lines under both editions.

    The cyclic garbage collector is paused: records hold no cycles, and its passes over tens of
    thousands of new dicts cost more than making them."""
    file, name, start, end, line, item, n = job
    with open(name, "rb") as f:
        f.seek(start)
        data = f.read(end - start)
    with collector_paused():
        part = _fast_chunk(_STATE["setup"], file, line, data, n)
        part = part if part is not None else _run_chunk(file, line, item, chunks.blobs(data))
    part.keys = np.fromiter(map(hash, part.keys), dtype=np.int64, count=len(part.keys))  # `Seen` reads them
    return part


def _run_chunk(file: str, first_line: int, first_item: int, blobs: list[bytes]) -> Part:
    setup: Setup = _STATE["setup"]
    part, numbered, raws = Part(lines=len(blobs)), [], []
    item, syntax = first_item, False
    for line, blob in enumerate(blobs, first_line):
        if len(part.errors) >= MAX_ERRORS:  # a wrong file fails fast: the run stops at MAX_ERRORS anyway
            break
        if blob.isspace():
            continue
        try:
            raw = parse_line(blob)
        except UnicodeDecodeError as exc:
            part.errors.append(Diagnostic(file, line, None, "", f"bukan teks UTF-8 / not UTF-8 text ({exc.reason})",
                                          "UTF-8 text"))
            syntax = True
            continue
        except (ValueError, RecursionError):
            text = blob.decode("utf-8")
            if not text.strip():
                continue
            errors = slow(text, file, line, item, setup.catalogue, None, None)[1]
            syntax = syntax or not all(limits.refused_number(d) for d in errors)
            part.errors += errors
            item += 1
            continue
        text = blob  # decoded only if the normal path is asked (Setup.retarget)
        if type(raw) is dict and type(raw.get("id")) is str and type(raw.get("edition")) is str:
            part.keys.append(raw["edition"] + "\0" + raw["id"])
            part.key_lines.append(line)
        numbered.append((line, item, text))
        raws.append(raw)
        item += 1
    if syntax or not raws:  # a line that is not JSON: the syntax errors are all the run reports
        return part
    check = setup.checks[setup.base]
    shared = Shared(raws, check.lists, check.editions)
    under_base = setup.retarget(file, numbered, raws, setup.base, part, shared)
    under_draft = setup.retarget(file, numbered, raws, setup.draft, part, shared)
    if part.errors:
        part.errors.sort(key=lambda d: (d.line or 0, d.col or 0))
        return part
    both = [k for k in range(len(raws)) if under_base[k] is not None and under_draft[k] is not None]
    if both:
        cb = setup.batch.evaluate_columns([under_base[k] for k in both], setup.base)
        cd = setup.batch.evaluate_columns([under_draft[k] for k in both], setup.draft)
        part.counts, part.moves = compare(cb, cd, [file] * len(both))
        part.evaluated = [numbered[k][0] for k in both]
    return part


def _fast_chunk(setup: Setup, file: str, first_line: int, data: bytes, lines: int) -> Part | None:
    """The chunk when every line is a record the fast check accepts under both editions: read SUB records at a
    time (`population.read_chunks`), their columns taken from the reader's tables (`columns_of_tables`), no
    re-targeted dicts; the movers' reasons said once for the chunk. None: some line needs the careful path
    (`_run_chunk` goes on line by line, as it always did)."""
    check = setup.checks[setup.base]
    part, movers = Part(lines=lines), Movers(file)
    for shared in population.read_chunks(data, check.lists, check.editions, SUB):
        if shared is None or not _evaluate(setup, shared, part, movers):
            return None
    part.moves += movers.said()
    part.key_lines = part.evaluated = range(first_line, first_line + lines)  # no blank line: every line a record
    return part


def _evaluate(setup: Setup, shared: Shared, part: Part, movers: "Movers") -> bool:
    """Records all well formed, evaluated under both editions, counted in `part` and their movers kept in `movers`
    (False: some record is not certainly valid under one of them)."""
    raws, plans = shared.raws, [setup.batch.plan(e) for e in (setup.base, setup.draft)]
    commodity = [setup.checks[e].accept(raws, shared) for e in (setup.base, setup.draft)]
    if None in commodity[0] or None in commodity[1]:
        return False
    memo = shared.column_memo()  # values coded once, for both editions
    inputs = columns_of_tables(plans[0], raws, range(len(raws)), commodity[0], shared.tables, memo, shared.ids)
    if inputs is None:
        return False
    before = decide(plans[0], inputs)
    if same_columns(plans[0], plans[1]) and commodity[1] == commodity[0]:  # the draft reads the base's columns,
        after = decide(plans[1], inputs, like=before)  # and what it works out alike is taken from the base's
    else:
        inputs = columns_of_tables(plans[1], raws, range(len(raws)), commodity[1], shared.tables, memo, shared.ids)
        if inputs is None:
            return False
        after = decide(plans[1], inputs)
    part.keys += map(add, map(add, shared.declared, repeat("\0")), shared.ids)
    part.counts.update(movers.add(before, after))
    return True


class Movers:
    """The assessments of a chunk (all in one file) whose state differs, gathered part after part (`add`: the
    states coded as numbers and counted at once, in order of first occurrence as `compare` counts them) and
    their reasons said at once (`said`), in file order."""

    def __init__(self, file: str):
        self.file, self.pending, self.moves = file, [], []

    def add(self, before: Columns, after: Columns) -> Counter:
        """The (before, after) state counts of a part; its movers kept."""
        if min(before.stars.min(initial=0), after.stars.min(initial=0)) < 0 or \
                max(before.stars.max(initial=0), after.stars.max(initial=0)) >= 1000:  # not coded: said at once
            counts, moves = compare(before, after, [self.file] * len(before))
            self._say()
            self.moves += moves
            return counts
        coded = [cols.status.astype(np.int64) * 1000 + cols.stars for cols in (before, after)]
        named = []  # per side, state code -> its words (`states` of one assessment with that code)
        for cols, code in zip((before, after), coded):
            kinds, first = np.unique(code, return_index=True)
            named.append(dict(zip(kinds.tolist(), states(cols.take(first)))))
        pairs, first, n = np.unique(coded[0] * 4096 + coded[1], return_index=True, return_counts=True)
        counts: Counter = Counter()
        moving = []
        for k in np.argsort(first, kind="stable").tolist():
            b, a = divmod(int(pairs[k]), 4096)
            counts[(named[0][b], named[1][a])] += int(n[k])
            if named[0][b] != named[1][a]:
                moving.append(pairs[k])
        if moving:
            moved = np.flatnonzero(np.isin(coded[0] * 4096 + coded[1], moving))
            self.pending.append((before.take(moved), after.take(moved)))
        return counts

    def said(self) -> list[tuple]:
        """Every mover so far with its reasons (`compare`), in order; none kept after."""
        self._say()
        moves, self.moves = self.moves, []
        return moves

    def _say(self) -> None:
        if self.pending:
            before, after = (Columns.joined([p[k] for p in self.pending]) for k in (0, 1))
            self.moves += compare(before, after, [self.file] * len(before))[1]
            self.pending = []


def _results(jobs: Iterator, workers: int) -> Iterator[Part]:
    """Parts in job order; at most 2 jobs per worker in flight."""
    if workers <= 1:
        yield from map(run_chunk, jobs)
        return
    for _, part in in_order(run_chunk, ((None, (job,)) for job in jobs), workers):
        yield part


def run(ruleset: RuleSet, base: str, draft: str, paths: list[Path], workers: int = 1,
        advance: Callable[[int], None] | None = None,
        assumed: dict | None = None) -> tuple[Part, list[tuple[str, np.ndarray]]]:
    """Every JSON Lines file under both editions: the merged part, and per file the evaluated lines
    (`assumed`: answers filled in under the draft where a record has none)."""
    _STATE["setup"] = Setup(ruleset, base, draft, assumed)
    total, evaluated = Part(), []
    with collector_paused():
        for path in paths:
            evaluated.append(_run_file(total, Path(path), workers, advance))
    if total.errors:
        raise OvopError(total.errors)
    return total, evaluated


def _run_file(total: Part, path: Path, workers: int, advance) -> tuple[str, np.ndarray]:
    """One file's chunks merged into `total`; the file and the lines of its evaluated records."""
    file, seen, lines = str(path), Seen(path), []
    for part in _results(chunks.jobs(path, file, CHUNK, tail=workers if workers > 1 else 0), workers):
        _merge(total, part, seen, file)
        if len(total.errors) >= MAX_ERRORS:
            total.errors = total.errors[:MAX_ERRORS] + [stopped(file)]
            break
        done = part.evaluated
        lines.append(np.arange(done.start, done.stop, dtype=np.int64) if isinstance(done, range)
                     else np.asarray(done, dtype=np.int64))
        if advance:
            advance(part.lines)
    return file, np.concatenate(lines) if lines else np.zeros(0, dtype=np.int64)


def _merge(total: Part, part: Part, seen: "Seen", file: str) -> None:
    total.counts.update(part.counts)
    total.moves += part.moves
    total.skipped += part.skipped
    total.errors += part.errors
    total.lines += part.lines
    for key, line, first in seen.add(part.keys, part.key_lines):
        edition, ident = key.split("\0", 1)
        total.errors.append(Diagnostic(file, line, None, f"{ident}: id", f'duplicate id "{ident}" in edition '
                                       f"{edition} (first at {file}:{first})", "each id once per edition"))


class Seen:
    """The records of a file so far, by the hash of their key (declared edition + NUL + id: the workers send hashes,
    not keys; forked, they hash as this process does), with the line of the first. Where a hash comes again, the
    keys themselves are read from those lines: two keys can share a hash, and each key is then told apart."""

    def __init__(self, path: Path):
        self.path, self.first, self.exact = path, {}, {}  # exact: hash -> {key: first line}, where it came again

    def add(self, hashes: np.ndarray, lines) -> list[tuple[str, int, int]]:
        """A part's hashes and lines added; (key, line, first line) of each record whose key came before."""
        hashes = hashes.tolist()
        fresh = dict(zip(hashes, lines))
        if len(fresh) == len(hashes) and self.first.keys().isdisjoint(fresh):  # no hash twice: all kept at once
            self.first.update(fresh)
            return []
        again = [(h, line) for h, line in zip(hashes, lines) if self.first.setdefault(h, line) != line]
        keys = self._keys([self.first[h] for h, _ in again] + [line for _, line in again])
        out = []
        for h, line in again:
            exact = self.exact.setdefault(h, {keys[self.first[h]]: self.first[h]})
            first = exact.setdefault(keys[line], line)
            if first != line:
                out.append((keys[line], line, first))
        return out

    def _keys(self, lines: list[int]) -> dict[int, str]:
        """The key of the record on each of these lines (read again from the file)."""
        raws = {line: parse_line(text.encode("utf-8")) for line, text in read_lines(self.path, lines).items()}
        return {line: raw["edition"] + "\0" + raw["id"] for line, raw in raws.items()}


def read_lines(path: Path, wanted: list[int]) -> dict[int, str]:
    """The text of some lines of a file (1-based), read in one pass."""
    want, out = set(wanted), {}
    with open(path, "rb") as f:
        for number, blob in enumerate(f, 1):
            if number in want:
                out[number] = blob.decode("utf-8", errors="replace")
                if len(out) == len(want):
                    break
    return out


def sample(ruleset: RuleSet, base: str, draft: str, evaluated: list[tuple[str, np.ndarray]], n: int,
           seed: int) -> dict[str, list]:
    """A seeded sample of `n` evaluated records, re-targeted at each edition (for check_sample)."""
    from random import Random
    sizes = [len(lines) for _, lines in evaluated]
    picked = sorted(Random(seed).sample(range(sum(sizes)), min(n, sum(sizes))))
    setup: Setup = _STATE.get("setup") or Setup(ruleset, base, draft)
    out: dict[str, list] = {base: [], draft: []}
    offset = 0
    for (file, lines), size in zip(evaluated, sizes):
        mine = [int(lines[i - offset]) for i in picked if offset <= i < offset + size]
        offset += size
        texts = read_lines(Path(file), mine)
        raws = [parse(texts[line]) for line in mine]
        for edition in (base, draft):
            target = ruleset.get(edition).model
            raws_e = with_assumed(raws, setup.assumed) if edition == draft else raws
            fast = setup.checks[edition].chunk(raws_e)
            out[edition] += [a if a is not None else slow(json.dumps(raw, ensure_ascii=False) if raw is not
                                                          base_raw else texts[line], file, line, 0, setup.catalogue,
                                                          target, setup.cmap)[0]
                             for a, line, raw, base_raw in zip(fast, mine, raws_e, raws)]
    return out
