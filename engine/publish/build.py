"""Publish: evaluate every assessment under its own edition and write one SQLite database for Datasette.

Evaluation runs through the batch executor (engine.batch.evaluator), compiled from the same rule set as the
durable_rules path; `check` assessments, picked at random with a fixed seed, are evaluated again through
durable_rules and any difference in an outcome field or a trace step fails the publish.

The database is built in a temporary file beside the target, checked (`PRAGMA quick_check`,
`PRAGMA foreign_key_check`, trace steps against outcomes) and only then moved over the old one with
`os.replace`. Any failure leaves the old file as it was and removes the temporary one. Rows carry no
timestamps, and every table is written in the input's key order, so the same inputs give the same rows.
"""
from __future__ import annotations

import hashlib
import os
import sqlite3
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from ..errors import Diagnostic, OvopError, Text
from ..rules import RuleSet, load_rules

DEFAULT_DB = Path("build/ovop.db")
DEFAULT_DATASETS = Path("datasets")
SUFFIXES = (".yaml", ".yml", ".json")
EXCLUDED = ("published_results",)
DEFAULT_CHECK = 200
CHECK_SEED = 20240


@dataclass
class PublishReport:
    db_path: Path
    files: list[str]
    assessments: int
    trace_steps: int
    by_edition: dict[str, Counter] = field(default_factory=dict)
    seconds: float = 0.0
    checked: int = 0
    what_if: int = 0
    facets: dict = field(default_factory=dict)  # facet column (or (edition, column)) -> Counter of its values
    what_if_missing: int = 0

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
            if not any(x in p.stem for x in EXCLUDED):  # the published results are read on their own
                found.add(p)
        else:
            raise OvopError(Diagnostic(str(p), message=Text("berkas atau folder tidak ada", "no such file or folder"),
                                       allowed=Text("berkas penilaian (.yaml, .yml, .json; .jsonl untuk populasi) "
                                                    "atau folder yang memuatnya", "assessment files (.yaml, .yml, "
                                                    ".json; .jsonl for populations) or folders holding them")))
    return sorted(found, key=lambda f: f.as_posix())


def publish(db_path: str | Path = DEFAULT_DB, dataset_paths: Iterable[str | Path] | None = None,
            rules_dir: str | Path = "rules", workers: int | None = None, check: int = DEFAULT_CHECK,
            what_if: bool = False) -> PublishReport:
    """Validate every input (nothing is written on any error), evaluate, and replace `db_path` atomically.
    `workers`: processes for a large JSON Lines file (None: `parallel.workers()`'s default; 0: this one)."""
    from . import parallel
    with parallel.using(workers):
        return _publish(db_path, dataset_paths, rules_dir, check, what_if)


def _publish(db_path, dataset_paths, rules_dir, check: int, what_if: bool) -> PublishReport:
    started = time.perf_counter()
    from . import guard
    guard.target(db_path)  # refused before any input is read: a file publish did not write
    ruleset = load_rules(rules_dir)
    files = dataset_files(dataset_paths if dataset_paths else [DEFAULT_DATASETS])
    if not files:
        raise OvopError(Diagnostic(str(DEFAULT_DATASETS), message="no assessment files found",
                                   allowed="name files or folders: ovop publish datasets/ more.yaml"))
    from ..inputs import read_population
    from .parallel import workers as publish_workers
    # every file checked (first pass: a large file's chunks parsed and checked in workers); nothing held but keys
    # and offsets
    scan = read_population(files, ruleset, publish_workers())
    scan.release()
    inputs = [(f.as_posix(), _sha256(f)) for f in files]
    from . import published as publish_published
    published = publish_published.find([Path(p) for p in (dataset_paths or [DEFAULT_DATASETS])])
    if published is not None:
        publish_published.load_published(published)  # checked before anything is written
    # the records streamed in (edition, id) order (second pass), chunk by chunk: memory flat
    report = publish_stream(db_path, scan.records(), ruleset, inputs, check=check, what_if=what_if,
                            published=published)
    report.seconds = time.perf_counter() - started
    return report


def _sha256(path: Path) -> str:
    with open(path, "rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def publish_assessments(db_path: str | Path, assessments: list, ruleset: RuleSet,
                        inputs: list[tuple[str, str]] | None = None, workers: int | None = None,
                        check: int = DEFAULT_CHECK, what_if: bool = False,
                        published: Path | None = None) -> PublishReport:
    """Checked assessments (Assessment objects or dicts), sorted by (edition, id), written atomically.

    `workers`: processes for a large population (None: OVOP_PUBLISH_WORKERS, else none: records in memory
    would be pickled to them, which did not pay; see docs/benchmarks.md)."""
    ordered = sorted(assessments, key=_order)
    if inputs is None:  # the files the assessments were read from, as publish lists them
        files = sorted({a.origin.file for a in ordered if not isinstance(a, dict) and a.origin and a.origin.file})
        inputs = [(f, _sha256(Path(f))) for f in files if Path(f).is_file()]
    from . import parallel
    with parallel.using(workers):
        return publish_stream(db_path, ordered, ruleset, inputs, check=check, what_if=what_if, published=published)


def _order(a) -> tuple[str, str]:
    return (a["edition"], a["id"]) if isinstance(a, dict) else (a.edition, a.id)


def publish_stream(db_path: str | Path, assessments: Iterable, ruleset: RuleSet,
                   inputs: list[tuple[str, str]] | None = None, *, check: int = DEFAULT_CHECK,
                   what_if: bool = False, chunk: int | None = None, published: Path | None = None) -> PublishReport:
    """Write assessments as they come (memory flat: `chunk` at a time); their order is the rows' order.

    Dicts are taken as valid (generated in process); files go through `publish`, which checks them."""
    from . import guard
    started = time.perf_counter()
    target = guard.target(db_path)  # a symlink's target; an existing file only if publish wrote it
    with guard.locked(target):
        report = _replace(target, assessments, ruleset, inputs, check, what_if, chunk, published)
    report.db_path = Path(db_path)
    report.seconds = time.perf_counter() - started
    return report


def _replace(target: Path, assessments: Iterable, ruleset: RuleSet, inputs, check: int, what_if: bool,
             chunk: int | None, published: Path | None) -> PublishReport:
    """Build beside `target`, check, and move over it (the publish lock held)."""
    from . import guard
    from . import write as publish_write
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OvopError(Diagnostic(str(target), message=f"cannot write beside the database: {exc.strerror}"))
    tmp = Path(tmp_name)
    report = PublishReport(target, [f for f, _ in inputs or []], 0, 0)
    try:
        publish_write.build(tmp, assessments, ruleset, inputs or [], report, check, CHECK_SEED, what_if,
                            chunk or publish_write.CHUNK)
        if published is not None:
            from . import published as publish_published
            publish_published.write(tmp, published)
        guard.mark(tmp)
        check_database(tmp)
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
    return report


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _fsync(path: Path) -> None:
    with open(path, "rb") as fh:
        os.fsync(fh.fileno())


def check_database(tmp: Path) -> None:
    """quick_check, foreign_key_check, and trace steps within the outcomes; OvopError on any failure. The two
    pragmas read the file on their own connections at once (SQLite works without the GIL: 0.51 → 0.43 s at
    100,000)."""
    from concurrent.futures import ThreadPoolExecutor

    def ask(*sql: str) -> list:
        conn = sqlite3.connect(str(tmp))
        try:
            return [conn.execute(s).fetchall() for s in sql]
        finally:
            conn.close()
    # quick_check: the b-trees and records (integrity_check: also every index against its table, 10× the time);
    # trace steps point at outcomes by n (no declared key: Datasette would link n as a key)
    with ThreadPoolExecutor(1) as pool:
        checked = pool.submit(ask, "PRAGMA quick_check")
        bad, bounds, t_bounds = ask("PRAGMA foreign_key_check", "select count(*), min(n), max(n) from outcomes",
                                    "select min(outcome), max(outcome) from traces")
        (ok,) = checked.result()
    (n, low, high), (t_low, t_high) = bounds[0], t_bounds[0]
    if ok != [("ok",)]:
        raise OvopError(Diagnostic(str(tmp), message=f"integrity check failed: {ok[:5]}"))
    if bad:
        raise OvopError(Diagnostic(str(tmp), message=f"{len(bad)} rows break a foreign key, e.g. {bad[:3]}"))
    if n and (low != 1 or high != n or t_low < 1 or t_high > n):
        raise OvopError(Diagnostic(str(tmp), message="trace steps point outside the outcomes"))
