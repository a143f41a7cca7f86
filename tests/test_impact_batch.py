"""ovop impact on the batch path: the same matrix and movers (with their reasons) as durable_rules,
and --check, which re-evaluates a sample through durable_rules and fails on any difference."""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from engine.batch import plan as batch_plan
from engine.cli import cli
from engine.impact.core import default_datasets, impact
from engine.rules.resolve import load_rules

from test_impact import FILES, RULES, draft_rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def datasets():
    import os
    here = os.getcwd()
    os.chdir(ROOT)
    try:
        return default_datasets()
    finally:
        os.chdir(here)


def as_json(result) -> dict:
    return json.loads(json.dumps(result.to_json()))


@pytest.mark.parametrize("draft,base", [("2024", "2022"), ("2022", "2018"), ("2018", "2015")])
def test_batch_impact_equals_durable_impact_on_the_datasets(datasets, draft, base):
    rs = load_rules(RULES)
    batch = as_json(impact(rs, draft, base, [], datasets))
    durable = as_json(impact(rs, draft, base, [], datasets, executor="durable"))
    assert batch["evaluated"] == durable["evaluated"] > 100
    assert batch["matrix"] == durable["matrix"]
    assert batch["moves"] == durable["moves"] and batch["moves"]
    assert batch["not_retargeted"] == durable["not_retargeted"]


def test_batch_impact_equals_durable_impact_for_a_draft_band(tmp_path):
    rs = load_rules(draft_rules(tmp_path, 2, "74.5"))
    batch = as_json(impact(rs, "2099", "2024", FILES))
    durable = as_json(impact(rs, "2099", "2024", FILES, executor="durable"))
    assert batch["matrix"] == durable["matrix"] and batch["moves"] == durable["moves"]
    band = [r for m in batch["moves"] for r in m["reasons"] if r.startswith("band: ")]
    assert band and all(r.startswith("band: 2 stars (score ") for r in band)
    assert all("; 3 stars needs >= 80) -> 1 star (score " in r for r in band)  # the base's own next threshold
    assert all(r.endswith("; 2 stars needs >= 74.5)") for r in band)  # the draft's threshold, not the base's 70


def test_check_50_passes():
    res = CliRunner().invoke(cli, ["impact", "2024", "--base", "2022", *map(str, FILES), "--check", "50",
                                   "--rules", str(RULES), "--json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["checked"] == 50 and data["differences"] == []
    text = CliRunner().invoke(cli, ["impact", "2024", "--base", "2022", *map(str, FILES), "--check", "50",
                                    "--rules", str(RULES)])
    assert "sampel 50 penilaian dievaluasi ulang melalui durable_rules" in text.stdout and "0 perbedaan" in text.stdout
    english = CliRunner().invoke(cli, ["impact", "2024", "--base", "2022", *map(str, FILES), "--check", "50",
                                       "--rules", str(RULES), "--lang", "en"])
    assert "a sample of 50 re-evaluated through durable_rules" in english.stdout and "0 differences" in english.stdout


def mis_scored(monkeypatch):
    """Plant a bug in the batch plan: criterion 0 of every edition pays its levels' points in reverse."""
    built = batch_plan.Plan.__init__

    def planted(self, *args, **kwargs):
        built(self, *args, **kwargs)
        self.level_points[0] = np.ascontiguousarray(self.level_points[0][::-1])
        self.coef_points[0] = np.ascontiguousarray(self.coef_points[0][::-1])
    monkeypatch.setattr(batch_plan.Plan, "__init__", planted)


def test_check_finds_a_planted_difference(monkeypatch):
    mis_scored(monkeypatch)
    res = CliRunner().invoke(cli, ["impact", "2024", "--base", "2022", *map(str, FILES), "--check", "50",
                                   "--rules", str(RULES)])
    assert res.exit_code == 1
    assert "durable_rules" in res.stderr and "criteria: batch" in res.stderr
    assert "Traceback" not in res.output


def test_check_finds_a_planted_difference_in_a_population(monkeypatch, tmp_path):
    from engine.synth.jsonl import write_jsonl
    path = tmp_path / "pop.jsonl"
    write_jsonl(load_rules(RULES), "2024", 300, 5, path)
    args = ["impact", "2024", "--base", "2022", str(path), "--check", "30", "--rules", str(RULES)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    mis_scored(monkeypatch)
    res = CliRunner().invoke(cli, args)
    assert res.exit_code == 1 and "criteria: batch" in res.stderr


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_JSON = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-2**70, 2**70), st.floats(), st.text()),
                     lambda inner: st.one_of(st.lists(inner, max_size=4),
                                             st.dictionaries(st.one_of(st.text(), st.integers()), inner, max_size=4)),
                     max_leaves=20)


@settings(max_examples=400, deadline=None)
@given(_JSON)
def test_impact_json_by_orjson_is_the_standard_encoders_text(data):
    from engine.impact.report import json_bytes
    fast = json_bytes(data)
    if fast is not None:
        assert fast == json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8")
