"""Freezing is enforced wherever a decision is made (engine/rules/frozen.py, called by `load_rules`):
evaluate, explain, rules test, publish, impact, verify and the served site refuse a published edition whose
content differs from rules/editions.lock, or that the lock lacks, naming the edition and both hashes; a
refused publish leaves the database byte-identical. Only `rules check` and `rules freeze` read such a
folder (to report it, and to freeze a newly published edition)."""
from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.errors import OvopError
from engine.rules import load_rules, read_lock
from engine.rules import ops as ruleops
from rulecopy import copy_rules as copy_rules_to

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "datasets" / "samples" / "2024.yaml"
OVOP = str(Path(sys.executable).parent / "ovop")


def copy_rules(tmp_path: Path) -> Path:
    return copy_rules_to(tmp_path / "rules")  # the published editions of rules/ (its drafts left out)


def newest_frozen(rules: Path) -> str:
    """The newest edition the lock freezes (read from the lock, not a list written here)."""
    return max(read_lock(rules)[0])


def tamper(rules: Path) -> tuple[str, str, str]:
    """Change the title of the newest frozen edition (content, so its hash changes): (edition, locked, now)."""
    edition = newest_frozen(rules)
    path = rules / edition / "edition.yaml"
    text = path.read_text(encoding="utf-8")
    assert "  en: " in text
    path.write_text(text.replace("  en: ", "  en: Tampered ", 1), encoding="utf-8")
    locked = read_lock(rules)[0][edition]
    now = load_rules(rules, frozen=False).editions[edition].hash
    assert now != locked
    return edition, locked, now


def refused(result, edition: str, locked: str, now: str) -> None:
    assert result.exit_code == 1, result.output
    out = result.output
    assert "Traceback" not in out
    assert f"edisi {edition} sudah diterbitkan (dibekukan), tetapi isinya berubah" in out  # Indonesian first
    assert f"edition {edition} is published (frozen) but its content changed" in out  # English beside
    assert out.index("edisi") < out.index("edition " + edition)
    assert locked in out and now in out  # both hashes


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


@pytest.fixture
def tampered(tmp_path):
    rules = copy_rules(tmp_path)
    return rules, *tamper(rules)


def test_the_shipped_rules_load(tmp_path):
    rules = copy_rules(tmp_path)
    assert list(load_rules(rules).editions) == sorted(read_lock(rules)[0])
    assert load_rules(ROOT / "rules").editions.keys() >= load_rules(rules).editions.keys()


@pytest.mark.parametrize("command", [["evaluate", SAMPLE], ["evaluate", SAMPLE, "--json"], ["explain", SAMPLE],
                                     ["rules", "test"], ["rules", "diff", "2013", "2015"],
                                     ["assessments", "template", "2024", "--xlsx", "t.xlsx"]])
def test_commands_that_decide_refuse_a_tampered_edition(tampered, command, tmp_path):
    rules, edition, locked, now = tampered
    refused(run(*command, "--rules", rules), edition, locked, now)
    assert not (tmp_path / "t.xlsx").exists()


def test_evaluate_under_another_edition_is_refused_too(tampered):
    rules, edition, locked, now = tampered
    refused(run("evaluate", ROOT / "datasets" / "samples" / "2018.yaml", "--edition", "2018", "--rules", rules),
            edition, locked, now)


def test_a_refused_publish_leaves_the_database_byte_identical(tmp_path):
    rules = copy_rules(tmp_path)
    db = tmp_path / "ovop.db"
    first = run("publish", "--db", db, "--rules", rules, "--check", "0", SAMPLE)
    assert first.exit_code == 0, first.output
    before, stat = db.read_bytes(), db.stat()
    edition, locked, now = tamper(rules)
    refused(run("publish", "--db", db, "--rules", rules, "--check", "0", SAMPLE), edition, locked, now)
    assert db.read_bytes() == before
    assert db.stat().st_mtime_ns == stat.st_mtime_ns and db.stat().st_ino == stat.st_ino
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ovop.db", "rules"]  # no temporary file left
    refused(run("verify", "--db", db, "--rules", rules), edition, locked, now)
    assert db.read_bytes() == before


def test_impact_refuses_a_tampered_edition_and_publishes_nothing(tmp_path):
    rules = copy_rules(tmp_path)
    db = tmp_path / "ovop.db"
    assert run("publish", "--db", db, "--rules", rules, "--check", "0", SAMPLE).exit_code == 0
    before = db.read_bytes()
    edition, locked, now = tamper(rules)
    assert run("rules", "new", "2999", "--from", "2013", "--rules", rules).exit_code == 1  # a draft from it: no
    refused(run("impact", edition, "--base", "2013", "--rules", rules, SAMPLE), edition, locked, now)
    refused(run("impact", "2013", "--base", edition, "--rules", rules, SAMPLE, "--json"), edition, locked, now)
    refused(run("impact", edition, "--base", "2013", "--rules", rules, "--publish", "--db", db, SAMPLE),
            edition, locked, now)
    assert db.read_bytes() == before


def test_a_published_edition_missing_from_the_lock_is_an_error_not_a_fresh_start(tmp_path):
    rules = copy_rules(tmp_path)
    edition = newest_frozen(rules)
    entries = read_lock(rules)[0]
    hash_ = entries.pop(edition)
    (rules / "editions.lock").write_text(json.dumps(entries, indent=2) + "\n", encoding="utf-8")
    result = run("evaluate", SAMPLE, "--rules", rules)
    assert result.exit_code == 1
    assert f"edisi {edition} berstatus published tetapi tidak tercatat di editions.lock" in result.output
    assert f"edition {edition} is published but not frozen in editions.lock" in result.output
    assert hash_ in result.output  # its content hash, to compare with what was published
    (rules / "editions.lock").unlink()  # no lock at all: every published edition is refused
    result = run("evaluate", SAMPLE, "--rules", rules)
    assert result.exit_code == 1
    assert result.output.count("is published but not frozen") == len(load_rules(rules, frozen=False).editions)


def test_a_frozen_edition_turned_draft_is_refused(tmp_path):
    rules = copy_rules(tmp_path)
    edition = newest_frozen(rules)
    path = rules / edition / "edition.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace("status: published", "status: draft"), encoding="utf-8")
    with pytest.raises(OvopError, match=f"edition {edition} is frozen in editions.lock .* but now says status: draft"):
        load_rules(rules)


def test_drafts_are_not_frozen(tmp_path):
    rules = copy_rules(tmp_path)
    assert run("rules", "new", "2999", "--from", newest_frozen(rules), "--rules", rules).exit_code == 0
    draft = rules / "2999" / "edition.yaml"
    draft.write_text(draft.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    assert "2999" in load_rules(rules).editions


def test_rules_check_still_reports_every_problem_in_its_own_words(tampered):
    rules, edition, locked, now = tampered
    with pytest.raises(OvopError) as info:
        ruleops.check_rules(rules)
    assert f"edition {edition} is frozen (published) but its resolved content changed: hash {now}, lock says " \
           f"{locked}" in info.value.render()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_site_refuses_to_serve_with_a_tampered_edition(tmp_path):
    rules = copy_rules(tmp_path)
    db = tmp_path / "ovop.db"
    assert run("publish", "--db", db, "--rules", rules, "--check", "0", SAMPLE).exit_code == 0
    edition, locked, now = tamper(rules)
    port = _free_port()
    env = {**os.environ, "OVOP_RULES_DIR": str(rules)}
    proc = subprocess.run([OVOP, "serve", "--db", str(db), "--port", str(port)], env=env, cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 1, proc.stderr
    assert f"edisi {edition} sudah diterbitkan (dibekukan)" in proc.stderr and locked in proc.stderr
    assert now in proc.stderr and "Traceback" not in proc.stderr
    with socket.socket() as s:
        assert s.connect_ex(("127.0.0.1", port)) != 0  # the port never opened
