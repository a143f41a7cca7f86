"""Publish: evaluate every assessment under its own edition and write one SQLite database for Datasette.

The database is built in a temporary file beside the target, checked (`PRAGMA integrity_check`,
`PRAGMA foreign_key_check`) and only then moved over the old one with `os.replace`. Any failure
leaves the old file as it was and removes the temporary one. Rows carry no timestamps, and every
table is written in key order, so the same inputs give the same rows.
"""
from __future__ import annotations

import hashlib
import multiprocessing
import os
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator

import sqlite_utils

from . import __version__
from .errors import Diagnostic, OvopError
from .publish_rules import dumps, rule_rows
from .publish_schema import BY_NAME, TABLES, VIEWS
from . import publish_rows as pr
from .resolve import RuleSet, load_rules

DEFAULT_DB = Path("build/ovop.db")
DEFAULT_DATASETS = Path("datasets")
SUFFIXES = (".yaml", ".yml", ".json")
EXCLUDED = ("published_results",)
CHUNK = 400
PARALLEL_FROM = 4000


@dataclass
class PublishReport:
    db_path: Path
    files: list[str]
    assessments: int
    trace_steps: int
    by_edition: dict[str, Counter] = field(default_factory=dict)
    seconds: float = 0.0

    def rows(self) -> list[tuple[str, int, int, int, int, str]]:
        """(edition, outcomes, awarded, not awarded, ineligible, stars histogram) per edition."""
        out = []
        for e, c in sorted(self.by_edition.items()):
            stars = ", ".join(f"{k[6:]}★ {v}" for k, v in sorted(c.items()) if k.startswith("stars:"))
            out.append((e, c["outcomes"], c["awarded"], c["not_awarded"], c["ineligible"], stars))
        return out


def dataset_files(paths: Iterable[str | Path]) -> list[Path]:
    """Assessment files named, or found under named folders (recursively), in path order; published results excluded."""
    found: set[Path] = set()
    for p in map(Path, paths):
        if p.is_dir():
            found |= {f for f in p.rglob("*") if f.is_file() and f.suffix.lower() in SUFFIXES
                      and not any(x in f.stem for x in EXCLUDED)}
        elif p.exists():
            found.add(p)
        else:
            raise OvopError(Diagnostic(str(p), message="no such file or folder",
                                       allowed="assessment files (.yaml, .yml, .json) or folders holding them"))
    return sorted(found, key=lambda f: f.as_posix())


def publish(db_path: str | Path = DEFAULT_DB, dataset_paths: Iterable[str | Path] | None = None,
            rules_dir: str | Path = "rules", workers: int | None = None) -> PublishReport:
    """Validate every input (nothing is written on any error), evaluate, and replace `db_path` atomically."""
    started = time.perf_counter()
    ruleset = load_rules(rules_dir)
    files = dataset_files(dataset_paths if dataset_paths else [DEFAULT_DATASETS])
    if not files:
        raise OvopError(Diagnostic(str(DEFAULT_DATASETS), message="no assessment files found",
                                   allowed="name files or folders: ovop publish datasets/ more.yaml"))
    from .assessment import load_assessments
    assessments = load_assessments(files, ruleset)
    inputs = [(f.as_posix(), hashlib.sha256(f.read_bytes()).hexdigest()) for f in files]
    report = publish_assessments(db_path, assessments, ruleset, inputs, workers)
    report.seconds = time.perf_counter() - started
    return report


def publish_assessments(db_path: str | Path, assessments: list, ruleset: RuleSet,
                        inputs: list[tuple[str, str]] | None = None, workers: int | None = None) -> PublishReport:
    """Evaluate checked assessments and write the database atomically (the API under `publish`)."""
    started = time.perf_counter()
    target = Path(db_path)
    if target.is_dir():
        raise OvopError(Diagnostic(str(target), message="is a folder, not a database file"))
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OvopError(Diagnostic(str(target), message=f"cannot write beside the database: {exc.strerror}"))
    tmp = Path(tmp_name)
    ordered = sorted(assessments, key=lambda a: (a.edition, a.id))
    report = PublishReport(target, [f for f, _ in inputs or []], len(ordered), 0)
    try:
        _build(tmp, ordered, ruleset, inputs or [], report, _workers(workers, len(ordered)))
        _check(tmp)
        _fsync(tmp)
        tmp.chmod(0o666 & ~_umask())
        os.replace(tmp, target)
    except sqlite3.Error as exc:
        raise OvopError(Diagnostic(str(target), message=f"cannot write the database: {exc}")) from None
    except OSError as exc:
        raise OvopError(Diagnostic(str(target), message=f"cannot write the database: {exc.strerror or exc}")) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    report.seconds = time.perf_counter() - started
    return report


def _workers(requested: int | None, n: int) -> int:
    if requested is not None:
        return max(1, requested)
    return 1 if n < PARALLEL_FROM else max(1, min(4, os.cpu_count() or 1))


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def _build(tmp: Path, assessments: list, ruleset: RuleSet, inputs: list, report: PublishReport, workers: int) -> None:
    db = sqlite_utils.Database(str(tmp))
    try:
        db.execute("PRAGMA journal_mode = OFF")
        db.execute("PRAGMA synchronous = OFF")
        _create_tables(db)
        with db.conn:
            rules = _insert_rules(db, ruleset)
            _insert_data(db, assessments, ruleset, rules, report, workers)
            _insert_info(db, ruleset, inputs, report)
        with db.conn:
            _create_indexes(db)
            for name, sql in VIEWS.items():
                db.create_view(name, sql.strip())
        db.execute("ANALYZE")
    finally:
        db.close()


def _create_tables(db: sqlite_utils.Database) -> None:
    for t in TABLES:
        db[t.name].create(t.columns, pk=t.pk, foreign_keys=t.fks, not_null=[t.pk] if isinstance(t.pk, str) else t.pk)


def _create_indexes(db: sqlite_utils.Database) -> None:
    for t in TABLES:
        for cols in t.indexes:
            db[t.name].create_index(list(cols), index_name=f"idx_{t.name}_{'_'.join(cols)}")


class _Writer:
    """Buffered inserts, in schema column order, with executemany."""

    def __init__(self, db: sqlite_utils.Database, size: int = 5000):
        self.conn, self.size, self.buffers = db.conn, size, {}
        self.sql = {t.name: f"INSERT INTO [{t.name}] ({', '.join(f'[{c}]' for c in t.column_names)}) "
                            f"VALUES ({', '.join('?' for _ in t.column_names)})" for t in TABLES}

    def add(self, table: str, row: dict[str, Any]) -> None:
        buf = self.buffers.setdefault(table, [])
        buf.append(tuple(row[c] for c in BY_NAME[table].column_names))
        if len(buf) >= self.size:
            self.flush(table)

    def flush(self, table: str | None = None) -> None:
        for name in [table] if table else list(self.buffers):
            if self.buffers.get(name):
                self.conn.executemany(self.sql[name], self.buffers[name])
                self.buffers[name] = []


def _insert_rules(db: sqlite_utils.Database, ruleset: RuleSet) -> set[str]:
    writer, keys = _Writer(db), set()
    for table, row in rule_rows(ruleset):
        writer.add(table, row)
        if "key" in row:
            keys.add(row["key"])
    writer.flush()
    return keys


def _insert_data(db, assessments: list, ruleset: RuleSet, rules: set[str], report: PublishReport, workers: int) -> None:
    writer, seen_ikm = _Writer(db), {}
    bundles = _bundles(assessments, ruleset, rules, workers)
    for bundle in bundles:
        for table, rows in bundle.items():
            for row in rows:
                if table == "ikm":
                    if row["id"] in seen_ikm:
                        continue
                    seen_ikm[row["id"]] = row
                writer.add(table, row)
        _count(report, bundle)
    writer.flush()


def _count(report: PublishReport, bundle: dict[str, list]) -> None:
    report.trace_steps += len(bundle["trace_steps"])
    for o in bundle["outcomes"]:
        c = report.by_edition.setdefault(o["edition"], Counter())
        c["outcomes"] += 1
        c[o["status"]] += 1
        if o["stars"]:
            c[f"stars:{o['stars']}"] += 1


def _insert_info(db, ruleset: RuleSet, inputs: list, report: PublishReport) -> None:
    info = {"engine_version": __version__, "assessments": str(report.assessments),
            "trace_steps": str(report.trace_steps),
            "rules": dumps({e: r.hash for e, r in sorted(ruleset.editions.items())}),
            "inputs": dumps([{"file": f, "sha256": h} for f, h in inputs])}
    writer = _Writer(db)
    for k in sorted(info):
        writer.add("publish_info", {"key": k, "value": info[k]})
    writer.flush()


def _check(tmp: Path) -> None:
    conn = sqlite3.connect(str(tmp))
    try:
        ok = conn.execute("PRAGMA integrity_check").fetchall()
        bad = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    if ok != [("ok",)]:
        raise OvopError(Diagnostic(str(tmp), message=f"integrity check failed: {ok[:5]}"))
    if bad:
        raise OvopError(Diagnostic(str(tmp), message=f"{len(bad)} rows break a foreign key, e.g. {bad[:3]}"))


# --- evaluation: in this process, or in worker processes that each compile their own rule sets -------------

_state: dict[str, Any] = {}


def rows_for(a, ruleset: RuleSet, evaluator, rules: set[str]) -> dict[str, list[dict]]:
    """Every row one assessment contributes, by table."""
    o = evaluator.evaluate(a)
    input_json = pr.canonical_input(a)
    origin = a.origin.file if a.origin else None
    arow, d = pr.assessment_row(a, input_json, origin), o.to_json()
    return {"ikm": [pr.ikm_row(a)], "assessments": [arow], "evidence": pr.evidence_rows(a),
            "outcomes": [pr.outcome_row(a, o, arow["input_hash"], pr.explanations(o, a, ruleset), d)],
            "trace_steps": pr.trace_rows(o, rules, d)}


def _bundles(assessments: list, ruleset: RuleSet, rules: set[str], workers: int) -> Iterator[dict[str, list]]:
    if workers <= 1:
        from .evaluate import Evaluator
        ev = Evaluator(ruleset)
        for a in assessments:
            yield rows_for(a, ruleset, ev, rules)
        return
    chunks = [assessments[i:i + CHUNK] for i in range(0, len(assessments), CHUNK)]
    ctx = multiprocessing.get_context("spawn")
    with ctx.Pool(workers, initializer=_init_worker, initargs=(str(ruleset.directory), rules)) as pool:
        for merged in pool.imap(_work, chunks):
            yield merged


def _init_worker(rules_dir: str, rules: set[str]) -> None:
    from .evaluate import Evaluator
    ruleset = load_rules(rules_dir)
    _state.update(ruleset=ruleset, evaluator=Evaluator(ruleset), rules=rules)


def _work(chunk: list) -> dict[str, list]:
    merged: dict[str, list] = {}
    for a in chunk:
        for table, rows in rows_for(a, _state["ruleset"], _state["evaluator"], _state["rules"]).items():
            merged.setdefault(table, []).extend(rows)
    return merged
