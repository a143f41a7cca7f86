"""Publishing through the batch path: trace rows equal to the durable trace's, the --check sample, what-if,
verify --sample, and the outcome page's explanation rendered on demand."""
from __future__ import annotations

import json

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.publish import batch as publish_batch
from engine.inputs.assessment import Assessment, load_assessments
from engine.batch.evaluator import BatchEvaluator, as_dict
from engine.cli import cli
from engine.errors import OvopError
from engine.decide.evaluate import Evaluator
from engine.publish import connect
from engine.publish.build import publish
from engine.publish.batch import EditionRows, chunk_rows
from engine.publish.packing import trace_rows, trace_text
from engine.publish.rows import outcome_row
from engine.publish.rules import rule_rows
from engine.publish.steps import RuleIds, durable_rows
from engine.publish.verify import verify
from engine.rules.resolve import load_rules

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "publish_data"
RULES = ROOT / "rules"
OUTCOME_FIELDS = ("status", "stars", "band_stars", "capped", "score", "gates_failed", "pembina", "label_kemasan",
                  "kandidat_go_global", "movement", "band_key", "cap_key")
SAMPLES = sorted((ROOT / "datasets" / "samples").glob("*.yaml")) + sorted((ROOT / "datasets" / "synthetic").glob("*.yaml"))


@pytest.fixture(scope="module")
def ruleset():
    return load_rules(RULES)


def test_batch_trace_rows_equal_the_durable_trace_field_by_field(ruleset):
    """For every sample dataset: the rows the batch path writes are the rows built from Outcome.trace."""
    assessments = load_assessments(SAMPLES, ruleset)
    be, evaluator = BatchEvaluator(ruleset), Evaluator(ruleset)
    known = {row["key"] for _, row in rule_rows(ruleset) if "key" in row}
    ids = RuleIds([be.plan(e).c for e in sorted(ruleset.editions)], known)
    kinds, compared = set(), 0
    for edition in sorted(ruleset.editions):
        mine = [a for a in assessments if a.edition == edition]
        ns = list(range(1, len(mine) + 1))
        fields, traces, steps = chunk_rows(EditionRows(be, edition, ids), [as_dict(a) for a in mine], ns)
        assert steps == sum(len(trace_rows(n, t.decode())) for n, t in zip(ns, traces))
        for j, (a, n) in enumerate(zip(mine, ns)):
            rows = trace_rows(n, traces[j].decode())
            assert traces[j] == trace_text(rows).encode()  # the careful encoder's very text
            o = evaluator.evaluate(a)
            expected = outcome_row(a, o, n)
            assert fields[j] == tuple(expected[c] for c in OUTCOME_FIELDS), a.id
            durable = durable_rows(o, n, ids)
            assert len(rows) == len(durable), a.id
            for b, d in zip(rows, durable):
                assert b == d, (a.id, b, d)
                kinds.add(ids.rows[d[2] - 1]["kind"])
            compared += len(rows)
    assert kinds == {"gate", "criterion", "subtotal", "score", "band", "cap", "consequence"}
    assert compared > 5000


@pytest.fixture
def inputs(tmp_path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    return [Path(shutil.copy(DATA / n, folder / n)) for n in ("small.yaml", "rounds.json", "whatif.yaml")]


def test_a_disagreeing_sample_fails_the_publish_and_keeps_the_old_database(tmp_path, inputs, monkeypatch):
    db = tmp_path / "ovop.db"
    publish(db, inputs, RULES)
    before = db.read_bytes()
    real = publish_batch.chunk_rows

    def wrong(er, items, ns, *columns):
        fields, traces, steps = real(er, items, ns, *columns)
        wrong = [[s[:3] + [s[3] + 1] if s[3] is not None else s for s in json.loads(t)] for t in traces]
        return fields, [json.dumps(t, separators=(",", ":")).encode() for t in wrong], steps

    monkeypatch.setattr("engine.publish.parallel.chunk_rows", wrong)  # rows are made there (engine.publish.parallel)
    result = CliRunner().invoke(cli, ["publish", "--db", str(db), "--rules", str(RULES), "--check", "3",
                                      *map(str, inputs)])
    assert result.exit_code == 1, result.output
    assert "the batch path and durable_rules disagree" in result.output and "Traceback" not in result.output
    assert "trace_steps[" in result.output and ".points: batch" in result.output
    assert db.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in", "ovop.db"]


def test_check_counts_and_is_reported(tmp_path, inputs):
    result = CliRunner().invoke(cli, ["publish", "--db", str(tmp_path / "ovop.db"), "--rules", str(RULES),
                                      "--check", "2", *map(str, inputs)])
    assert result.exit_code == 0, result.output
    assert "2 checked against durable_rules" in result.output


def test_what_if_outcomes_and_missing(tmp_path, inputs):
    db = tmp_path / "ovop.db"
    result = CliRunner().invoke(cli, ["publish", "--db", str(db), "--rules", str(RULES), "--what-if", *map(str, inputs)])
    assert result.exit_code == 0, result.output
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    outcomes = conn.execute("select count(*) from outcomes").fetchone()[0]
    w = conn.execute("select count(*) from outcomes_what_if").fetchone()[0]
    m = conn.execute("select count(*) from what_if_missing").fetchone()[0]
    others = len(load_rules(RULES).editions) - 1
    assert w + m == outcomes * others  # every other edition, evaluated or listed with the reason
    row = conn.execute("select * from outcomes_what_if where assessment = '2018/2018-W-0001' and edition = '2024'").fetchone()
    assert row["from_edition"] == "2018" and row["commodity"] == "makanan_minuman"
    # the same assessment, written as a 2024 one, gets the same outcome through the durable path
    rs = load_rules(RULES)
    data = load_assessments([DATA / "whatif.yaml"], rs)[0].model_dump(mode="json")
    o = Evaluator(rs).evaluate(Assessment.model_validate({**data, "edition": "2024"}))
    assert (row["status"], row["stars"], row["score"]) == (o.status, o.stars, o.score)
    # the second lacks the sentra gates 2024 asks for: unknown there, so conditional (CRITERIA.md section 7)
    row = conn.execute("select * from outcomes_what_if where assessment = '2018/2018-W-0002' and edition = '2024'").fetchone()
    assert conn.execute("select count(*) from what_if_missing where assessment = '2018/2018-W-0002' "
                        "and edition = '2024'").fetchone()[0] == 0
    assert (row["status"], row["gates_unknown"]) == ("conditional", '["dalam_sentra","unit_sentra","diusulkan_kabkota"]')
    data = [a for a in load_assessments([DATA / "whatif.yaml"], rs, "2024") if a.id == "2018-W-0002"][0]
    o = Evaluator(rs).evaluate(data)
    assert (row["status"], row["stars"], row["score"], row["gates_failed"]) == (o.status, o.stars, o.score, "[]")
    assert o.stars is not None
    to_2013 = conn.execute("select reason from what_if_missing where assessment = '2024/2024-T-0007' "
                           "and edition = '2013'").fetchone()["reason"]
    assert 'commodity "makanan_minuman" has no single code' in to_2013
    canned = conn.execute("select count(*) from outcomes_what_if where from_edition = '2018' and edition = '2024'").fetchone()
    assert canned[0] == 2


async def test_what_if_canned_query_and_explanation_on_demand(tmp_path, inputs):
    from engine.web.site import datasette_app
    db = tmp_path / "ovop.db"
    publish(db, inputs, RULES, what_if=True)
    ds = datasette_app(db)
    await ds.invoke_startup()
    rows = (await ds.client.get("/ovop/what_if_2018_2024.json?_shape=array")).json()
    assert [(r["assessment"], r["not_evaluated_because"], r["status_2024"]) for r in rows] == [
        ("2018/2018-W-0001", None, "ineligible"), ("2018/2018-W-0002", None, "conditional")]
    assert rows[1]["stars_2024"] is not None  # answers with stars: what it would get if the gates are met
    assert rows[1]["gates_unknown_2024"] == '["dalam_sentra","unit_sentra","diusulkan_kabkota"]'
    summary = (await ds.client.get("/ovop/what_if_summary.json?from=2018&to=2024&_shape=array")).json()
    assert sum(r["assessments"] for r in summary) == 2
    page = (await ds.client.get("/ovop/outcomes/2024~2F2024-T-0007")).text
    assert "Result: ★★★ 3 of 3 stars" in page and "role=\"alert\"" not in page
    conn = sqlite3.connect(db)
    with conn:
        conn.execute("update editions set hash = 'sha256:old' where id = '2024'")
    conn.close()
    ds = datasette_app(db)
    await ds.invoke_startup()
    page = (await ds.client.get("/ovop/outcomes/2024~2F2024-T-0007")).text
    assert "role=\"alert\"" in page and "changed since publishing" in page


def test_verify_sample(tmp_path, inputs):
    db = tmp_path / "ovop.db"
    publish(db, inputs, RULES)
    report = verify(db, RULES, sample=2)
    assert report.ok and report.checked == 2
    result = CliRunner().invoke(cli, ["verify", "--db", str(db), "--rules", str(RULES), "--sample", "3"])
    assert result.exit_code == 0 and "verified 3 outcomes: all match" in result.output


def test_same_rows_whatever_the_chunk(tmp_path, ruleset):
    from engine.publish.build import publish_stream
    items = load_assessments([DATA / "small.yaml", DATA / "rounds.json"], ruleset)
    items = sorted(items, key=lambda a: (a.edition, a.id))
    dumps = []
    for chunk in (1, 3, 1000):
        db = tmp_path / f"c{chunk}" / "ovop.db"
        publish_stream(db, items, ruleset, chunk=chunk, what_if=True)
        conn = connect(db)
        dumps.append([conn.execute(f"select * from [{t}]").fetchall()
                      for t in ("outcomes", "trace_steps", "traces", "assessment_inputs", "assessments", "outcomes_what_if", "what_if_missing", "rules")])
        conn.close()
    assert dumps[0] == dumps[1] == dumps[2]


def test_bad_stream_input_is_a_clear_error(tmp_path, ruleset):
    from engine.publish.build import publish_stream
    bad = {"id": "2024-X-0001", "edition": "2024", "ikm": {"name": "x", "province": "p", "regency": "r",
                                                           "commodity": "anyaman", "product": "p"},
           "gates": {}, "evidence": {}}
    with pytest.raises(OvopError, match="lacks a value"):
        publish_stream(tmp_path / "ovop.db", [bad], ruleset)
    assert not (tmp_path / "ovop.db").exists()


def test_gate_steps_worked_out_by_group_are_each_assessments_own(ruleset):
    """Gate step texts worked out once per (result, value) group are the texts each assessment's own value
    gives: booleans, integers and floats of the same number, a negative zero, integers past floats, gates that do
    not apply to the commodity, their facts stated or not."""
    be = BatchEvaluator(ruleset)
    known = {row["key"] for _, row in rule_rows(ruleset) if "key" in row}
    ids = RuleIds([be.plan(e).c for e in sorted(ruleset.editions)], known)
    base = [as_dict(a) for a in load_assessments(SAMPLES, ruleset) if a.edition == "2024"]
    units = [3, 3.0, 0, 0.0, 12.5, 1e-05, 120, 2**60, 2**60 + 1, -0.0, True]
    items = []
    for k, a in enumerate(base * 3):
        d = json.loads(json.dumps(a))
        d["gates"]["unit_sentra"] = units[k % len(units)]
        if k % 4 == 1:
            d["gates"]["izin_usaha"] = False
        if k % 5 == 2:  # a food gate that does not apply: stated or not
            d["ikm"]["commodity"] = "anyaman"
            if k % 3:
                d["gates"].pop("sertifikat_halal", None)
        items.append(d)
    ns = list(range(1, len(items) + 1))

    def texts(values):  # the step texts of each assessment, one chunk of `values`
        return [t.decode() for t in chunk_rows(EditionRows(be, "2024", ids), values, ns[:len(values)])[1]]

    plain = [i for i in items if i["gates"]["unit_sentra"] not in (2**60, 2**60 + 1)
             and str(i["gates"]["unit_sentra"]) != "-0.0"]
    zeros = [i for i in items if i["gates"]["unit_sentra"] not in (2**60, 2**60 + 1)]
    for chunk in (plain, zeros, items):
        assert texts(chunk) == [texts([i])[0] for i in chunk]  # a chunk of one: a group of one
    assert publish_batch._gate_groups(*_gate_columns(be, plain, "unit_sentra")) is not None  # grouped
    for chunk in (zeros, items):  # -0.0 (its text is not 0's), 2**60 (not a float): each alone
        assert publish_batch._gate_groups(*_gate_columns(be, chunk, "unit_sentra")) is None
    assert len({t for t in texts(items) if '"-0"' in t}) >= 1


def _gate_columns(be, items, fact):
    from engine.batch import columns_of, run
    plan = be.plan("2024")
    inputs = columns_of(plan, items)
    j = [g.fact for g in plan.c.gates].index(fact)
    return run(plan, inputs).gate_result[:, j], inputs.gate_state[fact], inputs.gate_value.get(fact)


def test_a_firm_assessed_twice_is_one_ikm_row_the_first_as_published(tmp_path, ruleset):
    """ikm rows are moved into `ikm` after loading (engine.publish.write.Writer.finish): one row per firm id,
    the first in publish order ((edition, id)) whatever the chunks, where another assessment of the firm spells
    its name in another case or spacing (the same firm id) before or after it."""
    from engine.publish.build import publish_stream
    from engine.publish.rows import ikm_id
    items = sorted(load_assessments([DATA / "small.yaml", DATA / "rounds.json"], ruleset), key=lambda a: (a.edition, a.id))
    again = [a.model_copy(update={"id": ident, "ikm": a.ikm.model_copy(update={"name": "  " + a.ikm.name.upper() + " "})})
             for k, a in enumerate(items[:6]) for ident in ([f"{a.id}-b"] if k % 2 else [f"0-{a.id}"])]
    everything = sorted(items + again, key=lambda a: (a.edition, a.id))
    first: dict[str, str] = {}
    for a in everything:
        first.setdefault(ikm_id(a.ikm), a.ikm.name)
    for chunk in (1, 2, 1000):
        db = tmp_path / f"c{chunk}" / "ovop.db"
        publish_stream(db, everything, ruleset, chunk=chunk, check=0)
        conn = sqlite3.connect(db)
        rows = conn.execute("select id, name from ikm").fetchall()
        conn.close()
        assert dict(rows) == first and len(rows) == len(first) < len(everything)
        assert [r[0] for r in rows] == sorted(first)
