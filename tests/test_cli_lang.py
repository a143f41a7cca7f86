"""`ovop evaluate`, `ovop explain` and `ovop publish` word assessment errors in Indonesian by default and in English
with --lang en: exactly the texts of tests/broken_assessments/*.expected.txt (X.en.expected.txt in English)."""
from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from rulecopy import copy_rules

ROOT = Path(__file__).resolve().parent.parent
BROKEN = ROOT / "tests" / "broken_assessments"
CASES = ["bad_enum_code.yaml", "missing_id_in_list.yaml", "duplicate_key.yaml"]


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> Path:
    return copy_rules(tmp_path_factory.mktemp("published") / "rules")


@pytest.fixture(autouse=True)
def _at_root(monkeypatch):
    monkeypatch.chdir(ROOT)


def expected(name: str, lang: str) -> str:
    suffix = ".expected.txt" if lang == "id" else f".{lang}.expected.txt"
    return (BROKEN / (name.split(".")[0] + suffix)).read_text(encoding="utf-8").partition("\n")[2]


def run(*args: str):
    return CliRunner().invoke(cli, list(args))


@pytest.mark.parametrize("name", CASES)
@pytest.mark.parametrize("command", [["evaluate"], ["explain"], ["evaluate", "--json"]])
def test_errors_follow_lang(command, name, rules):
    path = f"tests/broken_assessments/{name}"
    default = run(*command, path, "--rules", str(rules))
    assert default.exit_code == 1 and default.stdout == ""
    assert default.stderr == expected(name, "id")
    assert run(*command, path, "--rules", str(rules), "--lang", "id").stderr == expected(name, "id")
    english = run(*command, path, "--rules", str(rules), "--lang", "en")
    assert english.exit_code == 1 and english.stderr == expected(name, "en")
    assert "Traceback" not in default.output + english.output


def test_publish_errors_follow_lang(rules, tmp_path):
    path = "tests/broken_assessments/bad_enum_code.yaml"
    db = str(tmp_path / "ovop.db")
    default = run("publish", "--db", db, "--rules", str(rules), path)
    assert default.exit_code == 1 and default.stderr == expected("bad_enum_code.yaml", "id")
    english = run("publish", "--db", db, "--rules", str(rules), "--lang", "en", path)
    assert english.exit_code == 1 and english.stderr == expected("bad_enum_code.yaml", "en")
    assert not Path(db).exists()


def test_a_jsonl_population_errors_follow_lang(rules, tmp_path):
    """The population reader (engine.inputs.lines) words its errors in English; the CLI says them in --lang."""
    import json
    from ruamel.yaml import YAML
    sample = YAML(typ="safe", pure=True).load((ROOT / "datasets" / "samples" / "2024.yaml").read_text(encoding="utf-8"))
    rows = [dict(a) for a in sample[:2]]
    rows[1] = dict(rows[1], evidence=dict(rows[1]["evidence"], jangkauan_pasar="internasional"))
    pop = tmp_path / "pop.jsonl"
    pop.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    db = str(tmp_path / "ovop.db")
    default = run("publish", "--db", db, "--rules", str(rules), str(pop))
    assert default.exit_code == 1
    assert f'{pop}:2:' in default.stderr and '"internasional" bukan kode yang sah (maksud Anda "nasional"?)' in default.stderr
    assert "diizinkan: salah satu dari: lokal, nasional, ekspor" in default.stderr
    english = run("publish", "--db", db, "--rules", str(rules), "--lang", "en", str(pop))
    assert '"internasional" is not a valid code (did you mean "nasional"?)' in english.stderr
    assert "allowed: one of: lokal, nasional, ekspor" in english.stderr
