"""`ovop impact --publish`: one impact run added to the published database, for the site's what-if pages.

Four tables: `impact_runs` (one row per draft and base, with the answers assumed under the draft),
`impact_transitions` (the matrix, cells that are not zero), `impact_movers` (the reasons in Indonesian and
in English) and `impact_not_retargeted`. A run's id is "DRAFT-vs-BASE"; publishing the same
draft and base again replaces that run's rows and keeps every other run.
`ovop publish` writes a new database, without impact runs: publish them again after it.

Written like `ovop publish`: the current database is copied to a temporary file beside it, the rows are
added there, the copy is checked (`PRAGMA integrity_check`, `PRAGMA foreign_key_check`) and only then moved
over the old file with `os.replace`. On any failure the old file is left as it was and the copy removed.
"""
from __future__ import annotations

import json
import os
import shutil
import sqlite3
import tempfile
from pathlib import Path

from ..errors import Diagnostic, OvopError, say
from ..publish import I, R, T, Table, check_database, guard
from ..rules import RuleSet
from .core import Impact

TABLES: list[Table] = [
    Table("impact_runs", {"run": T, "draft": T, "base": T, "draft_hash": T, "base_hash": T, "datasets": T,
                          "states": T, "evaluated": I, "movers": I, "not_retargeted": I, "checked": I,
                          "assumed": T}, "run"),
    Table("impact_transitions", {"run": T, "base_state": T, "base_status": T, "base_stars": I, "draft_state": T,
                                 "draft_status": T, "draft_stars": I, "assessments": I},
          ("run", "base_state", "draft_state"), [("run", "impact_runs", "run")]),
    Table("impact_movers", {"run": T, "n": I, "id": T, "assessment": T, "file": T, "base_status": T,
                            "base_stars": I, "draft_status": T, "draft_stars": I, "base_score": R, "draft_score": R,
                            "reasons": T, "reasons_json": T, "reasons_en": T, "reasons_en_json": T},
          ("run", "n"), [("run", "impact_runs", "run"), ("assessment", "assessments", "key")], [("assessment",)]),
    Table("impact_not_retargeted", {"run": T, "n": I, "id": T, "assessment": T, "file": T, "edition": T,
                                    "reason": T},
          ("run", "n"), [("run", "impact_runs", "run"), ("assessment", "assessments", "key")], [("assessment",)]),
]


def run_id(draft: str, base: str) -> str:
    return f"{draft}-vs-{base}"


def check_target(db_path: str | Path) -> Path:
    """The published database to add to; it must exist (impact runs sit beside published outcomes)."""
    if not Path(db_path).is_file():
        raise OvopError(Diagnostic(str(db_path), message="no such database file: impact --publish adds to a published "
                                   "database", allowed="run `ovop publish` first (or name one with --db)"))
    return guard.target(db_path)  # a symlink's target; only a database publish wrote


def publish_impact(db_path: str | Path, result: Impact, ruleset: RuleSet) -> str:
    """Add (or replace) the run of `result` in the database, atomically; the run id."""
    target = check_target(db_path)
    with guard.locked(target):  # one writer at a time, as `ovop publish`
        return _add(target, result, ruleset)


def _add(target: Path, result: Impact, ruleset: RuleSet) -> str:
    try:
        fd, name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
        os.close(fd)
    except OSError as exc:
        raise OvopError(Diagnostic(str(target), message=f"cannot write beside the database: {exc.strerror}"))
    tmp = Path(name)
    try:
        shutil.copyfile(target, tmp)
        _write(tmp, result, ruleset)
        check_database(tmp)
        with open(tmp, "rb") as fh:
            os.fsync(fh.fileno())
        shutil.copymode(target, tmp)
        os.replace(tmp, target)
    except sqlite3.Error as exc:
        raise OvopError(Diagnostic(str(target), message=f"cannot add the impact run: {exc}",
                                   allowed="a database written by `ovop publish`")) from None
    except OSError as exc:
        raise OvopError(Diagnostic(str(target), message=f"cannot write the database: {exc.strerror or exc}")) from None
    finally:
        if tmp.exists():
            tmp.unlink()
    return run_id(result.draft, result.base)


def _write(tmp: Path, result: Impact, ruleset: RuleSet) -> None:
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        conn.execute("PRAGMA foreign_keys = OFF")  # checked as a whole below, before the file is used
        conn.execute("BEGIN")
        known = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
        if "assessments" not in known:
            raise OvopError(Diagnostic(str(tmp), message="not a published database (no assessments table)",
                                       allowed="a database written by `ovop publish`"))
        _create(conn, known)
        run = run_id(result.draft, result.base)
        for t in reversed(TABLES):
            conn.execute(f"DELETE FROM [{t.name}] WHERE run = ?", [run])
        for t, rows in zip(TABLES, rows_of(result, ruleset, _keys(conn, result))):
            marks = ", ".join("?" for _ in t.columns)
            conn.executemany(f"INSERT INTO [{t.name}] VALUES ({marks})", rows)
        conn.execute("COMMIT")
    finally:
        conn.close()


def _create(conn: sqlite3.Connection, known: set[str]) -> None:
    for t in TABLES:
        if t.name in known:
            continue
        conn.execute(t.create_sql())
        for cols in t.indexes:
            conn.execute(f"CREATE INDEX [idx_{t.name}_{'_'.join(cols)}] ON [{t.name}] "
                         f"({', '.join(f'[{c}]' for c in cols)})")


def _keys(conn: sqlite3.Connection, result: Impact):
    """(file, id) -> the published assessment's key, or None when it is not in the database.

    By the edition the file states; for JSON Lines (edition not kept) by the id when one assessment has it."""
    ids = {m.id for m in result.moves} | {s["id"] for s in result.skipped}
    published: dict[str, list[str]] = {}
    for key, ident in conn.execute("select key, id from assessments order by key"):
        if ident in ids:
            published.setdefault(ident, []).append(key)

    def key(file: str, ident: str) -> str | None:
        found = published.get(ident, [])
        edition = result.declared.get((file, ident))
        if edition is not None:
            return f"{edition}/{ident}" if f"{edition}/{ident}" in found else None
        return found[0] if len(found) == 1 else None
    return key


def split(state: str) -> tuple[str, int | None]:
    """A state of the matrix ("3", "not_awarded", "conditional:2") as (status, stars)."""
    if state.startswith("conditional:"):
        stars = state.split(":", 1)[1]
        return "conditional", int(stars) if stars.isdigit() else None
    return ("awarded", int(state)) if state.isdigit() else (state, None)


def _said(reasons: list, lang: str) -> tuple[str, str]:
    """The reasons in one language: readable (joined by "; ") and as a JSON list."""
    said = [say(r, lang) for r in reasons]
    return "; ".join(said), json.dumps(said, ensure_ascii=False)


def rows_of(result: Impact, ruleset: RuleSet, key) -> list[list[tuple]]:
    """The rows of each table, in TABLES order."""
    run = run_id(result.draft, result.base)
    runs = [(run, result.draft, result.base, ruleset.get(result.draft).hash, ruleset.get(result.base).hash,
             json.dumps(result.files, ensure_ascii=False), json.dumps(result.states), result.evaluated,
             len(result.moves), len(result.skipped), result.checked, json.dumps(result.assumed, ensure_ascii=False))]
    cells = [(run, b, *split(b), a, *split(a), result.matrix[b][a])
             for b in result.states for a in result.states if result.matrix[b][a]]
    movers = [(run, n, m.id, key(m.file, m.id), m.file, *split(m.before), *split(m.after), m.score_before,
               m.score_after, *_said(m.reasons, "id"), *_said(m.reasons, "en"))
              for n, m in enumerate(result.moves, 1)]
    skipped = [(run, n, s["id"], key(s["file"], s["id"]), s["file"], s["edition"], s["reason"])
               for n, s in enumerate(result.skipped, 1)]
    return [runs, cells, movers, skipped]
