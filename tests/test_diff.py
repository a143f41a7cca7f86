"""ovop rules diff and ovop rules new: semantic differences between editions, by ids not positions."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from ruamel.yaml import YAML

from engine.cli import cli
from engine.rules.diff import diff_editions
from engine.rules.resolve import load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


@pytest.fixture(scope="module")
def rules():
    return load_rules(RULES)


def changes(rules, a, b):
    return diff_editions(rules.editions[a].model, rules.editions[b].model)


def rule_changes(rules, a, b):
    return [c for c in changes(rules, a, b) if c.kind != "label"]


@pytest.mark.parametrize("edition", sorted(load_rules(RULES).editions))
def test_an_edition_against_itself_is_empty(rules, edition):
    assert changes(rules, edition, edition) == []


@pytest.mark.parametrize("a,b", [("2013", "2015"), ("2015", "2018"), ("2018", "2022"), ("2013", "2024")])
def test_symmetric(rules, a, b):
    forward = [(c.path, c.before, c.after) for c in changes(rules, a, b)]
    backward = [(c.path, c.after, c.before) for c in changes(rules, b, a)]
    assert sorted(map(repr, forward)) == sorted(map(repr, backward))
    assert forward


def test_2013_to_2015_is_c5_and_group_c(rules):
    found = {(c.section, c.item, c.field): (c.before, c.after) for c in rule_changes(rules, "2013", "2015")}
    assert set(found) == {("criteria", "C5", ""), ("groups", "C", "max_points")}
    assert found[("groups", "C", "max_points")] == (12, 15)
    assert found[("criteria", "C5", "")][0] is None


def test_2015_to_2018(rules):
    found = rule_changes(rules, "2015", "2018")
    sections = {c.section for c in found}
    assert sections == {"sources", "commodities", "gates", "bands", "caps"}
    assert [(c.item, c.before is None) for c in found if c.section == "gates"] == [("izin_edar_pangan", True)]
    added = {c.item for c in found if c.section == "commodities" and c.before is None}
    assert added == {"makanan_minuman", "kain_tenun", "kain_batik", "gerabah"}
    bands = {c.item: (c.before, c.after) for c in found if c.section == "bands"}
    assert bands == {"5": (85, 88), "4": (75, 78), "3": (65, 68), "2": (55, 58), "1": (45, 48)}
    caps = [c for c in found if c.section == "caps"]
    assert [(c.item, c.field) for c in caps] == [("cap_5_ekspor", "requires.merek")]


def test_phrases(rules):
    c = next(c for c in changes(rules, "2015", "2018") if c.section == "bands" and c.item == "5")
    assert c.text("en") == "5-star band minimum score: from 85 to 88"
    assert c.text("id") == "bintang 5 skor minimum: dari 85 menjadi 88"


def test_level_condition_phrase(tmp_path):
    rules_dir = draft_copy(tmp_path, """
criteria:
  replace:
    - id: A1
      group: A
      label: {id: Bahan baku lokal, en: Local raw material}
      provenance: {status: assumed, note: "x"}
      evidence: {name: bahan_baku_lokal_pct, type: number, unit: "%", min: 0, max: 100,
                 label: {id: Bahan baku lokal, en: Local raw material}}
      levels:
        - {points: 1, when: "x < 70"}
        - {points: 2, when: "70 <= x < 100"}
        - {points: 3, when: "x = 100"}
""")
    rs = load_rules(rules_dir)
    texts = [c.text("en") for c in diff_editions(rs.editions["2024"].model, rs.editions["2099"].model)
             if c.section == "criteria" and c.field.startswith("levels")]
    assert "A1 1-point level condition: from x < 80 to x < 70" in texts
    assert "A1 2-point level condition: from 80 <= x < 100 to 70 <= x < 100" in texts
    assert len(texts) == 2


def draft_copy(tmp_path: Path, body: str) -> Path:
    rules_dir = tmp_path / "rules"
    shutil.copytree(RULES, rules_dir)
    result = CliRunner().invoke(cli, ["rules", "new", "2099", "--from", "2024", "--rules", str(rules_dir)])
    assert result.exit_code == 0, result.output
    path = rules_dir / "2099" / "edition.yaml"
    path.write_text(path.read_text(encoding="utf-8") + body, encoding="utf-8")
    return rules_dir


def test_reordered_and_reformatted_copy_is_no_change(tmp_path, rules):
    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    yaml = YAML(typ="safe")
    for path in sorted(copy.glob("*/edition.yaml")):
        data = yaml.load(path.read_text(encoding="utf-8"))
        for key in ("commodities", "gates", "groups", "criteria", "caps", "bands"):
            if isinstance(data.get(key), list):
                data[key] = list(reversed(data[key]))
        if "sources" in data:
            data["sources"] = dict(reversed(list(data["sources"].items())))
        for c in data.get("criteria") or []:
            if isinstance(c, dict):
                c["levels"] = [dict(lv, when=lv["when"].replace(" ", "")) if "when" in lv else lv
                               for lv in reversed(c["levels"])]
        path.write_text(json.dumps(dict(reversed(list(data.items()))), ensure_ascii=False), encoding="utf-8")
    other = load_rules(copy, frozen=False)  # bands and levels reordered: another hash, the same meaning
    for edition in rules.editions:
        assert diff_editions(rules.editions[edition].model, other.editions[edition].model) == []


def test_cli_json_and_text():
    runner = CliRunner()
    out = runner.invoke(cli, ["rules", "diff", "2013", "2015", "--json", "--rules", str(RULES)])
    assert out.exit_code == 0
    data = json.loads(out.output)
    assert {"section", "item", "field", "before", "after", "text"} <= set(data[0])
    again = runner.invoke(cli, ["rules", "diff", "2013", "2015", "--json", "--rules", str(RULES)])
    assert again.output == out.output
    text = runner.invoke(cli, ["rules", "diff", "2013", "2015", "--lang", "en", "--rules", str(RULES)])
    assert "group C max points: from 12 to 15" in text.output
    bad = runner.invoke(cli, ["rules", "diff", "2013", "2051", "--rules", str(RULES)])
    assert bad.exit_code == 1 and 'edisi "2051" tidak dikenal' in bad.output  # --lang id by default


def test_rules_new(tmp_path):
    rules_dir = draft_copy(tmp_path, "")
    text = (rules_dir / "2099" / "edition.yaml").read_text(encoding="utf-8")
    assert text.startswith("# yaml-language-server: $schema=")
    assert "status: draft" in text and "remove:" in text
    runner = CliRunner()
    check = runner.invoke(cli, ["rules", "check", "--rules", str(rules_dir)])
    assert check.exit_code == 0, check.output
    assert "2099" in check.output and "draft" in check.output
    again = runner.invoke(cli, ["rules", "new", "2099", "--from", "2024", "--rules", str(rules_dir)])
    assert again.exit_code == 1 and "exists already" in again.output
    bad = runner.invoke(cli, ["rules", "new", "draft", "--from", "2024", "--rules", str(rules_dir)])
    assert bad.exit_code == 1 and "not a valid edition id" in bad.output
    missing = runner.invoke(cli, ["rules", "new", "2100", "--from", "2204", "--rules", str(rules_dir)])
    assert missing.exit_code == 1 and 'did you mean "2024"' in missing.output
    assert not (rules_dir / "2100").exists()
