"""The policy officer's journey of issue 10, walked with the `ovop` command as the README writes it, on a
temporary copy of the checkout (run from a folder inside it, so `rules/` is found without --rules):
start a 2026 draft from 2024, make four mistakes and see them all in one run (Indonesian, then English),
add criterion C6 and apply the fix the error offers in the draft, raise the 3-star band, see who moves
(with an assumed answer for the new evidence), run the draft's tests, freeze with the warning about a
draft title; then the project's own tests that read the editions stay green with 2026 in `rules/`."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from test_rules_authoring import C6, FOUR

ROOT = Path(__file__).resolve().parents[1]
OVOP = str(Path(sys.executable).parent / "ovop")
BANDS = """bands:
  - {stars: 3, min_score: 82, provenance: {status: assumed, note: "Draft threshold."}}
  - {stars: 2, min_score: 70, provenance: {status: assumed, note: "Stand-in threshold."}}
  - {stars: 1, min_score: 60, provenance: {status: assumed, note: "Stand-in threshold."}}
"""
# the tests that once hard-coded the edition list or used rules/2026 as a fixture
EDITION_TESTS = ["tests/test_schema.py", "tests/test_rules_check.py", "tests/test_golden.py", "tests/test_frozen.py",
                 "tests/test_editor_schemas.py", "tests/test_diff.py", "tests/test_rules_authoring.py",
                 "tests/test_synth.py"]


def clone(target: Path) -> Path:
    """The tracked files of this checkout, copied to `target` (what a clone holds)."""
    files = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for name in filter(None, files):
        src = ROOT / name.decode()
        if src.is_file():
            (target / name.decode()).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, target / name.decode())
    return target


@pytest.fixture(scope="module")
def checkout(tmp_path_factory) -> Path:
    return clone(tmp_path_factory.mktemp("journey") / "ovop")


def ovop(checkout: Path, *args: str) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k != "OVOP_RULES_DIR"}
    env["PYTHONPATH"] = str(ROOT)  # the engine under test; the rules are found from the folder run in
    return subprocess.run([OVOP, *args], cwd=checkout / "datasets", capture_output=True, text=True, env=env,
                          timeout=300)


def write_draft(checkout: Path, body: str) -> Path:
    path = checkout / "rules" / "2026" / "edition.yaml"
    head = path.read_text(encoding="utf-8").split("\nbands:")[0].split("\ncriteria:")[0].split("\ngates:")[0]
    path.write_text(head.rstrip("\n") + "\n" + body, encoding="utf-8")
    return path


def test_the_policy_officers_journey(checkout):
    made = ovop(checkout, "rules", "new", "2026", "--from", "2024")
    assert made.returncode == 0, made.stderr
    assert (checkout / "rules/2026/tests.yaml").is_file()
    started = ovop(checkout, "rules", "test", "2026")
    assert started.returncode == 0, started.stdout + started.stderr

    # four mistakes at once: all four in one run, in Indonesian, at the draft
    path = write_draft(checkout, FOUR)
    checked = ovop(checkout, "rules", "check")
    assert checked.returncode == 1
    out = checked.stderr
    assert 'gates.add[0].aplies_to: kunci "aplies_to" tidak dikenal (maksud Anda "applies_to"?)' in out, out
    assert "tidak ada level yang mencakup 70 <= x < 80" in out
    assert "1,05" in out or "1.05" in out
    assert "bands[1].min_score" in out
    assert out.count("../rules/2026/edition.yaml:") == 4, out
    english = ovop(checkout, "rules", "check", "--lang", "en")
    assert 'unknown key "aplies_to" (did you mean "applies_to"?)' in english.stderr
    assert "weights sum to 1.05, not 1" in english.stderr and "allowed:" in english.stderr

    # a new criterion: the error is in the draft, with the fix to write there; written as told, it checks
    write_draft(checkout, C6)
    c6 = ovop(checkout, "rules", "check")
    assert c6.returncode == 1 and "../rules/2026/edition.yaml:" in c6.stderr and "perbaikan: tulis ini di" in c6.stderr
    assert "rules/2015/edition.yaml:" not in c6.stderr.split("perbaikan")[0].split("(diwarisi")[0]
    fix = c6.stderr.split("perbaikan: tulis ini di", 1)[1].split("\n", 1)[1]
    block = "\n".join(line[6:] for line in fix.splitlines() if line.startswith("      "))
    write_draft(checkout, C6 + block + "\n" + BANDS)
    fine = ovop(checkout, "rules", "check")
    assert fine.returncode == 0, fine.stderr
    assert "2026" in fine.stdout and "draft" in fine.stdout

    # who moves: nothing can be evaluated until the new evidence is assumed, and the output says so loudly
    bare = ovop(checkout, "impact", "2026", "--base", "2024")
    assert bare.returncode == 0, bare.stderr
    assert bare.stdout.startswith("PERINGATAN: tidak satu pun penilaian dapat dievaluasi di bawah 2024 dan 2026")
    assert "--assume sertifikasi_digital=NILAI" in bare.stdout
    assert "menurut alasan" in bare.stdout and "tidak ada evidence.sertifikasi_digital" in bare.stdout
    moved = ovop(checkout, "impact", "2026", "--base", "2024", "--assume", "sertifikasi_digital=1", "--json")
    assert moved.returncode == 0, moved.stderr
    result = json.loads(moved.stdout)
    assert result["evaluated"] > 300 and result["moves"] and result["assumed"] == {"evidence.sertifikasi_digital": 1}
    reasons = [r for m in result["moves"] for r in m["reasons"]]
    assert "kriteria C6: ditambahkan, 2 poin (1 <= sertifikasi_digital <= 2)" in reasons
    assert any(r.startswith("pita: 3 bintang (skor ") and r.endswith("; 3 bintang perlu >= 82)") for r in reasons)

    # the draft's tests (copied from 2024) now show what the draft moves; freezing warns about the title
    tested = ovop(checkout, "rules", "test", "2026")
    assert "2026" in tested.stdout + tested.stderr
    text = path.read_text(encoding="utf-8").replace("status: draft", "status: published")
    path.write_text(text, encoding="utf-8")
    frozen = ovop(checkout, "rules", "freeze", "2026")
    assert frozen.returncode == 0, frozen.stderr
    assert "judul edisi 2026 masih menyebut draf" in frozen.stderr
    assert "2026" in json.loads((checkout / "rules/editions.lock").read_text(encoding="utf-8"))


def test_the_projects_own_tests_stay_green_with_a_2026_draft(tmp_path):
    """`rules new` is all it takes: the tests that read the editions pass with 2026 in rules/."""
    target = clone(tmp_path / "ovop")
    env = {k: v for k, v in os.environ.items() if k not in ("OVOP_RULES_DIR", "PYTHONPATH")}
    env["PYTHONPATH"] = str(target)
    made = subprocess.run([OVOP, "rules", "new", "2026", "--from", "2024"], cwd=target, env=env,
                          capture_output=True, text=True, timeout=120)
    assert made.returncode == 0, made.stderr
    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-x", "-p", "no:cacheprovider", "-m", "not browser",
                          *EDITION_TESTS], cwd=target, env=env, capture_output=True, text=True, timeout=600)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
