"""Publish's chunks worked out beside the writer: rows, traces and packed values made in worker processes.

`rows_of(block, n0)` turns one chunk of assessments into everything the database gets from it: the
assessment rows (input packed), ikm rows, outcome rows, packed traces, and the counts. The writer (the
parent, which alone holds the SQLite connection) either calls it in-process or hands chunks to forked
workers (`pipeline`), at most two per worker in flight, and writes the results in chunk order: the rows,
their numbers `n` and so the database are the same whatever the number of workers. The `--check` sample
reads its trace rows back from the packed trace (`packing.trace_rows`, the very rows that were packed).

Workers pay for themselves only with free cores and chunks of some size: `workers()` says how many. For the
population reader's records only positions go to them (each reads its records from the file by offset) and
only rows come back; records handed over in memory are pickled both ways, which costs the writer more.
"""
from __future__ import annotations

import os
from collections import Counter
from collections.abc import Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import islice
from operator import itemgetter
from typing import Any, Iterable, Iterator

from .. import __version__
from ..batch import BatchEvaluator, BatchInputError, as_dict, columns_of_tables
from ..errors import Diagnostic, OvopError
from ..workers import in_order
from . import rows as pr
from .batch import EditionRows, chunk_rows
from .packing import Codecs
from .schema import BY_NAME, FACET_COLUMNS, PER_EDITION_COLUMNS
from .steps import RuleIds

_FACETS = [(c, BY_NAME["outcomes"].column_names.index(c)) for c in FACET_COLUMNS]
_PER_EDITION = [(c, BY_NAME["outcomes"].column_names.index(c)) for c in PER_EDITION_COLUMNS]
_EDITION = BY_NAME["outcomes"].column_names.index("edition")
MIN_PARALLEL = 20_000  # records in the first chunks before workers are started (forking costs ~0.1 s each)
WORKERS: int | None = None  # None: by the machine (tests set it)
_STATE: dict = {}


@dataclass
class Rows:
    """One chunk's rows, in chunk order; `prepared` only when made in-process (the what-if pass reads it)."""
    n0: int
    assessments: list = field(default_factory=list)
    ikm: list = field(default_factory=list)
    outcomes: list = field(default_factory=list)
    traces: list = field(default_factory=list)  # (n, packed), sorted by n
    counts: Counter = field(default_factory=Counter)
    facets: dict = field(default_factory=dict)  # facet column -> Counter of its values (nulls too)
    steps: int = 0
    prepared: list | None = None
    error: list | None = None  # diagnostics: the chunk could not be evaluated


def setup(be: BatchEvaluator, ids: RuleIds, codecs: Codecs | None = None, files: dict[str, int] | None = None) -> None:
    """What `rows_of` uses, set before workers are forked (they inherit it); the codecs may come later
    (`set_codecs`), once trained on `sample_texts`. `files`: each input file's source_files id."""
    _STATE.clear()
    _STATE.update(be=be, ids=ids, codecs=codecs, editions={}, files=files or {})


def set_codecs(codecs: Codecs) -> None:
    _STATE["codecs"] = codecs


def rows_of(block: list, n0: int, keep_prepared: bool = False) -> Rows:
    """One chunk (outcome numbers from n0 + 1) as rows; a chunk that cannot be evaluated gives `error`."""
    return _packed(_evaluated(block, n0, keep_prepared))


def _packed(out: Rows) -> Rows:
    """The rows with each trace and each input packed (engine.publish.packing)."""
    if out.error:
        return out
    codecs = _STATE["codecs"]
    out.traces = [(n, codecs.traces.pack(t)) for n, t in out.traces]
    out.assessments = [(*a[:12], codecs.inputs.pack(a[12]), a[13]) for a in out.assessments]
    return out


def typed_rows(shared, file: str, n0: int) -> Rows | None:
    """`rows_of` of one edition's part of typed records whose floats are plain (engine.inputs.scan.Scan.typed),
    its columns taken from the reader's (`columns_of_tables`) and its rows from the Structs, without a dict a
    record: the same rows (tests/test_publish_lines.py). None where a column the reader's tables cannot promise
    is needed: the caller reads its records as dicts."""
    be, ids, editions = _STATE["be"], _STATE["ids"], _STATE["editions"]
    e, records = shared.declared[0], shared.records
    if e not in editions:
        editions[e] = EditionRows(be, e, ids)
    er = editions[e]
    inputs = columns_of_tables(er.plan, shared.raws, range(len(records)), shared.commodity, shared.tables,
                               shared.column_memo(), shared.ids)
    if inputs is None:
        return None
    inputs.raw = _Evidence(records)
    source = _STATE["files"].get(file)
    prepared = [_prepare_typed(r, source) for r in records]

    def evaluate(er: EditionRows, positions: list[int], ns: list[int]):
        return _run(er, None, ns, inputs, lambda i, fact: getattr(records[i].gates, fact))
    return _packed(_assembled(prepared, n0, evaluate))


class _Evidence(dict):
    """Evidence name -> the values of the typed records, each taken when asked for (`chunk_rows` reads those of
    the first assessment of each group)."""

    def __init__(self, records: list):
        super().__init__()
        self.records = records

    def __missing__(self, name: str) -> "_Values":
        values = self[name] = _Values(self.records, name)
        return values


class _Values(Sequence):
    def __init__(self, records: list, name: str):
        self.records, self.name = records, name

    def __len__(self) -> int:
        return len(self.records)

    def __getitem__(self, i: int):
        return getattr(self.records[i].evidence, self.name)


def _prepare_typed(r, source: int | None) -> tuple:
    """`prepare` of a typed record: no dict (None), the assessment row, the ikm row, the outcome's leading
    columns."""
    i = r.ikm
    ikm = pr.ikm_key(i.name, i.province, i.regency)
    return _prepared(None, pr.typed_assessment_row(r, pr.canonical_typed(r), ikm, source), i.name)


def _prepared(d, arow: tuple, name: str) -> tuple:
    """`prepare`'s tuple from the assessment row (its ikm id at 3) and the firm's name."""
    key, ikm = arow[0], arow[3]
    return d, arow, (ikm, name, arow[7], arow[8]), (key, key, arow[1], arow[2], ikm, name, arow[4], arow[7], arow[8])


def sample_texts(block: list) -> tuple[list[bytes], list[bytes]]:
    """The canonical inputs and the traces of `block` as they would be packed (what dictionaries train on)."""
    out = _evaluated(block, 0)
    if out.error:
        raise OvopError(out.error)
    return [a[12] if a[12].__class__ is bytes else a[12].encode("utf-8") for a in out.assessments], \
        [t for _, t in out.traces]


def _evaluated(block: list, n0: int, keep_prepared: bool = False) -> Rows:
    """`rows_of`'s rows with the input's text and the trace's bytes not yet packed."""
    prepared = [prepare(a) for a in block]

    def evaluate(er: EditionRows, positions: list[int], ns: list[int]):
        return _run(er, [prepared[k][0] for k in positions], ns)
    return _assembled(prepared, n0, evaluate, keep_prepared)


def _assembled(prepared: list, n0: int, evaluate, keep_prepared: bool = False) -> Rows:
    """The rows of prepared records (`prepare`: the assessment row second, its edition at 1), each edition's
    outcome fields and traces from `evaluate(edition rows, positions, outcome numbers)`."""
    be, ids, editions = _STATE["be"], _STATE["ids"], _STATE["editions"]
    by_edition: dict[str, list[int]] = {}
    for k, p in enumerate(prepared):
        by_edition.setdefault(p[1][1], []).append(k)
    out = Rows(n0, prepared=prepared if keep_prepared else None)
    outcomes: list = [None] * len(prepared)
    for e, positions in by_edition.items():
        if e not in editions:
            editions[e] = EditionRows(be, e, ids)
        try:
            fields, traces, steps = evaluate(editions[e], positions, [n0 + k + 1 for k in positions])
        except OvopError as exc:
            out.error = exc.diagnostics
            return out
        for j, (k, f) in enumerate(zip(positions, fields)):
            arow = prepared[k][1]
            outcomes[k] = (prepared[k][3][0], n0 + k + 1, *prepared[k][3][1:], *f[:10], arow[9], arow[10],
                           f[10], f[11], __version__)
            out.counts[(e, f[0], f[1])] += 1
        out.traces += [(n0 + k + 1, t) for k, t in zip(positions, traces)]
        out.steps += steps
    out.traces.sort()
    out.facets = {c: Counter(map(itemgetter(i), outcomes)) for c, i in _FACETS}
    for c, i in _PER_EDITION:
        out.facets[("edition", c)] = Counter(map(itemgetter(_EDITION, i), outcomes))
    out.assessments = [p[1] for p in prepared]
    out.ikm = [p[2] for p in prepared]
    out.outcomes = outcomes
    return out


def prepare(a) -> tuple[dict, tuple, tuple, tuple]:
    """(the batch path's dict, the assessment row, the ikm row, the outcome's leading columns without n)."""
    files = _STATE["files"]
    if isinstance(a, dict):
        i = a["ikm"]
        ikm = pr.ikm_key(i["name"], i["province"], i["regency"])
        arow = pr.dict_assessment_row(a, pr.canonical_bytes(a, getattr(a, "plain", False)), ikm)
        file = getattr(a, "file", None)  # a Record read from a file (engine.inputs.scan)
        if file is not None:
            arow = arow[:11] + (files.get(file),) + arow[12:]
        name, d = i["name"], a
    else:
        d, ikm = as_dict(a), pr.ikm_id(a.ikm)
        arow = tuple(pr.assessment_row(a, pr.canonical_input(a), files.get(a.origin.file) if a.origin else None)
                     .values())
        name = a.ikm.name
    return _prepared(d, arow, name)


def _run(er: EditionRows, items: list[dict] | None, ns: list[int], inputs=None, gate_of=None):
    try:
        return chunk_rows(er, items, ns, inputs, gate_of)
    except BatchInputError as exc:
        raise OvopError(Diagnostic("batch", message=str(exc))) from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise OvopError(Diagnostic("batch", message=f"an assessment of edition {er.edition} lacks a value or has "
                                   f"one of the wrong kind ({exc.__class__.__name__}: {exc}); publish files to have "
                                   f"them checked")) from None


@contextmanager
def using(n: int | None):
    """`workers()` says `n` meanwhile (None: as it would)."""
    global WORKERS
    was = WORKERS
    if n is not None:
        WORKERS = n
    try:
        yield
    finally:
        WORKERS = was


def workers(reader: bool = True) -> int:
    """Worker processes for a large population: OVOP_PUBLISH_WORKERS, else two when the machine has two cores
    or more and the records are the population reader's (read by the workers themselves: measured on 100,000,
    9.3 s against 12.0 s in-process with the second core free, 12.9 against 11.5 with it busy); records
    handed over in memory would be pickled to the workers, which did not pay (docs/benchmarks.md)."""
    if WORKERS is not None:
        return WORKERS
    try:
        return max(0, int(os.environ["OVOP_PUBLISH_WORKERS"]))
    except (KeyError, ValueError):
        return 2 if reader and (os.cpu_count() or 1) >= 2 else 0


def pipeline(assessments: Iterable, count: int) -> Iterator[tuple[Sequence, Rows]]:
    """(block of `count` records, its rows) in order; worked out in workers (`workers()`) for a population of
    `MIN_PARALLEL` or more (smaller ones stay in-process: starting workers would cost more). The population
    reader's records (`at`: read by position) are read by position, in the workers themselves (from the file:
    only positions go to them, only rows come back) or here, as typed records where they can be (`_rows_at`)."""
    if getattr(assessments, "at", None) is not None:
        yield from _positions(assessments, count, bool(workers()) and len(assessments) >= MIN_PARALLEL)
        return
    it = iter(assessments)
    blocks = iter(lambda: list(islice(it, count)), [])
    n, head = 0, []
    for block in blocks:
        head.append(block)
        if sum(map(len, head)) >= MIN_PARALLEL or len(block) < count:
            break
    if workers(reader=False) == 0 or sum(map(len, head)) < MIN_PARALLEL:
        for block in _chain(head, blocks):
            yield block, rows_of(block, n)
            n += len(block)
        return
    yield from _in_workers(((block, (block, n0)) for block, n0 in _numbered(_chain(head, blocks))), rows_of)


class Held(Sequence):
    """Records start..stop of the reader's, read again by position when one is asked for (the --check sample)."""

    def __init__(self, records, start: int, stop: int):
        self.records, self.start, self.stop = records, start, stop

    def __len__(self) -> int:
        return self.stop - self.start

    def __getitem__(self, k: int):
        if not 0 <= k < len(self):
            raise IndexError(k)
        return self.records.at([self.start + k])[0]


def _positions(records, count: int, parallel: bool) -> Iterator[tuple[Sequence, Rows]]:
    """The reader's records by position, `count` at a time: in workers, or here."""
    _STATE["records"] = records  # before the fork: the workers read it by position
    jobs = ((Held(records, s, min(s + count, len(records))), (s, min(s + count, len(records))))
            for s in range(0, len(records), count))
    if parallel:
        yield from _in_workers(jobs, _rows_at)
        return
    for block, args in jobs:
        yield block, _rows_at(*args)


def _rows_at(start: int, stop: int) -> Rows:
    """The rows of records start..stop of the reader's: read as typed records where they can be (`typed_rows`),
    else as dicts."""
    records, positions = _STATE["records"], list(range(start, stop))
    typed = records.typed(positions)
    out = typed_rows(*typed, start) if typed is not None else None
    return out if out is not None else rows_of(records.at(positions), start)


def _in_workers(jobs: Iterator[tuple[Sequence, tuple]], work) -> Iterator[tuple[Sequence, Rows]]:
    """(block, work(*args)) for each job, in order (engine.workers)."""
    return in_order(work, jobs, workers())


def _numbered(blocks: Iterator[list]) -> Iterator[tuple[list, int]]:
    n = 0
    for block in blocks:
        yield block, n
        n += len(block)


def _chain(head: list, rest: Iterator) -> Iterator[Any]:
    yield from head
    yield from rest
