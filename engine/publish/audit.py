"""What `verify` checks beyond the outcomes: the whole database against what publish would write.

  * schema: every table, index and view publish creates, with the same SQL; no view or trigger of its own;
  * criteria: the rule tables (editions, sources, commodities, gates, groups, criteria, levels, bands, caps,
    consequences, rules) of each published edition whose rules are unchanged, row by row, column by column;
  * inputs: each assessment and ikm row against the stored input it was read from;
  * the population: outcomes numbered 1..N with no gap, `publish_info` (its keys, counts, rule hashes,
    engine version) against the tables, and, when the input files named there are still as they were,
    the set of assessments they hold against the set of outcomes (nothing deleted, nothing added).

Each check yields (where, field, published, expected) for every difference.
"""
from __future__ import annotations

import hashlib
import json
import sqlite3
from pathlib import Path
from typing import Any, Iterator

from . import rows as pr
from .rules import dumps, rule_rows
from .schema import BY_NAME, TABLES, VIEWS

Found = tuple[str, str, Any, Any]
RULE_TABLES = ("editions", "sources", "commodities", "gates", "groups", "criteria", "levels", "bands", "caps",
               "consequences", "rules")
INFO_KEYS = {"engine_version", "assessments", "trace_steps", "checked_against_durable_rules", "rules", "inputs"}


def _norm_sql(sql: str | None) -> str:
    return " ".join((sql or "").split())


def reference_schema() -> dict[tuple[str, str], str]:
    """(type, name) -> SQL of every table, index and view publish creates."""
    from .write import _indexes
    ref = sqlite3.connect(":memory:")
    try:
        for t in TABLES:
            ref.execute(t.create_sql())
        _indexes(ref)
        for name, sql in VIEWS.items():
            ref.execute(f"CREATE VIEW [{name}] AS {sql.strip()}")
        return {(r[0], r[1]): _norm_sql(r[2]) for r in
                ref.execute("select type, name, sql from sqlite_master where name not like 'sqlite_%'")}
    finally:
        ref.close()


def schema(conn: sqlite3.Connection) -> Iterator[Found]:
    have = {(r[0], r[1]): _norm_sql(r[2]) for r in
            conn.execute("select type, name, sql from sqlite_master where name not like 'sqlite_%'")}
    for (kind, name), sql in sorted(reference_schema().items()):
        if (kind, name) not in have:
            yield f"schema.{kind}[{name}]", "sql", None, sql
        elif have[(kind, name)] != sql:
            yield f"schema.{kind}[{name}]", "sql", have[(kind, name)], sql
    ref = reference_schema()
    for (kind, name), sql in sorted(have.items()):
        if kind in ("view", "trigger") and (kind, name) not in ref:
            yield f"schema.{kind}[{name}]", "sql", sql, None


def _normalised(table: str, rows: list[dict]) -> dict[Any, tuple]:
    """Rows as SQLite stores them (types by column affinity), by primary key."""
    t = BY_NAME[table]
    mem = sqlite3.connect(":memory:")
    try:
        mem.execute(t.create_sql())
        cols, stored = t.column_names, t.stored
        mem.executemany(f"insert into [{table}] ({', '.join(f'[{c}]' for c in stored)}) values "
                        f"({', '.join('?' for _ in stored)})", [tuple(r[c] for c in stored) for r in rows])
        return {r[cols.index(_pk(table))]: tuple(r) for r in
                mem.execute(f"select {', '.join(f'[{c}]' for c in cols)} from [{table}]")}
    finally:
        mem.close()


def _pk(table: str) -> str:
    return "id" if table == "editions" else "key"


def criteria(conn: sqlite3.Connection, ruleset, ids, unchanged: set[str]) -> Iterator[Found]:
    """Rule tables of the unchanged published editions, against the rows publish writes from the rule sets."""
    expected: dict[str, list[dict]] = {t: [] for t in RULE_TABLES}
    for table, row in rule_rows(ruleset):
        edition = row.get("edition", row.get("id"))
        if table in expected and edition in unchanged:
            expected[table].append(row)
    expected["rules"] = [r for r in ids.rows if r["edition"] in unchanged]
    marks = ", ".join("?" for _ in unchanged)
    for table in RULE_TABLES:
        cols = BY_NAME[table].column_names
        where = "id" if table == "editions" else "edition"
        stored = {r[cols.index(_pk(table))]: tuple(r) for r in conn.execute(
            f"select {', '.join(f'[{c}]' for c in cols)} from [{table}] where [{where}] in ({marks})",
            sorted(unchanged))}
        want = _normalised(table, expected[table])
        for key in sorted(set(stored) | set(want), key=str):
            if key not in want:
                yield f"{table}[{key}]", "row", "present", "absent from the rule set"
            elif key not in stored:
                yield f"{table}[{key}]", "row", "missing", "in the rule set"
            else:
                for c, x, y in zip(cols, stored[key], want[key]):
                    if x != y:
                        yield f"{table}[{key}]", c, x, y


def inputs(conn: sqlite3.Connection, key: str, a, text: str) -> Iterator[Found]:
    """The assessment row and its ikm row against the stored input `a` was read from."""
    cols = BY_NAME["assessments"].column_names
    row = conn.execute(f"select {', '.join(f'[{c}]' for c in cols)} from assessments where key = ?", [key]).fetchone()
    if row is None:
        return
    stored = dict(zip(cols, tuple(row)))
    want = pr.assessment_row(a, text, stored["source_file"])
    for c in cols:
        if c not in ("input_packed", "input_hash") and stored[c] != want[c]:
            yield f"assessments[{key}]", c, stored[c], want[c]
    ikm = conn.execute("select id, name, province, regency from ikm where id = ?", [want["ikm"]]).fetchone()
    if ikm is None:
        yield f"ikm[{want['ikm']}]", "row", "missing", f"the ikm of {key}"
        return
    if pr.ikm_key(ikm[1], ikm[2], ikm[3]) != ikm[0]:  # name, province, regency no longer those of the id
        exp = pr.ikm_row(a)
        for c, x in zip(("name", "province", "regency"), ikm[1:]):
            if pr.ikm_key(*(x if k == c else exp[k] for k in ("name", "province", "regency"))) != ikm[0]:
                yield f"ikm[{ikm[0]}]", c, x, exp[c]


def codecs(conn: sqlite3.Connection, ruleset, ids) -> Iterator[Found]:
    """The packing dictionaries against those publish makes: trained again on the stored sample (the records at
    `packing.sample_positions`, unpacked), or the rule set's (when no edition's rules changed)."""
    from .packing import PARTS, Codecs, codec, sample_positions
    stored = {r[0]: (r[1], bytes(r[2]) if r[2] is not None else None)
              for r in conn.execute("select part, method, cast(dictionary as blob) from codecs")}
    n = conn.execute("select count(*) from outcomes").fetchone()[0]
    inputs, traces = [], []
    try:
        readers = [codec(stored[part][1] or b"") for part in PARTS if part in stored]
        for p in sample_positions(n) if len(readers) == len(PARTS) else []:
            row = conn.execute("select a.input_packed, t.steps from outcomes o join assessments a on a.key = o.assessment "
                               "join traces t on t.outcome = o.n where o.n = ?", [p + 1]).fetchone()
            inputs.append(readers[0].unpack(bytes(row[0])).encode("utf-8"))
            traces.append(readers[1].unpack(bytes(row[1])).encode("utf-8"))
    except (TypeError, ValueError) as exc:
        yield "codecs", "dictionary", f"does not read the sampled records ({exc})", "the dictionaries publish trained"
        return
    want = {r["part"]: (r["method"], r["dictionary"]) for r in Codecs.of_sample(inputs, traces, ruleset, ids).rows()}
    for part in sorted(set(stored) | set(want)):
        if part not in want:
            yield f"codecs[{part}]", "row", "present", "absent"
        elif part not in stored:
            yield f"codecs[{part}]", "row", "missing", "present"
        else:
            for c, x, y in zip(("method", "dictionary"), stored[part], want[part]):
                if x != y:
                    yield f"codecs[{part}]", c, _short(x), _short(y)


def _short(value: Any) -> Any:
    return f"{len(value)} bytes, sha256 {hashlib.sha256(value).hexdigest()[:12]}" if isinstance(value, bytes) else value


def facets(conn: sqlite3.Connection) -> Iterator[Found]:
    """outcome_facets and outcome_edition_facets against the outcomes counted again."""
    from .schema import FACET_COLUMNS, PER_EDITION_COLUMNS
    stored = {(r[0], r[1]): r[2] for r in conn.execute("select [column], value, [count] from outcome_facets")}
    want = {(c, r[0]): r[1] for c in FACET_COLUMNS for r in conn.execute(
        f"select [{c}], count(*) from outcomes where [{c}] is not null group by [{c}]")}
    yield from _counts("outcome_facets", stored, want)
    stored, rows = {}, conn.execute("select [column], edition, value, [count] from outcome_edition_facets")
    for column, edition, value, count in rows:  # a pair stored twice counts as a difference
        stored[(column, edition, value)] = count if (column, edition, value) not in stored else "twice"
    want = {(c, r[0], r[1]): r[2] for c in PER_EDITION_COLUMNS for r in conn.execute(
        f"select edition, [{c}], count(*) from outcomes group by edition, [{c}]")}
    yield from _counts("outcome_edition_facets", stored, want)


def _counts(table: str, stored: dict, want: dict) -> Iterator[Found]:
    for k in sorted(set(stored) | set(want), key=str):
        if stored.get(k) != want.get(k):
            yield f"{table}[{'/'.join(map(str, k[:-1]))}={k[-1]}]", "count", stored.get(k), want.get(k)


def population(conn: sqlite3.Connection, ruleset) -> Iterator[Found]:
    """Outcomes numbered without gaps, publish_info against the tables, and the inputs' assessments."""
    n, low, high = conn.execute("select count(*), min(n), max(n) from outcomes").fetchone()
    if n and (low != 1 or high != n):
        yield "outcomes", "n", f"{n} outcomes numbered {low}..{high}", f"1..{n}: an outcome was deleted or added"
    n_assessments = conn.execute("select count(*) from assessments").fetchone()[0]
    try:
        n_steps = conn.execute("select coalesce(sum(json_array_length(ovop_unpack(steps, (select dictionary from "
                               "codecs where part = 'trace')))), 0) from traces").fetchone()[0]
    except sqlite3.OperationalError:  # a trace the stored dictionary does not read (each is named by verify)
        n_steps = None
        yield "traces", "steps", "unreadable with the stored dictionary", "every trace readable"
    info = {r[0]: r[1] for r in conn.execute("select key, value from publish_info")}
    for k in sorted(set(info) ^ INFO_KEYS):
        yield f"publish_info[{k}]", "key", "present" if k in info else "missing", \
            "present" if k in INFO_KEYS else "absent"
    hashes = {r[0]: r[1] for r in conn.execute("select id, hash from editions order by id")}
    versions = [r[0] for r in conn.execute("select distinct engine_version from outcomes")]
    for k, want in (("assessments", str(n)), ("trace_steps", str(n_steps)), ("rules", dumps(hashes))):
        if k in info and info[k] != want and not (k == "trace_steps" and n_steps is None):
            yield f"publish_info[{k}]", "value", info[k], want
    if n_assessments != n:
        yield "assessments", "count", n_assessments, f"{n} (one per outcome)"
    if "engine_version" in info and versions and versions != [info["engine_version"]]:
        yield "publish_info[engine_version]", "value", info["engine_version"], ", ".join(map(str, versions))
    yield from facets(conn)
    yield from _input_files(conn, info.get("inputs"), ruleset)


def _input_files(conn: sqlite3.Connection, listed: str | None, ruleset) -> Iterator[Found]:
    """When every input file is still as it was published, its assessments against the outcomes."""
    try:
        files = [(Path(f["file"]), f["sha256"]) for f in json.loads(listed or "[]")]
    except (ValueError, TypeError, KeyError):
        yield "publish_info[inputs]", "value", (listed or "")[:80], "a JSON list of {file, sha256}"
        return
    for path, digest in files:
        try:
            if hashlib.sha256(path.read_bytes()).hexdigest() != digest:
                return  # changed since publishing: nothing to compare with
        except OSError:
            return  # moved or removed: nothing to compare with
    if not files:
        return
    from ..errors import OvopError
    from ..inputs import read_population
    try:  # the population reader (checked as publish checks them), keys only
        found = {pr.key_of(*k.split("\0", 1)) for k in read_population([p for p, _ in files], ruleset).keys}
    except OvopError:
        return  # the current rules refuse them: reported as rules changed
    stored = {r[0] for r in conn.execute("select key from outcomes")}
    for key in sorted(found - stored):
        yield f"outcomes[{key}]", "row", "missing", "in the published inputs"
    for key in sorted(stored - found):
        yield f"outcomes[{key}]", "row", "present", "not in the published inputs"


__all__ = ["schema", "criteria", "codecs", "facets", "inputs", "population", "reference_schema"]
