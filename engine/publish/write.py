"""Write the published database: rule tables, then the assessments chunk by chunk through the batch path,
all inside one transaction with `executemany`; indexes, views and ANALYZE after loading."""
from __future__ import annotations

import gc
import sqlite3
from collections import Counter
from itertools import islice
from pathlib import Path
from typing import Any, Iterable

from .. import __version__
from ..batch import BatchEvaluator, BatchInputError, as_dict
from ..errors import Diagnostic, OvopError
from ..rules import RuleSet
from . import fts
from . import rows as pr
from .batch import EditionRows, chunk_rows
from .check import Sampler
from .rules import dumps, rule_rows
from .packing import Codecs
from .schema import BY_NAME, FACET_COLUMNS, TABLES, VIEWS
from .steps import RuleIds

CHUNK = 5000


class Writer:
    """Buffered inserts, in schema column order, with executemany."""

    def __init__(self, conn: sqlite3.Connection):
        self.conn, self.buffers = conn, {t.name: [] for t in TABLES}
        self.sql = {t.name: f"INSERT {'OR IGNORE ' if t.name == 'ikm' else ''}INTO [{t.name}] "
                            f"({', '.join(f'[{c}]' for c in t.column_names)}) VALUES ({', '.join('?' for _ in t.columns)})"
                    for t in TABLES}

    def dict_row(self, table: str, row: dict[str, Any]) -> None:
        self.buffers[table].append(tuple(row[c] for c in BY_NAME[table].column_names))

    def flush(self) -> None:
        for name, rows in self.buffers.items():
            if rows:
                self.conn.executemany(self.sql[name], rows)
                self.buffers[name] = []


def build(tmp: Path, assessments: Iterable, ruleset: RuleSet, inputs: list, report, check: int, seed: int,
          what_if: bool, chunk: int) -> None:
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        for pragma in ("journal_mode = OFF", "synchronous = OFF", "cache_size = -200000", "temp_store = MEMORY"):
            conn.execute(f"PRAGMA {pragma}")
        for t in TABLES:
            conn.execute(t.create_sql())
        conn.execute("BEGIN")
        writer, be = Writer(conn), BatchEvaluator(ruleset)
        ids = _rules(writer, ruleset, be)
        codecs = Codecs(ruleset, ids)
        for row in codecs.rows():
            writer.dict_row("codecs", row)
        writer.flush()
        sampler = Sampler(check, seed)
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
        report.checked = sampler.verify(ruleset, ids)
        _info(writer, ruleset, inputs, report)
        conn.execute("COMMIT")
        conn.execute("BEGIN")
        _indexes(conn)
        facets(conn)
        fts.build(conn)
        for name, sql in VIEWS.items():
            conn.execute(f"CREATE VIEW [{name}] AS {sql.strip()}")
        conn.execute("COMMIT")
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


def facets(conn: sqlite3.Connection) -> None:
    """outcome_facets: each facet column's value counts, as Datasette's facet query would count them."""
    for column in FACET_COLUMNS:
        conn.execute(f"INSERT INTO outcome_facets ([column], value, [count]) SELECT ?, [{column}], count(*) "
                     f"FROM outcomes WHERE [{column}] IS NOT NULL GROUP BY [{column}]", [column])


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


def prepare(a) -> tuple[dict, tuple, tuple, tuple]:
    """(the batch path's dict, the assessment row, the ikm row, the outcome's leading columns without n)."""
    if isinstance(a, dict):
        i = a["ikm"]
        ikm = pr.ikm_key(i["name"], i["province"], i["regency"])
        arow = pr.dict_assessment_row(a, pr.canonical_dict(a), ikm)
        file = getattr(a, "file", None)  # a Record read from a file (engine.inputs.lines)
        if file is not None:
            arow = arow[:11] + (file,) + arow[12:]
        name, d = i["name"], a
    else:
        d, ikm = as_dict(a), pr.ikm_id(a.ikm)
        arow = tuple(pr.assessment_row(a, pr.canonical_input(a), a.origin.file if a.origin else None).values())
        name = a.ikm.name
    key = arow[0]
    return d, arow, (ikm, name, arow[7], arow[8]), (key, key, arow[1], arow[2], ikm, name, arow[4], arow[7], arow[8])


def _data(writer: Writer, assessments: Iterable, ruleset: RuleSet, be: BatchEvaluator, ids: RuleIds,
          codecs: Codecs, report, sampler, whatif, chunk: int) -> None:
    editions: dict[str, EditionRows] = {}
    counts: Counter = Counter()
    it, n = iter(assessments), 0
    while True:
        block = list(islice(it, chunk))
        if not block:
            break
        prepared = [prepare(a) for a in block]
        by_edition: dict[str, list[int]] = {}
        for k, p in enumerate(prepared):
            by_edition.setdefault(p[0]["edition"], []).append(k)
        outcomes: list = [None] * len(block)
        for e, positions in by_edition.items():
            if e not in editions:
                editions[e] = EditionRows(be, e, ids)
            er = editions[e]
            items = [prepared[k][0] for k in positions]
            fields, traces, starts = _run(er, items, [n + k + 1 for k in positions])
            for j, (k, f) in enumerate(zip(positions, fields)):
                arow = prepared[k][1]
                outcomes[k] = (prepared[k][3][0], n + k + 1, *prepared[k][3][1:], *f[:10], arow[9], arow[10],
                               f[10], f[11], __version__)
                counts[(e, f[0], f[1])] += 1
                sampler.offer(n + k, lambda k=k, j=j: (block[k], outcomes[k], traces[starts[j]:_end(starts, j, traces)]))
            writer.buffers["traces"] += [(n + k + 1, codecs.pack_trace(traces[starts[j]:_end(starts, j, traces)]))
                                         for j, k in enumerate(positions)]
            report.trace_steps += len(traces)
        writer.buffers["traces"].sort()
        writer.buffers["assessments"] += [(*p[1][:12], codecs.pack_input(p[1][12]), p[1][13]) for p in prepared]
        writer.buffers["ikm"] += [p[2] for p in prepared]
        writer.buffers["outcomes"] += outcomes
        if whatif is not None:
            whatif.chunk(writer, prepared, outcomes, report)
        writer.flush()
        n += len(block)
    report.assessments = n
    for (e, status, stars), c in sorted(counts.items(), key=lambda kv: (kv[0][0], kv[0][1], kv[0][2] or 0)):
        by = report.by_edition.setdefault(e, Counter())
        by["outcomes"] += c
        by[status] += c
        if stars:
            by[f"stars:{stars}"] += c


def _end(starts: list[int], j: int, traces: list) -> int:
    return starts[j + 1] if j + 1 < len(starts) else len(traces)


def _run(er: EditionRows, items: list[dict], ns: list[int]):
    try:
        return chunk_rows(er, items, ns)
    except BatchInputError as exc:
        raise OvopError(Diagnostic("batch", message=str(exc))) from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise OvopError(Diagnostic("batch", message=f"an assessment of edition {er.edition} lacks a value or has "
                                   f"one of the wrong kind ({exc.__class__.__name__}: {exc}); publish files to have "
                                   f"them checked")) from None


def _info(writer: Writer, ruleset: RuleSet, inputs: list, report) -> None:
    info = {"engine_version": __version__, "assessments": str(report.assessments),
            "trace_steps": str(report.trace_steps), "checked_against_durable_rules": str(report.checked),
            "rules": dumps({e: r.hash for e, r in sorted(ruleset.editions.items())}),
            "inputs": dumps([{"file": f, "sha256": h} for f, h in inputs])}
    for k in sorted(info):
        writer.dict_row("publish_info", {"key": k, "value": info[k]})
    writer.flush()
