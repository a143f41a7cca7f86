"""The synthetic datasets: reproducible to the byte, valid input, shaped like the published rounds;
and the published results file: real figures only, schema-checked."""
from __future__ import annotations

import os
import subprocess
import sys
from collections import Counter
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.inputs.assessment import load_assessments
from engine.cli import cli
from engine.rules.conditions import Interval, exact
from engine.errors import OvopError
from engine.decide.evaluate import Evaluator
from engine.inputs.published import load_published
from engine.rules.resolve import load_rules
from engine.synth.generate import DEFAULT_SEED, stream, synthesize, write_all
from engine.synth.data import DEFAULT_N, INELIGIBLE, NOT_AWARDED, TARGETS
from engine.synth.plan import quota

ROOT = Path(__file__).resolve().parents[1]
SYNTHETIC = ROOT / "datasets" / "synthetic"
EDITIONS = list(DEFAULT_N)


@pytest.fixture(scope="module")
def ruleset():
    return load_rules(ROOT / "rules")


@pytest.fixture(scope="module")
def outcomes(ruleset):
    """edition -> [(assessment, outcome)] for every committed synthetic file."""
    ev = Evaluator(ruleset)
    return {e: [(a, ev.evaluate(a)) for a in load_assessments([SYNTHETIC / f"{e}.yaml"], ruleset)] for e in EDITIONS}


def outcome_class(o) -> int:
    return INELIGIBLE if o.status == "ineligible" else (o.stars or NOT_AWARDED)


def test_regenerating_gives_byte_identical_files(ruleset, tmp_path):
    written = write_all(ruleset, tmp_path)
    assert [p.name for p in written] == [f"{e}.yaml" for e in EDITIONS]
    for p in written:
        assert p.read_bytes() == (SYNTHETIC / p.name).read_bytes(), f"{p.name} differs: run python -m engine.synth --all"


def test_output_does_not_depend_on_hash_seed(tmp_path):
    code = ("from engine.rules.resolve import load_rules; from engine.synth.generate import write_edition; "
            f"write_edition(load_rules('rules'), '2024', 159, {DEFAULT_SEED}, r'{tmp_path / 'x.yaml'}')")
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, check=True)
    assert (tmp_path / "x.yaml").read_bytes() == (SYNTHETIC / "2024.yaml").read_bytes()


def test_stream_chunks_do_not_change_the_records(ruleset):
    whole = synthesize(ruleset, "2018", 45, seed=11)
    chunks = list(stream(ruleset, "2018", 45, seed=11, chunk=7))
    assert [len(c) for c in chunks] == [7] * 6 + [3]
    assert [a for c in chunks for a in c] == whole
    assert synthesize(ruleset, "2018", 45, seed=12) != whole


def test_files_are_labelled_synthetic_and_sized(outcomes):
    for e in EDITIONS:
        text = (SYNTHETIC / f"{e}.yaml").read_text(encoding="utf-8")
        assert text.startswith("# SYNTHETIC assessments"), e
        assert "not real" in text.splitlines()[0] and f"--seed {DEFAULT_SEED}" in text
        pairs = outcomes[e]
        assert len(pairs) >= 40
        assert all(a.id.startswith(f"{e}-SYN-") and " SYN" in a.ikm.name for a, _ in pairs)
        assert len({a.id for a, _ in pairs}) == len(pairs)


def test_star_shares_follow_the_target_shapes(outcomes):
    for e in EDITIONS:
        got = Counter(outcome_class(o) for _, o in outcomes[e])
        n = len(outcomes[e])
        target = Counter(quota(TARGETS[e], n))
        for cls in TARGETS[e]:
            assert abs(got[cls] - target[cls]) <= max(2, n // 20), (e, cls, got, target)


def test_2013_awarded_counts_match_the_published_round(outcomes):
    got = Counter(o.stars for _, o in outcomes["2013"] if o.status == "awarded")
    assert [got[s] for s in (5, 4, 3, 2, 1)] == [2, 9, 13, 11, 3]


def test_2024_shares_hold_for_a_large_sample_too(ruleset):
    ev = Evaluator(ruleset)
    n = 400
    from types import SimpleNamespace as NS
    got = Counter()
    for d in synthesize(ruleset, "2024", n, seed=99):
        a = NS(id=d["id"], edition=d["edition"], ikm=NS(**d["ikm"]), gates=d["gates"], evidence=d["evidence"],
               previous=NS(**d["previous"]) if "previous" in d else None)
        got[outcome_class(ev.evaluate(a))] += 1
    assert abs(got[INELIGIBLE] / n - 70 / 159) < 0.05
    awarded = sum(got[s] for s in (1, 2, 3))
    assert abs(awarded / n - 77 / 159) < 0.06


def test_2024_reassesses_2022_holders_with_their_2022_stars(outcomes):
    held = {(a.ikm.name, a.ikm.province, a.ikm.regency): o.stars for a, o in outcomes["2022"] if o.stars}
    again = [(a, o) for a, o in outcomes["2024"] if a.previous is not None]
    assert len(again) >= 30
    for a, o in again:
        key = (a.ikm.name, a.ikm.province, a.ikm.regency)
        assert a.previous.edition == "2022" and held[key] == a.previous.stars, a.id
        assert o.movement in ("naik", "tetap", "turun")
    assert {o.movement for _, o in again} == {"naik", "tetap", "turun"}


def test_some_outcomes_are_capped_and_ineligible_fail_gates(outcomes):
    everything = [o for e in EDITIONS for _, o in outcomes[e]]
    assert sum(o.capped for o in everything) >= 3
    assert all(o.gates_failed for o in everything if o.status == "ineligible")


def test_values_sit_on_and_beside_level_boundaries(ruleset, outcomes):
    on = beside = 0
    for e in EDITIONS:
        model = ruleset.get(e).model
        for a, _ in outcomes[e]:
            for c in model.criteria:
                if c.evidence.type != "number":
                    continue
                x = exact(a.evidence[c.evidence.name])
                for lv in c.levels:
                    iv = Interval.parse(lv.when)
                    for end, closed in ((iv.lo, iv.lo_closed), (iv.hi, iv.hi_closed)):
                        if end is None:
                            continue
                        on += closed and x == end
                        beside += not closed and 0 < abs(x - end) <= Fraction(1, 2)
    assert on >= 50 and beside >= 20, (on, beside)


def test_cli_writes_atomically_and_prints_counts(tmp_path):
    out = tmp_path / "s.yaml"
    res = CliRunner().invoke(cli, ["datasets", "synth", "--edition", "2013", "--n", "40", "--seed", "3",
                                   "--out", str(out), "--rules", str(ROOT / "rules")])
    assert res.exit_code == 0, res.output
    assert "5★" in res.output and "ineligible" in res.output and "wrote 40" in res.output
    assert out.read_text(encoding="utf-8").startswith("# SYNTHETIC")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["s.yaml"]
    bad = CliRunner().invoke(cli, ["datasets", "synth", "--edition", "2099", "--out", str(tmp_path / "t.yaml"),
                                   "--rules", str(ROOT / "rules")])
    assert bad.exit_code == 1 and "unknown edition" in bad.output
    assert not (tmp_path / "t.yaml").exists()


def test_published_results_keep_disagreeing_sources_apart():
    res = load_published(ROOT / "datasets" / "published_results.yaml")
    rows = res.aggregate_rows()
    r2015 = [r for r in rows if r["round"] == "2015"]
    assert len(r2015) == 2 and {r["stars_2"] for r in r2015} == {34, None} and {r["stars_1"] for r in r2015} == {34, None}
    r2013 = next(r for r in rows if r["round"] == "2013")
    assert sum(r2013[f"stars_{s}"] for s in "54321") == r2013["ikm"] == 38
    assert all(r["source"].startswith("http") for r in rows)
    named = res.named_rows()
    assert {(n["round"], n["stars"]) for n in named if n["firm"] == "UD Mawar Art Shop"} == {("2015", 5), ("2018", 5)}
    assert all(n["sources"] for n in named)


def test_published_results_are_schema_checked(tmp_path):
    bad = tmp_path / "p.yaml"
    bad.write_text('aggregates:\n  - round: "2013"\n    ikm: 3\n    counts: awarded\n'
                   '    stars: {"5": 9}\n    source: https://example.org/x\n    evidence: {}\n', encoding="utf-8")
    with pytest.raises(OvopError) as err:
        load_published(bad)
    assert "evidence" in str(err.value) and "p.yaml:7" in str(err.value)
    bad.write_text('aggregates:\n  - round: "2013"\n    ikm: 3\n    counts: awarded\n'
                   '    stars: {"5": 9}\n    source: https://example.org/x\n', encoding="utf-8")
    with pytest.raises(OvopError, match="more than ikm"):
        load_published(bad)
