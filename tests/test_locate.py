"""Commands as the README writes them: `ovop …` finds rules/ from any folder inside the checkout
(engine/rules/locate.py); --rules and OVOP_RULES_DIR still win."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

from engine.rules import find_rules

ROOT = Path(__file__).resolve().parent.parent
OVOP = str(Path(sys.executable).parent / "ovop")


def ovop(*args, cwd, env=None):
    environ = {k: v for k, v in os.environ.items() if k not in ("OVOP_RULES_DIR", "OVOP_RULES")}
    return subprocess.run([OVOP, *map(str, args)], cwd=cwd, env={**environ, **(env or {})}, capture_output=True,
                          text=True, timeout=120)


def checkout(tmp_path: Path) -> Path:
    root = tmp_path / "checkout"
    shutil.copytree(ROOT / "rules", root / "rules")
    shutil.copytree(ROOT / "datasets" / "samples", root / "datasets" / "samples")
    (root / "docs" / "deep").mkdir(parents=True)
    return root


def test_rules_are_found_from_a_folder_deep_inside_the_checkout(tmp_path):
    root = checkout(tmp_path)
    deep = root / "docs" / "deep"
    result = ovop("rules", "check", cwd=deep)
    assert result.returncode == 0, result.stderr
    assert result.stdout == ovop("rules", "check", cwd=root).stdout
    out = ovop("evaluate", "../../datasets/samples/2024.yaml", cwd=deep)
    assert out.returncode == 0, out.stderr
    assert out.stdout == ovop("evaluate", "datasets/samples/2024.yaml", cwd=root).stdout


def test_the_nearest_checkout_wins_and_diagnostics_name_it_shortly(tmp_path, monkeypatch):
    root = checkout(tmp_path)
    monkeypatch.delenv("OVOP_RULES_DIR", raising=False)
    monkeypatch.delenv("OVOP_RULES", raising=False)
    monkeypatch.chdir(root)
    assert find_rules() == Path("rules")
    monkeypatch.chdir(root / "docs" / "deep")
    assert find_rules() == Path("../../rules")
    assert find_rules("elsewhere") == Path("elsewhere")
    monkeypatch.setenv("OVOP_RULES_DIR", str(tmp_path / "other"))
    assert find_rules() == tmp_path / "other"


def test_an_explicit_folder_and_the_environment_are_honoured(tmp_path):
    root = checkout(tmp_path)
    missing = ovop("rules", "check", "--rules", "nowhere", cwd=root)
    assert missing.returncode == 1 and "nowhere: folder aturan tidak ada" in missing.stderr  # Indonesian by default
    english = ovop("rules", "check", "--lang", "en", "--rules", "nowhere", cwd=root)
    assert english.returncode == 1 and "nowhere: no such rules folder" in english.stderr
    assert "OVOP_RULES_DIR" in missing.stderr  # what is allowed says how rules are found
    env = ovop("rules", "check", cwd=tmp_path, env={"OVOP_RULES_DIR": str(tmp_path / "void")})
    assert env.returncode == 1 and f"{tmp_path / 'void'}: folder aturan tidak ada" in env.stderr
    ok = ovop("rules", "check", cwd=tmp_path, env={"OVOP_RULES_DIR": str(root / "rules")})
    assert ok.returncode == 0, ok.stderr


def test_publish_from_inside_the_checkout_reads_its_datasets(tmp_path):
    root = checkout(tmp_path)
    result = ovop("publish", "--db", tmp_path / "ovop.db", "--check", "0", cwd=root / "docs")
    assert result.returncode == 0, result.stderr
    files = len(list((root / "datasets" / "samples").glob("*.yaml")))
    assert f"published {files} files" in result.stdout
