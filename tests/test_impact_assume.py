"""`ovop impact` for a draft that adds evidence no past assessment has: the loud warning, `--assume`, the
not-re-targeted assessments counted by reason (`--all`: each one), in Indonesian or English; the population
(.jsonl) path agrees with the file path."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

from engine.cli import cli
from rulecopy import copy_rules

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = ROOT / "datasets" / "synthetic" / "2024.yaml"
DRAFT = """edition: "2026"
extends: "2024"
status: draft
title: {id: "Penghargaan OVOP 2026 (draf)", en: "OVOP Award 2026 (draft)"}
criteria:
  add:
    - id: C6
      group: C
      label: {id: Sertifikasi digital, en: Digital certification}
      provenance: {status: assumed, note: "Draft criterion."}
      evidence: {name: sertifikasi_digital, type: integer, min: 0, max: 9, label: {id: Sertifikasi, en: Certifications}}
      levels:
        - {points: 1, when: "x = 0"}
        - {points: 2, when: "1 <= x <= 2"}
        - {points: 3, when: "x >= 3"}
groups:
  replace:
    - id: C
      max_points: 18
      label: {id: Keunikan dan Mutu, en: Uniqueness and quality}
      provenance: {status: assumed, note: "Draft: C6 added."}
"""


@pytest.fixture(scope="module")
def rules(tmp_path_factory) -> Path:
    target = copy_rules(tmp_path_factory.mktemp("assume") / "rules")
    (target / "2026").mkdir()
    (target / "2026" / "edition.yaml").write_text(DRAFT, encoding="utf-8")
    return target


def impact(rules: Path, *args: str):
    return CliRunner().invoke(cli, ["impact", "2026", "--base", "2024", "--rules", str(rules), *args])


def test_nothing_evaluated_is_said_loudly_with_the_assume_that_would_help(rules):
    res = impact(rules, str(SAMPLE))
    assert res.exit_code == 0, res.output
    first, second = res.stdout.splitlines()[:2]
    assert first.startswith("PERINGATAN: tidak satu pun penilaian dapat dievaluasi di bawah 2024 dan 2026")
    assert "TIDAK berarti draf tanpa pengaruh" in first
    assert second.startswith("Draf 2026 meminta jawaban yang tidak dimiliki penilaian lama: sertifikasi_digital")
    assert "  ovop impact 2026 --base 2024 --assume sertifikasi_digital=NILAI" in res.stdout
    assert res.stdout.rstrip().endswith("--assume sertifikasi_digital=NILAI")  # said again at the end
    en = impact(rules, str(SAMPLE), "--lang", "en")
    assert en.stdout.startswith("WARNING: no assessment could be evaluated under both 2024 and 2026")
    as_json = impact(rules, str(SAMPLE), "--json")
    assert json.loads(as_json.stdout)["evaluated"] == 0
    assert as_json.stderr.startswith("PERINGATAN: tidak satu pun penilaian")  # stdout stays JSON


def test_not_retargeted_are_counted_by_reason_and_listed_with_all(rules):
    n = len(yaml.safe_load(SAMPLE.read_text(encoding="utf-8")))
    res = impact(rules, str(SAMPLE))
    assert f"{n} tidak dapat ditargetkan ulang (tidak dievaluasi), menurut alasan" in res.stdout
    row = next(line for line in res.stdout.splitlines() if "tidak ada evidence.sertifikasi_digital" in line)
    assert f"│ {n} │" in row.replace("  ", " ").replace("  ", " ") or f" {n} " in row
    assert "--all mencantumkan setiap penilaian" in res.stdout
    assert res.stdout.count("2024-SYN-") < 10  # ids only as examples
    every = impact(rules, str(SAMPLE), "--all")
    assert every.stdout.count("2024-SYN-") == n
    data = json.loads(impact(rules, str(SAMPLE), "--json").stdout)
    assert data["not_retargeted_by_reason"] == [
        {"edition": "2026", "reason": "missing evidence.sertifikasi_digital", "count": n,
         "examples": [s["id"] for s in data["not_retargeted"][:3]]}]


def test_an_assumed_answer_lets_every_assessment_be_evaluated_under_the_draft(rules):
    n = len(yaml.safe_load(SAMPLE.read_text(encoding="utf-8")))
    data = json.loads(impact(rules, str(SAMPLE), "--assume", "sertifikasi_digital=3", "--json").stdout)
    assert data["evaluated"] == n and data["not_retargeted"] == [] and data["assumed"] == {"evidence.sertifikasi_digital": 3}
    reasons = [r for m in data["moves"] for r in m["reasons"]]
    assert data["moves"] and "kriteria C6: ditambahkan, 3 poin (sertifikasi_digital >= 3)" in reasons
    low = json.loads(impact(rules, str(SAMPLE), "--assume", "evidence.sertifikasi_digital=0", "--json",
                            "--lang", "en").stdout)
    assert "criterion C6: added, 1 point (sertifikasi_digital = 0)" in [r for m in low["moves"] for r in m["reasons"]]
    assert all(m["score_after"] < m["score_before"] for m in low["moves"] if m["score_before"] is not None)
    assert low["moves"]  # 1 of 3 points in a bigger group C lowers every score


def test_an_answer_the_assessment_gives_is_never_replaced(rules):
    same = json.loads(impact(rules, str(SAMPLE), "--assume", "sertifikasi_digital=3", "--json").stdout)
    also = json.loads(impact(rules, str(SAMPLE), "--assume", "sertifikasi_digital=3", "--assume",
                             "jangkauan_pasar=lokal", "--assume", "gates.izin_usaha=false", "--json").stdout)
    assert also["matrix"] == same["matrix"] and also["moves"] == same["moves"]


def test_the_population_path_agrees_with_the_file_path(rules, tmp_path):
    items = yaml.safe_load(SAMPLE.read_text(encoding="utf-8"))
    lines = tmp_path / "pop.jsonl"
    lines.write_text("".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items), encoding="utf-8")
    for args in ((), ("--assume", "sertifikasi_digital=1")):
        a = json.loads(impact(rules, str(SAMPLE), "--json", *args).stdout)
        b = json.loads(impact(rules, str(lines), "--json", "--workers", "1", *args).stdout)
        assert a["matrix"] == b["matrix"] and a["evaluated"] == b["evaluated"]
        assert [(m["id"], m["before"], m["after"], m["reasons"]) for m in a["moves"]] == \
               [(m["id"], m["before"], m["after"], m["reasons"]) for m in b["moves"]]
        assert len(a["not_retargeted"]) == len(b["not_retargeted"])
    checked = impact(rules, str(lines), "--json", "--workers", "1", "--assume", "sertifikasi_digital=1", "--check", "20")
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.stdout)["differences"] == []


@pytest.mark.parametrize("spec,message,allowed", [
    ("sertifikasi_digitl=1", "--assume: sertifikasi_digitl: edisi 2026 tidak punya bukti atau fakta syarat bernama "
     "'sertifikasi_digitl' (maksud Anda 'sertifikasi_digital'?)", "diizinkan: salah satu dari: bahan_baku_lokal_pct, "),
    ("merek=foo", "--assume: merek: 'foo' bukan kode daftarnya", "diizinkan: salah satu dari: belum_ada, didaftarkan, terdaftar"),
    ("sertifikasi_digital=1.5", "--assume: sertifikasi_digital: '1.5' bukan bilangan bulat dari 0 sampai 9",
     "diizinkan: bilangan bulat dari 0 sampai 9"),
    ("sertifikasi_digital=12", "--assume: sertifikasi_digital: '12' bukan bilangan bulat dari 0 sampai 9", None),
    ("izin_usaha=ya", "--assume: izin_usaha: 'ya' bukan true atau false", "diizinkan: true atau false"),
    ("sertifikasi_digital", "--assume: 'sertifikasi_digital': tulis NAMA=NILAI", "diizinkan: NAMA=NILAI"),
    ("gates.sertifikasi_digital=1", "--assume: gates.sertifikasi_digital: edisi 2026 tidak punya", None),
])
def test_a_wrong_assumption_is_refused_before_anything_is_evaluated(rules, spec, message, allowed):
    res = impact(rules, str(SAMPLE), "--assume", spec)
    assert res.exit_code == 1 and res.stdout == ""
    assert res.stderr.startswith(message), res.stderr
    assert allowed is None or allowed in res.stderr
    assert "Traceback" not in res.stderr


def test_every_wrong_assumption_at_once_and_in_english(rules):
    res = impact(rules, str(SAMPLE), "--assume", "merek=foo", "--assume", "x", "--lang", "en")
    assert res.exit_code == 1
    assert "--assume: merek: 'foo' is not one of its codes\n    allowed: one of: belum_ada" in res.stderr
    assert "--assume: 'x': write NAME=VALUE" in res.stderr
