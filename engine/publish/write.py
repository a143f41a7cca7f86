"""Write the published database: rule tables, then the assessments chunk by chunk through the batch path,
all inside one transaction with `executemany`; indexes, views and ANALYZE after loading."""
from __future__ import annotations

import gc
import sqlite3
from concurrent.futures import ThreadPoolExecutor
from collections import Counter
from itertools import chain, islice
from operator import itemgetter
from pathlib import Path
from typing import Any, Iterable

from .. import __version__
from ..batch import BatchEvaluator
from ..errors import OvopError
from ..rules import RuleSet
from . import fts
from .check import Sampler
from .rules import dumps, rule_rows
from . import parallel
from .packing import Codecs, sample_positions, trace_rows
from .schema import BY_NAME, FACET_COLUMNS, PER_EDITION_COLUMNS, TABLES, VIEWS
from .steps import RuleIds

CHUNK = 5000
PEEK = 20_000  # records of an iterator held to sample the packing dictionaries from


def bind_directly() -> None:
    """None and bytes bound as they are, not looked up as objects to adapt: the sqlite3 module binds only exact
    ints, floats and texts directly, and gives every other value to its adapter registry, which for None and bytes
    finds nothing after failed attribute lookups (a row of 10 ints and 10 Nones: 5.8 µs bound, 1.7 µs with
    these adapters; a publish writes ~10 such values a record). Registering them makes the registry find them:
    None to None (`{}.get`), bytes to the very object (`bytes` returns an exact bytes as it is). Nothing else
    changes: the values bound are the same objects (tests/test_publish_lines.py)."""
    sqlite3.register_adapter(type(None), {}.get)
    sqlite3.register_adapter(bytes, bytes)


class Writer:
    """Buffered inserts, in schema column order, with executemany.

    ikm rows go to a table of their own as they come and into `ikm` at `finish`, in id order, the first of each id
    kept (publish order): an ikm id is a hash, so rows inserted as they come land all over its b-tree, which
    also scattered the other tables' pages (100,000 records' inserts: 1.57 s CPU, 0.87 s with the ikm rows
    appended to a table without a key, and 0.19 s to move them)."""

    def __init__(self, conn: sqlite3.Connection):
        bind_directly()
        self.conn, self.buffers = conn, {t.name: [] for t in TABLES}
        self.sql = {t.name: f"INSERT INTO [{t.name}] ({', '.join(f'[{c}]' for c in t.stored)}) "
                            f"VALUES ({', '.join('?' for _ in t.stored)})" for t in TABLES}
        columns = ", ".join(f"[{c}]" for c in BY_NAME["ikm"].stored)
        conn.execute(f"CREATE TABLE ikm_load ({columns})")  # in the file (memory stays flat), dropped at `finish`
        self.sql["ikm"] = self.sql["ikm"].replace("INTO [ikm]", "INTO ikm_load", 1)
        self._move_ikm = f"INSERT OR IGNORE INTO ikm ({columns}) SELECT {columns} FROM ikm_load ORDER BY [id], rowid"
        # rows are tuples of every column; a table's generated columns are left out as they are written
        self.stored = {t.name: itemgetter(*[t.column_names.index(c) for c in t.stored]) for t in TABLES if t.generated}

    def dict_row(self, table: str, row: dict[str, Any]) -> None:
        self.buffers[table].append(tuple(row[c] for c in BY_NAME[table].column_names))

    def flush(self) -> None:
        for name, rows in self.buffers.items():
            if rows:
                keep = self.stored.get(name)
                self.conn.executemany(self.sql[name], map(keep, rows) if keep else rows)
                self.buffers[name] = []

    def finish(self) -> None:
        """The rows buffered written, and the ikm rows moved into `ikm` (see the class's doc)."""
        self.flush()
        self.conn.execute(self._move_ikm)
        self.conn.execute("DROP TABLE ikm_load")  # its pages on the freelist, filled by the indexes built next


def build(tmp: Path, assessments: Iterable, ruleset: RuleSet, inputs: list, report, check: int, seed: int,
          what_if: bool, chunk: int) -> None:
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        # 8 KB pages: rows of ~0.4 KB leave less of each page unused (VACUUM of a 100,000 database: 4 KB pages
        # 131.6 MB, 8 KB 129.2 MB, 16 KB 128.7 MB); set before the first table is created
        for pragma in ("page_size = 8192", "journal_mode = OFF", "synchronous = OFF", "cache_size = -64000",
                       "temp_store = MEMORY", "threads = 2"):  # threads: the index builds' sorts (~20 % less)
            conn.execute(f"PRAGMA {pragma}")
        for t in TABLES:
            conn.execute(t.create_sql())
        conn.execute("BEGIN")
        writer, be = Writer(conn), BatchEvaluator(ruleset)
        ids = _rules(writer, ruleset, be)
        for k, (file, digest) in enumerate(inputs, 1):
            writer.dict_row("source_files", {"id": k, "file": file, "sha256": digest})
        parallel.setup(be, ids, files={file: k for k, (file, _) in enumerate(inputs, 1)})
        assessments, codecs = _codecs(assessments, ruleset, ids)
        for row in codecs.rows():
            writer.dict_row("codecs", row)
        writer.flush()
        sampler = Sampler(check, seed, len(assessments) if hasattr(assessments, "__len__") else None)
        whatif = None
        if what_if:
            from .whatif import WhatIf
            whatif = WhatIf(ruleset, be, ids)
        was = gc.isenabled()
        gc.disable()  # the rows hold no cycles; collector passes over them would cost more than building them
        try:
            _data(writer, assessments, ruleset, be, ids, codecs, report, sampler, whatif, chunk)
        finally:
            if was:
                gc.enable()
        conn.execute("COMMIT")
        conn.execute("BEGIN")
        with ThreadPoolExecutor(1) as pool:  # the sample through durable_rules beside SQLite's work (no GIL held)
            checked = pool.submit(sampler.verify, ruleset, ids)
            writer.finish()
            fts.build(conn)  # first: the pages its merge frees are filled by the indexes, not left on the freelist
            _indexes(conn)
            report.checked = checked.result()
        facets(conn, report.facets)
        for name, sql in VIEWS.items():
            conn.execute(f"CREATE VIEW [{name}] AS {sql.strip()}")
        _info(writer, ruleset, inputs, report)
        conn.execute("COMMIT")
        # a full ANALYZE (0.35 s at 100,000; `analysis_limit = 1000` took 0.02 s, but its statistics made the
        # filtered outcomes view's p95 at 1,000,000 220 ms instead of 130 ms)
        conn.execute("ANALYZE")
    finally:
        conn.close()


def _indexes(conn: sqlite3.Connection) -> None:
    for t in TABLES:
        for cols in t.unique:
            conn.execute(f"CREATE UNIQUE INDEX [idx_{t.name}_{'_'.join(cols)}] ON [{t.name}] "
                         f"({', '.join(f'[{c}]' for c in cols)})")
        for cols in t.indexes:
            conn.execute(f"CREATE INDEX [idx_{t.name}_{'_'.join(cols)}] ON [{t.name}] ({', '.join(f'[{c}]' for c in cols)})")


def facets(conn: sqlite3.Connection, counted: dict[str, Counter]) -> None:
    """outcome_facets: each facet column's value counts, as Datasette's facet query would count them (nulls
    left out); outcome_edition_facets: each edition's, as the per-edition facet counts them (nulls first, then
    by value). `counted`: every facet column's values counted as the rows were made (no pass over the table)."""
    rows = [(column, value, count) for column in FACET_COLUMNS
            for value, count in sorted(counted.get(column, {}).items(), key=_sql_order) if value is not None]
    conn.executemany("INSERT INTO outcome_facets ([column], value, [count]) VALUES (?, ?, ?)", rows)
    for column in PER_EDITION_COLUMNS:  # as the per-edition facet counts them (engine/web/facets.py): nulls too
        pairs = counted.get(("edition", column), {})
        ordered = sorted(pairs.items(), key=lambda kv: (kv[0][0], _sql_order((kv[0][1], 0))))  # edition, then value
        conn.executemany("INSERT INTO outcome_edition_facets ([column], edition, value, [count]) VALUES (?, ?, ?, ?)",
                         [(column, e, v, c) for (e, v), c in ordered])


def _sql_order(item: tuple) -> tuple:
    """SQLite's order of values: NULL, numbers, texts."""
    v = item[0]
    return (0, 0, "") if v is None else (1, v, "") if isinstance(v, (int, float)) else (2, 0, str(v))


def _rules(writer: Writer, ruleset: RuleSet, be: BatchEvaluator) -> RuleIds:
    known = set()
    for table, row in rule_rows(ruleset):
        writer.dict_row(table, row)
        if "key" in row:
            known.add(row["key"])
    ids = RuleIds([be.plan(e).c for e in sorted(ruleset.editions)], known)
    for row in ids.rows:
        writer.dict_row("rules", row)
    writer.flush()
    return ids


def _data(writer: Writer, assessments: Iterable, ruleset: RuleSet, be: BatchEvaluator, ids: RuleIds,
          codecs: Codecs, report, sampler, whatif, chunk: int) -> None:
    """Every chunk's rows (engine.publish.parallel: in workers for a large population, unless what-if outcomes
    are written too, which read each chunk's prepared rows) written in chunk order."""
    counts: Counter = Counter()
    n = 0
    results = _in_process(assessments, chunk) if whatif is not None else parallel.pipeline(assessments, chunk)
    for block, rows in results:
        if rows.error:
            raise OvopError(rows.error)
        for i in sampler.wanted(n, len(block)):
            k, o = i - n, rows.outcomes[i - n]
            sampler.offer(i, lambda k=k, o=o, b=block, r=rows: (b[k], o, _trace_of(codecs, o[1], r.traces, r.n0)))
        counts.update(rows.counts)
        for column, c in rows.facets.items():
            report.facets.setdefault(column, Counter()).update(c)
        report.trace_steps += rows.steps
        writer.buffers["traces"] += rows.traces
        writer.buffers["assessments"] += rows.assessments
        writer.buffers["ikm"] += rows.ikm
        writer.buffers["outcomes"] += rows.outcomes
        if whatif is not None:
            whatif.chunk(writer, rows.prepared, rows.outcomes, report)
        writer.flush()
        n += len(block)
    report.assessments = n
    for (e, status, stars), c in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0)):
        by = report.by_edition.setdefault(e, Counter())
        by["outcomes"] += c
        by[status] += c
        if stars:
            by[f"stars:{stars}"] += c


def _codecs(assessments: Iterable, ruleset: RuleSet, ids: RuleIds) -> tuple[Iterable, Codecs]:
    """The packing dictionaries, trained on the records at `packing.sample_positions` of the order written, and
    the assessments to write (of an iterator, the first PEEK records are held and sampled)."""
    at = getattr(assessments, "at", None)  # the population reader's records (engine.inputs.lines.Records)
    if at is not None or isinstance(assessments, (list, tuple)):
        n, pick = len(assessments), at or (lambda ps: [assessments[p] for p in ps])
    else:
        it = iter(assessments)
        head = list(islice(it, PEEK))
        assessments, n, pick = chain(head, it), len(head), (lambda ps: [head[p] for p in ps])
    positions = sample_positions(n)
    inputs, traces = parallel.sample_texts(pick(positions)) if positions else ([], [])
    codecs = Codecs.of_sample(inputs, traces, ruleset, ids)
    parallel.set_codecs(codecs)
    return assessments, codecs


def _in_process(assessments: Iterable, chunk: int):
    it, n = iter(assessments), 0
    for block in iter(lambda: list(islice(it, chunk)), []):
        yield block, parallel.rows_of(block, n, keep_prepared=True)
        n += len(block)


def _trace_of(codecs: Codecs, outcome_n: int, traces: list, n0: int) -> list[tuple]:
    """The trace rows of outcome `outcome_n`, read back from its packed trace (traces sorted by n, n0 + 1 first)."""
    n, packed = traces[outcome_n - n0 - 1]
    assert n == outcome_n
    return trace_rows(n, codecs.traces.unpack(packed))


def _info(writer: Writer, ruleset: RuleSet, inputs: list, report) -> None:
    info = {"engine_version": __version__, "assessments": str(report.assessments),
            "trace_steps": str(report.trace_steps), "checked_against_durable_rules": str(report.checked),
            "rules": dumps({e: r.hash for e, r in sorted(ruleset.editions.items())}),
            "inputs": dumps([{"file": f, "sha256": h} for f, h in inputs])}
    for k in sorted(info):
        writer.dict_row("publish_info", {"key": k, "value": info[k]})
    writer.flush()
