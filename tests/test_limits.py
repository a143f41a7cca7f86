"""engine/rules/limits.py and the one YAML dialect: bounds checked before any work, YAML 1.2 core always."""
from __future__ import annotations

import time
from pathlib import Path

import pytest

from engine.errors import MAX_ERRORS, Diagnostic, OvopError
from engine.inputs import json_source
from engine.rules import limits, yamlsrc


@pytest.mark.parametrize("text, reading", [
    ("a: y", "y"), ("a: yes", "yes"), ("a: on", "on"), ("a: True", "True"), ("a: 1:25", "1:25"),
    ("a: 0x0C", 12), ("a: 0o14", 12), ("a: true", True), ("a: false", False), ("a: =", "="), ("a: 012", 12),
    ("a: ~", None), ("a: .5", 0.5), ("a: 1_000", "1_000"), ("a: 2024-01-01", "2024-01-01"),
])
def test_yaml_is_read_as_yaml_1_2_core(text, reading):
    assert yamlsrc.loads(text, "f.yaml").data == {"a": reading}


def test_same_reading_with_or_without_a_1_2_directive_and_whatever_else_is_in_the_file():
    plain = yamlsrc.loads("a: y\nb: 1:25\nc: 0x0C\nd: .inf\n", "f.yaml").data
    assert yamlsrc.loads("%YAML 1.2\n---\na: y\nb: 1:25\nc: 0x0C\nd: .inf\n", "f.yaml").data == plain
    assert plain["a"] == "y" and plain["b"] == "1:25" and plain["c"] == 12


@pytest.mark.parametrize("version", ["1.1", "1.0", "2.0"])
def test_other_yaml_versions_are_refused(version):
    with pytest.raises(OvopError) as err:
        yamlsrc.loads(f"%YAML {version}\n---\na: y\n", "f.yaml")
    assert err.value.render().startswith(f"f.yaml:1:1: versi YAML tidak didukung / YAML version not supported: "
                                         f"%YAML {version}")


@pytest.mark.parametrize("text", ["1e999999999", "-1E+999999999", "1" * 500, "0." + "1" * 200, "1e401", "1e-401",
                                  "0x" + "f" * 200])
def test_numbers_past_the_bounds_fail_fast(text):
    started = time.perf_counter()
    assert limits.number_problem(text)
    with pytest.raises(OvopError):
        yamlsrc.loads(f"a: {text}", "f.yaml")
    if not text.startswith("0x"):
        with pytest.raises(OvopError):
            json_source(f'{{"a": {text}}}', "f.json", positions=True)
    assert time.perf_counter() - started < 0.5


@pytest.mark.parametrize("text", ["1e400", "1e-400", "1" * 100, "12.5", "-0.001", "0x1F"])
def test_numbers_within_the_bounds_are_read(text):
    assert limits.number_problem(text) is None


def test_json_accepts_a_bom_like_yaml(tmp_path):
    source = json_source('\ufeff{"a": 1.5}', "f.json", positions=True)
    assert source.located.data == {"a": 1.5} and source.texts == {("a",): "1.5"}
    (tmp_path / "b.json").write_bytes(b'\xef\xbb\xbf{"a": 2}')
    assert limits.read_text(tmp_path / "b.json") == '{"a": 2}'


def test_body_limit_for_web_routes(monkeypatch):
    limits.check_body(b"x" * 100, limit=100)
    with pytest.raises(limits.LimitError) as err:
        limits.check_body(b"x" * 101, limit=100)
    assert "request body too large" in err.value.render()
    monkeypatch.setenv("OVOP_MAX_BODY_BYTES", "123")
    assert limits.body_limit() == 123


def test_lines_longer_than_the_limit_are_refused(tmp_path):
    path = tmp_path / "a.jsonl"
    path.write_bytes(b"{}\n" + b"x" * 2000 + b"\n")
    with limits.open_regular(path) as fh:
        with pytest.raises(limits.LimitError) as err:
            list(limits.bounded_lines(fh, "a.jsonl", limit=1000))
    assert err.value.render().startswith("a.jsonl:2: baris terlalu panjang / line too long")


def test_errors_are_capped_with_a_count_and_control_characters_escaped():
    err = OvopError([Diagnostic("f", i, message=f"bad \x1b[31m{i}") for i in range(1, 200)])
    assert len(err.diagnostics) == MAX_ERRORS + 1
    assert err.diagnostics[-1].message.startswith("dan 149 kesalahan lagi / and 149 more errors")
    assert "\x1b" not in err.render() and "\\x1b[31m" in err.render()
    long = Diagnostic("f", 1, 5000, "", "m", None, "y" * 10_000).render()
    assert len(long) < 300


# ---- `rules check` knows the rules engine's limits (engine/rules/enginelimits.py)
DRAFT = """edition: "2026"
extends: "2013"
status: draft
title: {{id: Draf, en: Draft}}
{body}"""
LEVELS = """criteria:
  replace:
    - id: A1
      group: A
      aspect: I
      label: {{id: Bahan baku lokal, en: Local raw material}}
      provenance: {{status: sourced, source: form_seleksi}}
      evidence: {{name: bahan_baku_lokal_pct, type: number, unit: percent, min: 0, max: 100, label: {{id: P, en: S}}}}
      levels:
        - {{points: 1, when: "x < {t}"}}
        - {{points: 2, when: "{t} <= x < 100"}}
        - {{points: 3, when: "x = 100"}}
"""


def _rules_check(tmp_path, body: str, lang: str = "en"):
    import shutil
    from click.testing import CliRunner
    from engine.cli import cli
    rules = tmp_path / "rules"
    shutil.copytree(Path(__file__).resolve().parent.parent / "rules", rules)
    (rules / "2026").mkdir()
    (rules / "2026" / "edition.yaml").write_text(DRAFT.format(body=body), encoding="utf-8")
    result = CliRunner().invoke(cli, ["rules", "check", "--rules", str(rules), "--lang", lang])
    return result.exit_code, result.output.replace(str(rules), "rules")


def test_rules_check_refuses_more_than_15_significant_digits_at_the_line(tmp_path):
    code, out = _rules_check(tmp_path, LEVELS.format(t="80.00000000000000001"))
    assert code == 1
    assert ("rules/2026/edition.yaml:14:23: criteria.replace[0].levels[0].when: edition 2026: 80.00000000000000001 has "
            "more than 15 significant digits; the rules engine compares doubles and could not decide it exactly\n"
            "    allowed: a number of at most 15 significant digits, a terminating decimal (the rules engine compares "
            "doubles)\n"
            '    |         - {points: 1, when: "x < 80.00000000000000001"}\n') in out
    assert "rules/2026/edition.yaml:15:23: criteria.replace[0].levels[1].when: edition 2026: 80.00000000000000001" in out
    code, out = _rules_check(tmp_path / "id", LEVELS.format(t="80.00000000000000001"), lang="id")
    assert ("rules/2026/edition.yaml:14:23: criteria.replace[0].levels[0].when: edisi 2026: 80.00000000000000001 punya "
            "lebih dari 15 digit bermakna; mesin aturan membandingkan bilangan double dan tidak dapat memutuskannya "
            "dengan tepat\n    diizinkan: angka dengan paling banyak 15 digit bermakna") in out
    code, out = _rules_check(tmp_path / "ok", LEVELS.format(t="80.0000000000001"))  # 15 digits: fine
    assert code == 0, out


def test_rules_check_refuses_a_band_threshold_the_engine_cannot_compare(tmp_path):
    bands = "bands:\n" + "".join(f'  - {{stars: {s}, min_score: {m}, provenance: {{status: assumed, note: "x"}}}}\n'
                                 for s, m in ((5, "85.0000000000000001"), (4, 75), (3, 65), (2, 55), (1, 45)))
    code, out = _rules_check(tmp_path, bands)
    assert code == 1
    assert ("rules/2026/edition.yaml:6:16: bands[0].min_score: edition 2026: 85.0000000000000001 has more than 15 "
            "significant digits; the rules engine compares doubles and could not decide it exactly\n"
            "    allowed: a number of at most 15 significant digits, a terminating decimal (the rules engine compares "
            "doubles)\n"
            '    |   - {stars: 5, min_score: 85.0000000000000001, provenance: {status: assumed, note: "x"}}\n') in out, out


def test_rules_check_refuses_more_than_255_fact_properties_at_the_first_one_past(tmp_path):
    gate = ('    - {{fact: f{n:03d}, type: boolean, requires: true, label: {{id: F, en: F}}, '
            'provenance: {{status: assumed, note: "x"}}}}\n')
    code, out = _rules_check(tmp_path, "gates:\n  add:\n" + "".join(gate.format(n=n) for n in range(250)))
    assert code == 1
    assert ("rules/2026/edition.yaml:254:7: gates.add[247]: edition 2026: 277 fact properties (251 gate facts, 19 "
            "evidence, 7 of the engine's own): more than the rules engine allows\n"
            "    allowed: at most 255 properties: at most 248 gate facts and evidence together\n") in out, out
    code, out = _rules_check(tmp_path / "ok", "gates:\n  add:\n" + "".join(gate.format(n=n) for n in range(228)))
    assert code == 0, out  # 255 properties: the most the engine takes


def test_the_bounds_are_the_engines():
    from engine.decide import durable_adapter
    from engine.rules import enginelimits
    assert (enginelimits.MAX_SIGNIFICANT_DIGITS, enginelimits.MAX_PROPERTIES, enginelimits.MAX_DISTINCT_TESTS) == (
        durable_adapter.MAX_SIGNIFICANT_DIGITS, durable_adapter.MAX_PROPERTIES, durable_adapter.MAX_DISTINCT_TESTS)


@pytest.mark.parametrize("command", [["impact", "2026", "--base", "2013", "--lang", "en"], ["evaluate", "--edition", "2026", "--lang", "en"],
                                     ["publish", "--db", "{tmp}/o.db", "--lang", "en"]])
def test_commands_that_decide_refuse_it_at_the_line_too(tmp_path, command):
    """Not an engine error with no line (evaluate) or an internal error (impact): the same words as the check."""
    from click.testing import CliRunner
    from engine.cli import cli
    _rules_check(tmp_path, LEVELS.format(t="80.00000000000000001"))
    sample = Path(__file__).resolve().parent.parent / "datasets/samples/2013.yaml"
    args = [a.replace("{tmp}", str(tmp_path)) for a in command] + ["--rules", str(tmp_path / "rules"), str(sample)]
    result = CliRunner().invoke(cli, args)
    out = result.output.replace(str(tmp_path / "rules"), "rules")
    assert result.exit_code == 1 and "internal error" not in out, out
    assert out.startswith("rules/2026/edition.yaml:14:23: criteria.replace[0].levels[0].when: edition 2026: "
                          "80.00000000000000001 has more than 15 significant digits"), out


def test_rules_check_refuses_more_than_512_distinct_tests_of_one_evidence(tmp_path):
    """An enum evidence of 513 codes, each tested by a level: 513 distinct tests; the engine hangs past 512."""
    codes = [f"c{k:03d}" for k in range(513)]
    body = ("criteria:\n  replace:\n    - id: A4\n      group: A\n      aspect: I\n"
            "      label: {id: Lingkungan, en: Environment}\n      provenance: {status: sourced, source: form_seleksi}\n"
            "      evidence:\n        name: pengendalian_lingkungan\n        type: enum\n"
            "        label: {id: Dampak, en: Impact}\n        codes:\n"
            + "".join(f"          - {{code: {c}, label: {{id: {c}, en: {c}}}}}\n" for c in codes)
            + "      levels:\n"
            + f"        - {{points: 1, codes: [{', '.join(codes[:171])}]}}\n"
            + f"        - {{points: 2, codes: [{', '.join(codes[171:342])}]}}\n"
            + f"        - {{points: 3, codes: [{', '.join(codes[342:])}]}}\n")
    code, out = _rules_check(tmp_path, body)
    assert code == 1
    assert ("rules/2026/edition.yaml:530:7: criteria.replace[0].levels: edition 2026: evidence pengendalian_lingkungan "
            "is tested in 513 distinct ways: more than the rules engine can take\n"
            "    allowed: at most 512 distinct tests of one evidence\n") in out, out
    code, out = _rules_check(tmp_path / "ok", body.replace("c512", "c511").replace(
        "          - {code: c511, label: {id: c511, en: c511}}\n", "", 1))
    assert "distinct ways" not in out, out


def test_the_workbench_form_leaves_a_number_past_the_limits_as_text():
    """int() of 5,000 digits raised ValueError in the rule editor's form reader (a 500); now it is text, which
    the rule file's model refuses in its words."""
    from engine.web.form import _scalar
    assert _scalar("9" * 5000, "int") == "9" * 5000
    assert _scalar("12", "int") == 12 and _scalar("1.5", "num") == 1.5
