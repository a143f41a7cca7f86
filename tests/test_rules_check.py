"""`ovop rules check`: the shipped editions check clean, every broken case gives exactly its errors."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine.rules
from engine.rules import lock

from engine.rules import ops as ruleops
from engine.cli import cli
from engine.errors import OvopError
from engine.rules.resolve import load_rules

ROOT = Path(__file__).resolve().parents[1]
BROKEN = Path("tests") / "broken_rules"
CASES = sorted(p.name for p in (ROOT / BROKEN).iterdir() if p.is_dir())
from rulecopy import frozen_editions, new_edition_id
from rulecopy import copy_rules as copy_rules_to

CRITERIA = {"2013": 19, "2015": 20, "2018": 20, "2022": 20, "2024": 20}  # the published editions, frozen: never change
EDITIONS = frozen_editions()  # read from rules/editions.lock: a draft in rules/ changes nothing here


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)  # diagnostics name files relative to the repository, as in expected.txt


def expected(case: str, lang: str = "id") -> str:
    name = "expected.txt" if lang == "id" else "expected.en.txt"
    return (BROKEN / case / name).read_text(encoding="utf-8").rstrip("\n")


def problems(directory, lang: str | None = None) -> str:
    with pytest.raises(OvopError) as info:
        ruleops.check_rules(directory)
    return info.value.render(lang)


def copy_rules(tmp_path: Path) -> Path:
    return copy_rules_to(tmp_path / "rules", drafts=True)


# ---- the shipped editions ---------------------------------------------------------------------

def test_shipped_editions_check_clean():
    rules = ruleops.check_rules("rules")
    assert {e: len(rules.editions[e].model.criteria) for e in CRITERIA} == CRITERIA
    assert set(CRITERIA) <= set(EDITIONS)
    published = [e for e, r in rules.editions.items() if r.model.status == "published"]
    assert published == EDITIONS  # every other edition in rules/ is a draft


def test_lock_freezes_every_shipped_edition_with_its_hash():
    rules = load_rules("rules")
    text = (ROOT / "rules" / "editions.lock").read_text(encoding="utf-8")
    assert json.loads(text) == {e: r.hash for e, r in rules.editions.items() if r.model.status == "published"}
    assert text == lock.render_lock(json.loads(text))  # sorted, as `ovop rules freeze` writes it


def test_cli_check_prints_one_line_per_edition():
    result = CliRunner().invoke(cli, ["rules", "check"])
    assert result.exit_code == 0, result.output
    lines = result.stdout.splitlines()
    rules = load_rules("rules")
    assert [line.split()[0] for line in lines] == list(rules.editions)
    for line in lines:
        edition, digest, count, _, state = line.split()
        res = rules.editions[edition]
        assert (digest, int(count)) == (res.hash, len(res.model.criteria))
        assert state == ("frozen" if edition in EDITIONS else "draft")
        assert int(count) == CRITERIA.get(edition, int(count))


# ---- the broken corpus ------------------------------------------------------------------------

REQUIRED = {"unknown_key", "misspelt_key", "wrong_type", "overlapping_levels", "gap_between_levels", "unreachable_star",
            "weights_sum_099", "cap_unknown_evidence", "extends_missing", "extends_cycle", "enum_code_twice",
            "yaml_syntax_error", "duplicate_keys", "empty_file", "misspelt_enum_code", "points_not_rising",
            "group_max_disagrees", "band_out_of_order", "applies_to_unknown_commodity", "sourced_without_source",
            "python_tag", "frozen_changed", "replace_missing_id", "wrong_condition_syntax"}


def test_corpus_has_every_required_case():
    assert REQUIRED <= set(CASES)
    assert all((ROOT / BROKEN / c / "expected.txt").exists() for c in CASES)


@pytest.mark.parametrize("case", CASES)
def test_broken_case_gives_exactly_its_errors(case):
    assert problems(BROKEN / case, "id") == expected(case, "id")
    assert problems(BROKEN / case, "en") == expected(case, "en")
    assert problems(BROKEN / case) == expected(case, "en")  # a plain render (other commands) is English


@pytest.mark.parametrize("case", CASES)
@pytest.mark.parametrize("lang", [None, "id", "en"])
def test_broken_case_through_the_cli(case, lang):
    args = ["rules", "check", "--rules", str(BROKEN / case)] + (["--lang", lang] if lang else [])
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit)
    assert result.stderr.rstrip("\n") == expected(case, lang or "id")  # Indonesian unless asked
    assert result.stdout == ""


@pytest.mark.parametrize("case", CASES)
def test_every_diagnostic_says_what_is_allowed_in_both_languages(case):
    with pytest.raises(OvopError) as info:
        ruleops.check_rules(BROKEN / case)
    for d in info.value.diagnostics:
        assert d.allowed, d.render()
        assert "diizinkan: " in d.render("id") and "allowed: " in d.render("en")
    jargon = ("str ", "valid integer", "Input should", "Value error", "while parsing", "while scanning", "<block end>")
    for text in (expected(case, "id"), expected(case, "en")):
        assert not any(word in text for word in jargon), text


def test_unexpected_errors_print_no_traceback(monkeypatch):
    def boom(_directory):
        raise RuntimeError("something broke")
    monkeypatch.setattr(engine.rules, "check_rules", boom)
    result = CliRunner().invoke(cli, ["rules", "check"])
    assert result.exit_code == 1
    assert "internal error: RuntimeError: something broke" in result.stderr
    assert "Traceback" not in result.output


# ---- edits to a copy of rules/ ----------------------------------------------------------------

def insert_after(path: Path, anchor: str, text: str) -> int:
    """Insert a line after the first line equal to `anchor`; return the new line's number."""
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    at = next(i for i, line in enumerate(lines) if line.rstrip("\n") == anchor) + 1
    lines.insert(at, text + "\n")
    path.write_text("".join(lines), encoding="utf-8")
    return at + 1


def test_unknown_key_in_a_copy_names_file_and_line(tmp_path):
    rules = copy_rules(tmp_path)
    line = insert_after(rules / "2018" / "edition.yaml", "status: published", "stauts: draft")
    text = problems(rules)
    assert f'{rules}/2018/edition.yaml:{line}:1: stauts: unknown key "stauts" (did you mean "status"?)' in text


def test_syntax_error_in_a_copy_names_file_and_line(tmp_path):
    rules = copy_rules(tmp_path)
    line = insert_after(rules / "2022" / "edition.yaml", "status: published", "title: {id: x, en: y")
    text = problems(rules)
    assert text.startswith(f"{rules}/2022/edition.yaml:")
    assert "YAML syntax error" in text
    assert int(text.split(":")[1]) in (line, line + 1)


def test_threshold_outside_the_frozen_hash_is_reported(tmp_path):
    rules = copy_rules(tmp_path)
    path = rules / "2013" / "edition.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('when: "x < 80"', 'when: "x < 81"', 1).replace('when: "80 <= x < 100"', 'when: "81 <= x < 100"', 1))
    found = problems(rules)
    for edition in EDITIONS:  # every edition resolves through 2013
        assert f"edition {edition} is frozen (published) but its resolved content changed" in found
    assert found.count("resolved content changed") == len(EDITIONS)


# ---- the content hash -------------------------------------------------------------------------

def hashes(directory) -> dict[str, str]:
    return {e: r.hash for e, r in load_rules(directory, frozen=False).editions.items()}


def test_hash_is_stable_across_loads():
    assert hashes("rules") == hashes("rules")


def test_hash_ignores_layout_and_criteria_order(tmp_path):
    from engine.rules import yamlsrc
    rules = copy_rules(tmp_path)
    path = rules / "2013" / "edition.yaml"
    data = yamlsrc.load(path).data
    data["criteria"] = list(reversed(data["criteria"]))
    data = dict(reversed(list(data.items())))
    path.write_text(json.dumps(data, indent=1), encoding="utf-8")  # JSON is YAML: another layout entirely
    assert hashes(rules) == hashes("rules")
    ruleops.check_rules(rules)  # so the lock still matches


def test_hash_changes_with_a_threshold(tmp_path):
    rules = copy_rules(tmp_path)
    path = rules / "2013" / "edition.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("min_score: 85", "min_score: 86", 1), encoding="utf-8")
    before, after = hashes("rules"), hashes(rules)
    assert all(before[e] != after[e] for e in ("2013", "2015"))
    assert before["2018"] == after["2018"]  # 2018 states its own bands


# ---- freezing ---------------------------------------------------------------------------------

DRAFT = """edition: "{id}"
extends: "{parent}"
status: {status}
title: {{id: Penghargaan OVOP {id}, en: OVOP Award {id}}}
"""


def test_freeze_refuses_drafts_and_records_published_editions(tmp_path):
    rules = copy_rules(tmp_path)
    new, parent = new_edition_id(rules), EDITIONS[-1]
    (rules / new).mkdir()
    path = rules / new / "edition.yaml"
    path.write_text(DRAFT.format(id=new, parent=parent, status="draft"), encoding="utf-8")
    assert ruleops.check_rules(rules).editions[new].model.status == "draft"
    with pytest.raises(OvopError, match="drafts are never frozen"):
        ruleops.freeze_edition(rules, new)
    path.write_text(DRAFT.format(id=new, parent=parent, status="published"), encoding="utf-8")
    assert f"run `ovop rules freeze {new}`" in problems(rules)
    result = CliRunner().invoke(cli, ["rules", "freeze", new, "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    assert new in json.loads((rules / "editions.lock").read_text(encoding="utf-8"))
    ruleops.check_rules(rules)
    assert ruleops.freeze_edition(rules, new)[1] is False  # already frozen: nothing written


def test_freeze_refuses_to_refreeze_a_changed_edition(tmp_path):
    rules = copy_rules(tmp_path)
    path = rules / "2024" / "edition.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("Award 2024", "Award 2024 (revised)"), encoding="utf-8")
    with pytest.raises(OvopError, match="frozen already"):
        ruleops.freeze_edition(rules, "2024")


def test_a_frozen_edition_cannot_become_a_draft(tmp_path):
    rules = copy_rules(tmp_path)
    path = rules / "2024" / "edition.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: published", "status: draft"), encoding="utf-8")
    assert "a published edition cannot become a draft" in problems(rules)


def test_a_broken_lock_is_a_diagnostic(tmp_path):
    rules = copy_rules(tmp_path)
    (rules / "editions.lock").write_text('{"2013": "sha256:abc",}\n', encoding="utf-8")
    assert problems(rules).startswith(f"{rules}/editions.lock:1:")
