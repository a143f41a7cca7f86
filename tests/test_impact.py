"""ovop impact: who a draft edition moves, and why."""
from __future__ import annotations

import json
import shutil
from fractions import Fraction
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.cli import cli
from engine.decide.evaluate import Evaluator
from engine.impact.core import impact, read_all, retarget
from engine.rules.resolve import load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"
FILES = [ROOT / "datasets" / "samples" / "2024.yaml", ROOT / "datasets" / "synthetic" / "2024.yaml"]
BANDS = [(3, 80), (2, 70), (1, 60)]  # edition 2024's bands


@pytest.fixture(scope="module")
def sources():
    return read_all(FILES)


@pytest.fixture(scope="module")
def base_scores(sources):
    """Exact score of every eligible assessment under 2024, by (file, id)."""
    rs = load_rules(RULES)
    found, _ = retarget(rs, sources, "2024")
    evaluator, out = Evaluator(rs), {}
    for key, a in found.items():
        o = evaluator.evaluate(a)
        step = next((s for s in o.trace if s["kind"] == "score"), None)
        if step is not None:
            out[key] = Fraction(step["exact"])
    return out


def test_an_edition_against_itself_moves_nobody(sources):
    result = impact(load_rules(RULES), "2024", "2024", FILES, sources)
    assert result.moves == [] and result.skipped == []
    assert result.evaluated == sum(result.matrix[s][s] for s in result.states) > 100


def test_unretargetable_assessments_are_listed_with_the_reason():
    result = impact(load_rules(RULES), "2024", "2022", [ROOT / "datasets" / "samples" / "2013.yaml"])
    # missing evidence cannot be scored; a missing gate fact is unknown: conditional (CRITERIA.md section 7)
    assert {s["id"] for s in result.skipped} == {"2013-JB-0002", "2013-JT-0001", "2013-NB-0004"}
    assert all(s["reason"].startswith("missing evidence.") for s in result.skipped)
    assert result.evaluated == 1 and result.matrix["conditional:3"]["conditional:3"] == 1
    assert result.states[-1] == "conditional:3"


def test_2022_to_2024_moves_the_food_firm_without_a_lab_test():
    result = impact(load_rules(RULES), "2024", "2022", [FILES[0]])
    assert [(m.id, m.before, m.after) for m in result.moves] == [("2024-JT-0003", "2", "ineligible")]
    assert "gate uji_lab_pangan: not applied -> fail" in result.moves[0].reasons


def draft_rules(tmp_path: Path, stars: int, threshold: str) -> Path:
    rules_dir = tmp_path / "rules"
    if not rules_dir.exists():
        shutil.copytree(RULES, rules_dir)
        shutil.rmtree(rules_dir / "2099", ignore_errors=True)
        CliRunner().invoke(cli, ["rules", "new", "2099", "--from", "2024", "--rules", str(rules_dir)])
    path = rules_dir / "2099" / "edition.yaml"
    text = path.read_text(encoding="utf-8").split("\nbands:")[0]
    lines = [f"  - {{stars: {s}, min_score: {threshold if s == stars else t}, provenance: {{status: assumed}}}}"
             for s, t in BANDS]
    path.write_text(text + "\nbands:\n" + "\n".join(lines) + "\n", encoding="utf-8")
    return rules_dir


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(hundredths=st.integers(min_value=7001, max_value=8000))
def test_raising_one_threshold_moves_exactly_the_scores_between(tmp_path, sources, base_scores, hundredths):
    new = Fraction(hundredths, 100)
    rs = load_rules(draft_rules(tmp_path, 2, f"{hundredths / 100:.2f}"))
    result = impact(rs, "2099", "2024", FILES, sources)
    expected = {key for key, score in base_scores.items() if 70 <= score < new}
    assert {(m.file, m.id) for m in result.moves} == {(str(f), i) for f, i in expected}
    assert all((m.before, m.after) == ("2", "1") for m in result.moves)
    assert all(any(r.startswith("band: 2 stars") for r in m.reasons) for m in result.moves)


def test_cli_json_and_errors(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["impact", "2024", "--base", "2022", str(FILES[0]), "--json", "--rules", str(RULES)])
    assert out.exit_code == 0, out.output
    data = json.loads(out.output)
    assert data["matrix"]["2"]["ineligible"] == 1 and data["moves"][0]["id"] == "2024-JT-0003"
    text = runner.invoke(cli, ["impact", "2024", "--base", "2022", str(FILES[0]), "--rules", str(RULES)])
    assert "1 penilaian berpindah" in text.output and "2024-JT-0003" in text.output  # Indonesian by default
    english = runner.invoke(cli, ["impact", "2024", "--base", "2022", str(FILES[0]), "--rules", str(RULES), "--lang", "en"])
    assert "1 assessment moves" in english.output and "1 assessments" not in english.output
    bad = runner.invoke(cli, ["impact", "2042", "--base", "2022", str(FILES[0]), "--rules", str(RULES)])
    assert bad.exit_code == 1 and 'edisi "2042" tidak dikenal' in bad.output and "diizinkan: 2013" in bad.output
    missing = runner.invoke(cli, ["impact", "2024", "--base", "2022", str(tmp_path / "none.yaml"), "--rules", str(RULES)])
    assert missing.exit_code == 1 and "cannot read" in missing.output


def test_duplicate_ids_are_refused_as_evaluate_refuses_them(tmp_path):
    import yaml
    items = yaml.safe_load(FILES[0].read_text(encoding="utf-8"))
    twice = tmp_path / "twice.yaml"
    twice.write_text(yaml.safe_dump(items + [dict(items[0], ikm=dict(items[0]["ikm"], name="Lain"))],
                                    allow_unicode=True, sort_keys=False), encoding="utf-8")
    other = tmp_path / "other.yaml"
    other.write_text(yaml.safe_dump([items[1]], allow_unicode=True, sort_keys=False), encoding="utf-8")
    runner = CliRunner()
    for files in ([twice], [FILES[0], other]):
        evaluated = runner.invoke(cli, ["evaluate", *map(str, files), "--rules", str(RULES), "--lang", "en"])
        moved = runner.invoke(cli, ["impact", "2024", "--base", "2022", *map(str, files), "--rules", str(RULES),
                                    "--lang", "en"])
        assert evaluated.exit_code == moved.exit_code == 1
        assert 'duplicate id "' in moved.output and "allowed: each id once per edition" in moved.output
        assert moved.output == evaluated.output
        assert "Traceback" not in moved.output and "assessments move" not in moved.output
