"""engine/rules/limits.py and the one YAML dialect: bounds checked before any work, YAML 1.2 core always."""
from __future__ import annotations

import time

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
