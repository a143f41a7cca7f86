"""Verify a published database: evaluate every stored input again, under its stored edition, with the
current rules, and report every outcome field and trace step that differs, and every edition whose
rules changed since publishing."""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from random import Random
from typing import Any

from ..errors import Diagnostic, OvopError
from ..rules import limits, load_rules
from . import packing
from . import rows as pr
from .rules import rule_rows
from .schema import BY_NAME
from .steps import RuleIds, durable_rows

OUTCOME_COLUMNS = BY_NAME["outcomes"].column_names


@dataclass(frozen=True)
class Difference:
    key: str
    field: str
    published: Any
    current: Any

    def render(self) -> str:
        return f"{self.key}: {self.field}: published {_show(self.published)}, now {_show(self.current)}"


@dataclass
class VerifyReport:
    checked: int = 0
    differences: list[Difference] = field(default_factory=list)
    rules_changed: list[tuple[str, str | None, str | None]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.differences and not self.rules_changed

    def lines(self) -> list[str]:
        out = [f"edition {e}: published with rules {p or '(none)'}, current rules {c or '(none)'}"
               for e, p, c in self.rules_changed]
        return out + [d.render() for d in self.differences]


def _show(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value
    return text if len(text) <= 120 else text[:117] + "..."


def verify(db_path: str | Path, rules_dir: str | Path = "rules", sample: int | None = None,
           seed: int = 0) -> VerifyReport:
    """Every outcome (or a seeded random `sample` of them) evaluated again through durable_rules."""
    path = Path(db_path)
    if path.exists() and not path.is_file():  # a FIFO, a device, a folder: named as what it is
        limits.open_regular(path).close()
    if not path.is_file():
        raise OvopError(Diagnostic(str(path), message="basis data tidak ada / no such database file",
                                   allowed="a database written by ovop publish"))
    ruleset = load_rules(rules_dir)
    conn = _open(path)
    try:
        report = VerifyReport()
        report.rules_changed = _rules_changed(conn, ruleset)
        _compare_all(conn, ruleset, report, sample, seed)
        _audit(conn, ruleset, report, sample)
        return report
    finally:
        conn.close()


def _audit(conn, ruleset, report: VerifyReport, sample: int | None) -> None:
    """The rest of the database (engine.publish.audit): schema, criteria tables, the population."""
    from . import audit
    from ..batch import BatchEvaluator
    changed = {e for e, _, _ in report.rules_changed}
    published = {r[0] for r in conn.execute("select id from editions")}
    known = {row["key"] for _, row in rule_rows(ruleset) if "key" in row}
    be = BatchEvaluator(ruleset)
    ids = RuleIds([be.plan(e).c for e in sorted(ruleset.editions)], known)
    found = list(audit.schema(conn)) + list(audit.criteria(conn, ruleset, ids, (published & set(ruleset.editions)) - changed))
    if not changed and published == set(ruleset.editions):  # the dictionaries come from the whole rule set
        found += list(audit.codecs(conn, ruleset, ids))
    if sample is None:
        found += list(audit.population(conn, ruleset))
    report.differences += [Difference(*f) for f in found]


def _open(path: Path) -> sqlite3.Connection:
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        conn.row_factory = sqlite3.Row
        conn.text_factory = _text  # a tampered text that is not UTF-8 is a difference to report, not a crash
        packing.register(conn)
        names = {r[0] for r in conn.execute("select name from sqlite_master where type = 'table'")}
    except sqlite3.DatabaseError as exc:
        raise OvopError(Diagnostic(str(path), message=f"bukan basis data SQLite yang terbaca / not a readable SQLite "
                                   f"database: {exc}", allowed="a database written by ovop publish")) from None
    missing = {"editions", "assessments", "outcomes", "traces", "codecs", "rules"} - names
    if missing:
        conn.close()
        raise OvopError(Diagnostic(str(path), message="bukan basis data yang ditulis ovop publish / not a database "
                                   f"written by ovop publish (no {', '.join(sorted(missing))} table)",
                                   allowed="a database written by ovop publish"))
    return conn


def _text(data: bytes) -> str:
    return data.decode("utf-8", "replace")


def _rules_changed(conn, ruleset) -> list[tuple[str, str | None, str | None]]:
    published = {r["id"]: r["hash"] for r in conn.execute("select id, hash from editions order by id")}
    current = {e: r.hash for e, r in ruleset.editions.items()}
    return [(e, published.get(e), current.get(e)) for e in sorted(set(published) | set(current))
            if e in published and published.get(e) != current.get(e)]


SQL = ("select o.*, a.input_packed as a_input_packed, a.input_hash as a_input_hash, t.steps as t_steps "
       "from outcomes o left join assessments a on a.key = o.assessment left join traces t on t.outcome = o.n")


def _compare_all(conn, ruleset, report: VerifyReport, sample: int | None, seed: int) -> None:
    from ..batch import BatchEvaluator
    from ..decide import Evaluator
    from ..inputs import Catalogue
    catalogue, evaluator = Catalogue.of(ruleset), Evaluator(ruleset)
    known = {row["key"] for _, row in rule_rows(ruleset) if "key" in row}
    be = BatchEvaluator(ruleset)
    ids = RuleIds([be.plan(e).c for e in sorted(ruleset.editions)], known)
    stored_rules = {r["id"]: r["key"] for r in conn.execute("select id, key from rules")}
    dictionaries = {r["part"]: bytes(r["dictionary"])
                    for r in conn.execute("select part, cast(dictionary as blob) as dictionary from codecs")}
    if sample is None:
        rows = conn.execute(SQL + " order by o.key")
    else:
        keys = [r[0] for r in conn.execute("select key from outcomes order by key")]
        picked = sorted(Random(seed).sample(keys, min(sample, len(keys))))
        rows = (conn.execute(SQL + " where o.key = ?", [k]).fetchone() for k in picked)
    for row in rows:
        report.checked += 1
        try:
            text = _unpacked(row["a_input_packed"], dictionaries.get("input"))
            steps = packing.trace_rows(row["n"], _unpacked(row["t_steps"], dictionaries.get("trace")) or "[]")
        except (ValueError, TypeError) as exc:
            report.differences.append(Difference(row["key"], "packed", "unreadable", f"readable ({exc})"))
            continue
        trace = [(r[1], stored_rules.get(r[2]), *r[3:]) for r in steps]
        report.differences += _compare_one(row, text, trace, catalogue, evaluator, ids, conn)
    if sample is None:
        orphans = conn.execute("select key from assessments where key not in (select assessment from outcomes) order by key")
        report.differences += [Difference(r["key"], "outcome", None, "an assessment without an outcome") for r in orphans]
        stray = conn.execute("select count(*) from traces where outcome not in (select n from outcomes)").fetchone()[0]
        if stray:
            report.differences.append(Difference("traces", "outcome", f"{stray} traces of no outcome", None))


def _unpacked(packed, dictionary: bytes | None) -> str | None:
    if packed is None:
        return None
    if dictionary is None:
        raise ValueError("no dictionary in codecs")
    return packing.unpack(bytes(packed), dictionary)


def _compare_one(row, text: str | None, stored_trace: list[tuple], catalogue, evaluator, ids: RuleIds,
                 conn=None) -> list[Difference]:
    key = row["key"]
    if text is None:
        return [Difference(key, "assessment", None, "the outcome's assessment row is missing")]
    diffs = []
    if pr.digest(text) != row["a_input_hash"]:
        diffs.append(Difference(key, "input_hash", pr.digest_text(row["a_input_hash"]), pr.sha256(text)))
    try:
        a = assessment_from_json(text, key, catalogue)
    except OvopError as exc:
        return diffs + [Difference(key, "input_json", "valid", exc.render())]
    if a.edition != row["edition"]:
        diffs.append(Difference(key, "edition", row["edition"], a.edition))
    if conn is not None:  # the assessment and ikm rows against the stored input
        from . import audit
        diffs += [Difference(*f) for f in audit.inputs(conn, key, a, text)]
    try:
        o = evaluator.evaluate(a)
    except OvopError as exc:
        return diffs + [Difference(key, "evaluation", "an outcome", exc.render())]
    expected = pr.outcome_row(a, o, row["n"])
    diffs += [Difference(key, c, row[c], expected[c]) for c in OUTCOME_COLUMNS if row[c] != expected[c]]
    current = [(r[1], ids.rows[r[2] - 1]["key"].split("/", 1)[1], *r[3:]) for r in durable_rows(o, row["n"], ids)]
    stored = [(s, k.split("/", 1)[1] if k else None, *rest) for s, k, *rest in stored_trace]
    return diffs + _compare_trace(key, stored, current)


TRACE_FIELDS = ("step", "rule", "value", "result", "points")


def _compare_trace(key: str, stored: list[tuple], expected: list[tuple]) -> list[Difference]:
    if len(stored) != len(expected):
        return [Difference(key, "trace_steps", f"{len(stored)} steps", f"{len(expected)} steps")]
    out = []
    for s, e in zip(stored, expected):
        out += [Difference(key, f"trace_steps[{e[0]}].{c}", x, y) for c, x, y in zip(TRACE_FIELDS, s, e) if x != y]
    return out


def assessment_from_json(text: str, key: str, catalogue):
    """One stored input, checked exactly as a file would be (numbers as written); OvopError if invalid."""
    from ..inputs import check_file, json_source
    source = json_source(text, f"assessments[{key}].input_json", positions=False)
    found, errors = check_file(source, catalogue, None, None, [])
    if errors or len(found) != 1:
        raise OvopError(errors or f"{key}: input_json holds no assessment")
    return found[0]
