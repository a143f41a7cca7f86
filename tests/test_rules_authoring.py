"""A policy officer's draft, checked as they write it: every problem in one pass, at the file to edit, with a
ready fix; messages in Indonesian (default) or English with what is allowed; decimal commas, misspelt keys
and out-of-range values in plain words; commodity_map.yaml and tests.yaml checked too; a warning at freeze."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import OvopError
from engine.rules import check_rules, yamlsrc
from rulecopy import copy_rules

ROOT = Path(__file__).resolve().parents[1]
HEAD = """edition: "2026"
extends: "2024"
status: {status}
title: {{id: "{title_id}", en: "{title_en}"}}
"""
A1 = """    - id: A1
      group: A
      aspect: I
      label: {id: Bahan baku lokal, en: Local raw material}
      provenance: {status: assumed, note: "Draft levels."}
      evidence:
        name: bahan_baku_lokal_pct
        type: number
        unit: percent
        min: 0
        max: 100
        label: {id: Bahan baku lokal, en: Local raw material}
      levels:
        - {points: 1, when: "x < 70"}
        - {points: 2, when: "80 <= x < 100"}
        - {points: 3, when: "x = 100"}
"""
C6 = """criteria:
  add:
    - id: C6
      group: C
      label: {id: Sertifikasi digital, en: Digital certification}
      provenance: {status: assumed, note: "Draft criterion."}
      evidence:
        name: sertifikasi_digital
        type: integer
        min: 0
        label: {id: Jumlah sertifikasi digital, en: Number of digital certifications}
      levels:
        - {points: 1, when: "x = 0"}
        - {points: 2, when: "1 <= x <= 2"}
        - {points: 3, when: "x >= 3"}
"""


@pytest.fixture
def rules(tmp_path) -> Path:
    target = copy_rules(tmp_path / "rules")  # the frozen editions only: a draft in rules/ changes nothing here
    (target / "2026").mkdir()
    return target


def draft(rules: Path, body: str, status: str = "draft", title=("Penghargaan OVOP 2026 (draf)", "OVOP Award 2026 (draft)")) -> Path:
    path = rules / "2026" / "edition.yaml"
    path.write_text(HEAD.format(status=status, title_id=title[0], title_en=title[1]) + body, encoding="utf-8")
    return path


def found(rules: Path) -> list:
    with pytest.raises(OvopError) as info:
        check_rules(rules)
    return info.value.diagnostics


def check_cli(rules: Path, *args: str):
    return CliRunner().invoke(cli, ["rules", "check", "--rules", str(rules), *args])


# ---- every problem in one pass -------------------------------------------------------------------

FOUR = """gates:
  add:
    - fact: sertifikat_digital
      type: boolean
      requires: true
      aplies_to: [makanan_minuman]
      label: {id: Sertifikat digital, en: Digital certificate}
      provenance: {status: assumed, note: "Draft gate."}
criteria:
  replace:
""" + A1 + """score:
  method: weighted
  weights: {A: 0.40, B: 0.35, C: 0.30}
  provenance: {status: assumed, note: "Draft weights."}
bands:
  - {stars: 3, min_score: 100, provenance: {status: assumed}}
  - {stars: 2, min_score: 99, provenance: {status: assumed}}
  - {stars: 1, min_score: 60, provenance: {status: assumed}}
"""


def test_four_mistakes_are_reported_in_one_run(rules):
    path = draft(rules, FOUR)
    result = check_cli(rules, "--lang", "en")
    assert result.exit_code == 1
    out = result.stderr
    assert f'{path}:10:7: gates.add[0].aplies_to: unknown key "aplies_to" (did you mean "applies_to"?)' in out
    assert "criteria.replace[0].levels: edition 2026: gap: no level covers 70 <= x < 80" in out
    assert "score.weights: edition 2026: weights sum to 1.05, not 1 (checked exactly)" in out
    assert "bands[1].min_score: edition 2026: 2 stars can never be awarded" in out
    assert "counted with the weights scaled to sum to 1" in out
    problems = found(rules)
    assert len(problems) == 4, "\n".join(d.render() for d in problems)
    assert {d.file for d in problems} == {str(path)}  # all in the draft, none in a frozen edition


def test_a_schema_error_hides_only_the_checks_of_its_own_section(rules):
    draft(rules, FOUR.replace("      aplies_to:", "      applies_to:").replace("  method: weighted", "  methd: weighted"))
    messages = [str(d.message) for d in found(rules)]
    assert any('unknown key "methd" (did you mean "method"?)' in m for m in messages)
    assert any("gap: no level covers 70 <= x < 80" in m for m in messages)
    assert not any("weights sum" in m for m in messages)  # the score could not be read: not checked
    assert not any("can never be awarded" in m for m in messages)  # reachability reads the score


# ---- the file to edit, with a ready fix ----------------------------------------------------------

def test_a_new_criterion_points_at_the_draft_with_the_groups_replace_fix(rules):
    path = draft(rules, C6)
    problems = found(rules)
    assert len(problems) == 1
    d = problems[0]
    assert d.file == str(path) and d.path == "groups"
    en, id_ = d.render("en"), d.render("id")
    assert "group C says max_points 15, but its criteria's top levels add up to 18" in en
    assert f"(inherited from edition 2015, {rules}/2015/edition.yaml:14:7; change it in this edition 2026" in en
    assert "fix: write this in " + str(path) in en
    assert "\n      groups:\n        replace:\n          - id: C\n            max_points: 18\n" in en
    assert "grup C menyatakan max_points 15, tetapi level tertinggi kriterianya berjumlah 18" in id_
    assert "perbaikan: tulis ini di " + str(path) in id_
    # the fix, written as told, is all it takes
    with path.open("a", encoding="utf-8") as fh:
        fh.write(d.fix.split("\n", 1)[1] + "\n")
    checked = check_rules(rules)
    assert checked.editions["2026"].model.max_points() == 63
    assert yamlsrc.load(rules / "2015" / "edition.yaml").data == yamlsrc.load(ROOT / "rules/2015/edition.yaml").data


def test_an_inherited_problem_of_a_frozen_edition_is_reported_once_at_that_edition(rules):
    path = rules / "2015" / "edition.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("max_points: 15", "max_points: 16"), encoding="utf-8")
    group = [d for d in found(rules) if "group C says" in str(d.message)]
    assert len(group) == 1 and group[0].file == str(path)  # 2018, 2022, 2024 inherit it: not repeated


def test_missing_bands_suggest_the_parents_bands_with_their_values(rules):
    path = draft(rules, 'bands:\n  - {stars: 3, min_score: 82, provenance: {status: assumed, note: "Draft."}}\n')
    problems = found(rules)
    assert [str(d.message).split(": ", 1)[1] for d in problems] == [
        "no band gives 1 star, so 1 star can never be awarded", "no band gives 2 stars, so 2 stars can never be awarded"]
    fix = problems[0].fix
    assert fix.startswith(f"replace the `bands:` section of {path} with:")
    assert "- {stars: 2, min_score: 70, provenance: {status: assumed, note: \"Stand-in threshold.\"}}" in fix
    assert "- {stars: 3, min_score: 82," in fix
    text = path.read_text(encoding="utf-8")
    path.write_text(text[:text.index("bands:")] + fix.split("\n", 1)[1] + "\n", encoding="utf-8")
    assert [b.min_score for b in check_rules(rules).editions["2026"].model.bands] == [82, 70, 60]


# ---- plain words, in Indonesian or English -------------------------------------------------------

def test_indonesian_is_the_default_and_english_on_request(rules):
    draft(rules, "bands:\n  - {stars: 3, min_score: 101, provenance: {status: assumed}}\n")
    default, id_, en = check_cli(rules).stderr, check_cli(rules, "--lang", "id").stderr, check_cli(rules, "--lang", "en").stderr
    assert default == id_
    assert "bands[0].min_score: 101 terlalu besar\n    diizinkan: angka dari 0 sampai 100, dengan titik desimal (0.4)" in id_
    assert "bands[0].min_score: 101 is too large\n    allowed: a number from 0 to 100, with a decimal point (0.4)" in en
    assert "allowed" not in id_ and "diizinkan" not in en


def test_decimal_comma_in_flow_form_says_use_a_decimal_point(rules):
    draft(rules, "score: {method: weighted, weights: {A: 0,4, B: 0,3, C: 0,3}, provenance: {status: assumed}}\n")
    out = check_cli(rules).stderr
    assert out.count("koma desimal") == 3 and "gunakan titik desimal: 0.4" in out and "gunakan titik desimal: 0.3" in out
    assert "duplicate" not in out and "dua kali" not in out
    en = check_cli(rules, "--lang", "en").stderr
    assert 'score.weights.A: a decimal comma: "0,4" reads as two entries; use a decimal point: 0.4' in en
    assert "weights sum" not in en  # read as meant (0.4 + 0.3 + 0.3 = 1): the other checks ran and agree


def test_decimal_comma_in_block_form_says_use_a_decimal_point(rules):
    draft(rules, "score:\n  method: weighted\n  weights:\n    A: 0,4\n    B: 0.3\n    C: 0.3\n  provenance: {status: assumed}\n")
    en = check_cli(rules, "--lang", "en").stderr
    assert 'score.weights.A: wrong type: "0,4" is text, not a number; use a decimal point: 0.4' in en
    assert "str" not in en.split("|")[0] and "valid" not in en


def test_an_assessment_file_with_a_decimal_comma_is_refused_not_read_as_meant(tmp_path):
    path = tmp_path / "a.yaml"
    path.write_text("evidence: {x: 0,4}\n", encoding="utf-8")
    with pytest.raises(OvopError, match="decimal comma"):
        yamlsrc.load(path)


@pytest.mark.parametrize("written,meant", [("threshhold", "min_score"), ("treshold", "min_score"), ("min_scor", "min_score"),
                                           ("provenence", "provenance")])
def test_every_unknown_key_gets_a_did_you_mean(rules, written, meant):
    draft(rules, f"bands:\n  - {{stars: 3, {'min_score: 80, ' if meant != 'min_score' else ''}"
                 f"{written}: {'{status: assumed}' if meant == 'provenance' else 82}"
                 f"{', provenance: {status: assumed}' if meant != 'provenance' else ''}}}\n")
    en = check_cli(rules, "--lang", "en").stderr
    assert f'unknown key "{written}" (did you mean "{meant}"' in en, en


def test_every_message_has_what_is_allowed(rules):
    draft(rules, FOUR + "consequences:\n  label_kemasan: {min_stars: 0, provenance: {status: assumd}}\n")
    for d in found(rules):
        assert d.allowed, d.render()


# ---- commodity_map.yaml ----------------------------------------------------------------------------

def map_problems(rules: Path, text: str) -> str:
    shutil.rmtree(rules / "2026", ignore_errors=True)
    (rules / "commodity_map.yaml").write_text(text, encoding="utf-8")
    result = check_cli(rules, "--lang", "en")
    assert result.exit_code == 1
    return result.stderr


MAP = (ROOT / "rules" / "commodity_map.yaml").read_text(encoding="utf-8")


def test_commodity_map_unknown_key_and_syntax_error_are_reported(rules):
    out = map_problems(rules, MAP.replace("map:", "mapp:"))
    assert 'commodity_map.yaml:11:1: mapp: unknown key "mapp" (did you mean "map"?)' in out
    out = map_problems(rules, MAP.replace("{from: tenun, to: kain_tenun}", "{from: tenun, to: kain_tenun"))
    assert "commodity_map.yaml:" in out and "YAML syntax error" in out


def test_commodity_map_codes_must_be_in_their_list(rules):
    out = map_problems(rules, MAP.replace("{from: batik, to: kain_batik}", "{from: batk, to: batik}"))
    assert 'map[3].from: "batk" is not a code of the commodity list of editions 2013, 2015 (did you mean "batik"?)' in out
    assert 'map[3].to: "batik" is not a code of the commodity list of editions 2018, 2022, 2024 (did you mean ' \
           '"kain_batik"?)' in out


def test_commodity_map_reverse_direction_must_be_unambiguous(rules):
    out = map_problems(rules, MAP.replace("{from: gerabah_keramik_hias, to: gerabah}", "{from: batik, to: tenun}"))
    assert 'map[4].to: "tenun" is a `to` code here and a `from` code in map[2]; read backwards, the map would be ' \
           'ambiguous' in out
    out = map_problems(rules, MAP + "  - {from: tenun, to: kain_batik}\n")
    assert '"tenun" is mapped twice' in out


# ---- tests.yaml --------------------------------------------------------------------------------------

def problems_in_tests(rules: Path, edit) -> str:
    shutil.rmtree(rules / "2026", ignore_errors=True)
    path = rules / "2024" / "tests.yaml"
    path.write_text(edit(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = check_cli(rules, "--lang", "en")
    assert result.exit_code == 1
    return result.stderr


def test_tests_yaml_schema_is_checked(rules):
    out = problems_in_tests(rules, lambda s: s.replace("    expect: {status: awarded, stars: 3, band_stars: 3, score: 100,",
                                                    "    expct: {status: awarded, stars: 3, band_stars: 3, score: 100,", 1))
    assert 'tests[0].expct: unknown key "expct" (did you mean "expect"?)' in out
    assert 'tests[0].expect: missing required key "expect"' in out


def test_tests_yaml_names_are_unique_and_editions_exist(rules):
    first = "  - name: Semua kriteria di level tertinggi / every criterion at the top\n"
    out = problems_in_tests(rules, lambda s: s.replace("base:\n", "base:\n  previous: {edition: \"2023\", stars: 2}\n", 1)
                         + "\n" + first + "    expect: {status: awarded}\n")
    assert 'test name "Semua kriteria di level tertinggi / every criterion at the top" is used 2 times' in out
    assert 'base.previous.edition: edition "2023" does not exist (did you mean "2024"?)' in out


def test_tests_yaml_evidence_names_are_the_editions(rules):
    out = problems_in_tests(rules, lambda s: s.replace("    bahan_baku_lokal_pct: 100", "    bahan_baku_lokal: 100", 1))
    assert 'base.evidence.bahan_baku_lokal: unknown evidence "bahan_baku_lokal" in edition 2024 (did you mean ' \
           '"bahan_baku_lokal_pct"?)' in out


def test_shipped_rules_folder_checks_clean_with_its_map_and_tests():
    result = CliRunner().invoke(cli, ["rules", "check", "--rules", str(ROOT / "rules")])
    assert result.exit_code == 0, result.output


# ---- freezing --------------------------------------------------------------------------------------

def test_freeze_warns_when_the_title_still_says_draft(rules):
    draft(rules, "", status="published")
    result = CliRunner().invoke(cli, ["rules", "freeze", "2026", "--rules", str(rules)])
    assert result.exit_code == 0, result.output
    assert "2026" in json.loads((rules / "editions.lock").read_text(encoding="utf-8"))
    assert "judul edisi 2026 masih menyebut draf: Penghargaan OVOP 2026 (draf) / OVOP Award 2026 (draft)" in result.stderr
    assert "the title of edition 2026 still says draft" in result.stderr


def test_freeze_says_nothing_for_a_finished_title(rules):
    draft(rules, "", status="published", title=("Penghargaan OVOP 2026", "OVOP Award 2026"))
    result = CliRunner().invoke(cli, ["rules", "freeze", "2026", "--rules", str(rules)])
    assert result.exit_code == 0 and result.stderr == "", result.output


# ---- the catalogue ---------------------------------------------------------------------------------

def test_catalogue_has_both_languages_with_the_same_placeholders():
    import string

    from engine.rules.messages import CATALOGUE
    fields = lambda text: {f for _, f, _, _ in string.Formatter().parse(text) if f}  # noqa: E731
    same = [key for key, (id_, en) in CATALOGUE.items() if id_ == en]
    for key, (id_, en) in CATALOGUE.items():
        assert id_.strip() and en.strip(), key
        assert fields(id_) == fields(en), key
    assert len(same) <= 4, same  # only forms without words (lists of keys, the parser's own text)


def test_text_keeps_both_languages_through_joins_and_pickling():
    import pickle

    from engine.errors import Text, did_you_mean, say
    from engine.rules.messages import t
    text = "x: " + t("unknown_key", key="lable", hint=did_you_mean("lable", ["label"])) + "!"
    assert str(text) == 'x: unknown key "lable" (did you mean "label"?)!'
    assert say(text, "id") == 'x: kunci "lable" tidak dikenal (maksud Anda "label"?)!'
    again = pickle.loads(pickle.dumps(text))
    assert isinstance(again, Text) and again == text and say(again, "id") == say(text, "id")
