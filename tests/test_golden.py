"""Golden traces: every sample assessment's outcome, committed, compared byte for byte.

After an intended change, rewrite them with: UPDATE_GOLDEN=1 pytest tests/test_golden.py
"""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from engine import api

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "datasets" / "samples").glob("*.yaml"))
GOLDEN = ROOT / "tests" / "golden"


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_outcomes_match_golden(sample, monkeypatch):
    monkeypatch.chdir(ROOT)
    text = api.outcomes_json(api.evaluate_files([sample.relative_to(ROOT)]))
    golden = GOLDEN / f"{sample.stem}.json"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("lang", ["id", "en"])
def test_explanations_match_golden(lang, monkeypatch):
    monkeypatch.chdir(ROOT)
    text = "\n".join(api.explain_files([p.relative_to(ROOT) for p in SAMPLES], lang))
    golden = GOLDEN / f"explain.{lang}.txt"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


def test_cli_json_is_the_same_bytes_every_run():
    cmd = [sys.executable, "-m", "engine.cli", "evaluate", "--json", *[str(p.relative_to(ROOT)) for p in SAMPLES]]
    runs = [subprocess.run(cmd, cwd=ROOT, capture_output=True, env={**os.environ, "PYTHONHASHSEED": seed})
            for seed in ("1", "2")]
    assert runs[0].returncode == 0, runs[0].stderr
    assert runs[0].stdout == runs[1].stdout
