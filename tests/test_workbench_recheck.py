"""The workbench checks every save with engine.rules.Checker, which keeps what did not change: it must say
exactly what `ovop rules check` (engine.rules.check_rules) says, in the same order, cold and warm, through
edits of a draft, of a frozen edition, of a tests.yaml, a cycle and a removed edition."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.errors import OvopError
from engine.rules import Checker, check_rules, new_edition

from rulecopy import copy_rules

ROOT = Path(__file__).resolve().parents[1]
BROKEN = ROOT / "tests" / "broken_rules"
CASES = sorted(p.name for p in BROKEN.iterdir() if p.is_dir())


def reference(directory: Path) -> str:
    try:
        check_rules(directory)
    except OvopError as exc:
        return exc.render("id") + "\n--\n" + exc.render("en")
    return ""


def kept(checker: Checker) -> str:
    _, problems, _ = checker.check()
    if not problems:
        return ""
    exc = OvopError(problems)
    return exc.render("id") + "\n--\n" + exc.render("en")


@pytest.mark.parametrize("case", CASES)
def test_every_broken_case_cold_and_warm(case, tmp_path):
    folder = tmp_path / case
    shutil.copytree(BROKEN / case, folder)
    want = reference(folder)
    assert want  # a broken case has problems
    checker = Checker(folder)
    assert kept(checker) == want
    assert kept(checker) == want


def test_the_shipped_rules_with_a_draft_through_edits(tmp_path):
    rules = copy_rules(tmp_path / "rules")
    new_edition(rules, "2026", "2024")
    checker = Checker(rules)
    draft = rules / "2026" / "edition.yaml"
    frozen = rules / "2024" / "edition.yaml"
    tests = rules / "2024" / "tests.yaml"
    original = {p: p.read_text(encoding="utf-8") for p in (draft, frozen, tests)}

    def same():
        assert kept(checker) == reference(rules)

    same()
    same()
    draft.write_text(original[draft] + "bands:\n  - {stars: 3, min_score: 82, provenance: {status: assumed}}\n"
                     "  - {stars: 2, min_score: 70, provenance: {status: assumed}}\n", encoding="utf-8")
    assert "2026" in reference(rules)  # no band for 1 star
    same()
    draft.write_text(original[draft] + "score:\n  weights: {A: 0,4, B: 0.6}\n", encoding="utf-8")
    assert "0,4" in reference(rules)
    same()
    frozen.write_text(original[frozen].replace("en: OVOP Award 2024", "en: OVOP Award 2024 (changed)", 1), encoding="utf-8")
    assert "2024" in reference(rules)  # a frozen edition changed: the lock says so, and its child is re-resolved
    same()
    frozen.write_text(original[frozen], encoding="utf-8")
    same()
    tests.write_text(original[tests] + "\n# a comment\n", encoding="utf-8")
    same()
    tests.write_text(original[tests].replace("gates: {", "gates: {no_such_gate: true, ", 1),
                     encoding="utf-8")
    assert "no_such_gate" in reference(rules)
    same()
    tests.write_text(original[tests], encoding="utf-8")
    draft.write_text(original[draft].replace('extends: "2024"', 'extends: "2026"'), encoding="utf-8")
    assert "2026 -> 2026" in reference(rules)
    same()
    shutil.rmtree(rules / "2026")
    same()


def test_unchanged_editions_are_kept_and_a_changed_draft_is_not(tmp_path):
    """The keeping is real: a frozen edition's resolution is the same object from save to save, the draft's
    is new after its file changed (and only then)."""
    rules = copy_rules(tmp_path / "rules")
    new_edition(rules, "2026", "2024")
    checker = Checker(rules)
    first, _, _ = checker.check()
    second, _, _ = checker.check()
    assert second.editions["2024"] is first.editions["2024"]
    assert second.editions["2026"] is first.editions["2026"]
    draft = rules / "2026" / "edition.yaml"
    draft.write_text(draft.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    third, _, _ = checker.check()
    assert third.editions["2024"] is first.editions["2024"]
    assert third.editions["2026"] is not first.editions["2026"]
    assert third.editions["2026"].parent is third.editions["2024"]
