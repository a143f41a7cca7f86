"""Publish protects what it replaces (engine/publish/guard.py)."""
from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from engine.errors import OvopError
from engine.publish import guard
from engine.publish.build import publish

ROOT = Path(__file__).resolve().parent.parent
SAMPLE = ROOT / "datasets/samples/2013.yaml"


@pytest.fixture
def sample(tmp_path) -> Path:
    return Path(shutil.copy(SAMPLE, tmp_path / "2013.yaml"))


def test_a_yaml_file_given_as_db_is_refused_and_kept(sample):
    before = sample.read_bytes()
    with pytest.raises(OvopError) as err:
        publish(sample, [sample], ROOT / "rules")
    assert "not a SQLite database" in err.value.render()
    assert sample.read_bytes() == before


def test_a_sqlite_database_publish_did_not_write_is_refused(tmp_path, sample):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t(a)").connection.commit()
    before = other.read_bytes()
    with pytest.raises(OvopError) as err:
        publish(other, [sample], ROOT / "rules")
    assert "not written by ovop publish" in err.value.render()
    assert other.read_bytes() == before


def test_a_published_database_is_replaced_and_marked(tmp_path, sample):
    db = tmp_path / "ovop.db"
    publish(db, [sample], ROOT / "rules")
    assert sqlite3.connect(db).execute("pragma application_id").fetchone()[0] == guard.APPLICATION_ID
    publish(db, [sample], ROOT / "rules")  # its own database: replaced
    assert not list(tmp_path.glob(".ovop.db*"))


def test_a_symlinks_target_is_replaced_not_the_link(tmp_path, sample):
    real, link = tmp_path / "real.db", tmp_path / "link.db"
    publish(real, [sample], ROOT / "rules")
    link.symlink_to(real.name)
    os.utime(real, (1, 1))
    publish(link, [sample], ROOT / "rules")
    assert link.is_symlink() and os.readlink(link) == real.name
    assert real.stat().st_mtime > 1


def test_a_second_publish_of_one_database_is_refused(tmp_path, sample):
    db = tmp_path / "ovop.db"
    with guard.locked(db):
        with pytest.raises(OvopError) as err:
            publish(db, [sample], ROOT / "rules")
    assert "another publish is writing this database" in err.value.render()
    assert not db.exists()
    publish(db, [sample], ROOT / "rules")  # the lock released: publishes
    assert db.exists()


def test_stale_temporary_files_of_dead_publishes_are_removed(tmp_path, sample):
    db = tmp_path / "ovop.db"
    stale = [tmp_path / ".ovop.db.abc123.tmp", tmp_path / ".ovop.db.x.tmp"]
    for s in stale:
        s.write_bytes(b"x" * 1000)
    keep = tmp_path / ".other.db.abc.tmp"
    keep.write_bytes(b"x")
    publish(db, [sample], ROOT / "rules")
    assert not any(s.exists() for s in stale) and keep.exists()


def _ovop(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", "from engine.cli import main; main()", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_the_cli_refuses_a_yaml_file_as_db_with_its_words(sample):
    before = sample.read_bytes()
    done = _ovop("publish", "--db", str(sample), str(SAMPLE))
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert (done.stdout + done.stderr) == (
        f"{sample}: bukan basis data SQLite / not a SQLite database: publish would overwrite it\n"
        "    allowed: a new file, or a database written by ovop publish (the file is left as it is)\n")
    assert sample.read_bytes() == before


def test_a_folder_as_db_is_refused(tmp_path, sample):
    """The CLI's option refuses a folder itself (exit 2); the API says it in its words."""
    with pytest.raises(OvopError) as err:
        publish(tmp_path, [sample], ROOT / "rules")
    assert err.value.render().startswith(f"{tmp_path}: sebuah folder, bukan berkas basis data / a folder, not a "
                                         "database file\n")


def test_a_publish_in_another_process_holding_the_lock_refuses_the_second(tmp_path):
    """Two processes: one holds the lock (as a running publish does); `ovop publish` fails at once, exit 1."""
    db = tmp_path / "ovop.db"
    holder = subprocess.Popen([sys.executable, "-c", "import sys, time\nfrom pathlib import Path\n"
                               "from engine.publish import guard\n"
                               f"with guard.locked(Path({str(db)!r})):\n    print('held', flush=True)\n"
                               "    time.sleep(30)"], cwd=ROOT, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        done = _ovop("publish", "--db", str(db), str(SAMPLE))
    finally:
        holder.kill()
        holder.wait()
    assert done.returncode == 1 and not db.exists()
    assert (done.stdout + done.stderr) == (
        f"{db}: publikasi lain sedang menulis basis data ini / another publish is writing this database "
        "(lock .ovop.db.lock held)\n    diizinkan: satu publikasi per basis data pada satu waktu: tunggu sampai selesai\n")
    assert _ovop("publish", "--db", str(db), str(SAMPLE)).returncode == 0  # the holder gone: the lock is free


def test_the_temporary_file_of_a_killed_publish_is_removed_by_the_next(tmp_path, sample):
    """A real publish killed (SIGKILL) while it writes: its `.ovop.db.*.tmp` stays; the next publish removes it."""
    import signal
    import time
    from engine.rules import load_rules
    from engine.synth.jsonl import write_jsonl
    population = tmp_path / "population.jsonl"
    write_jsonl(load_rules(ROOT / "rules"), "2024", 30_000, 1, population)
    folder = tmp_path / "out"
    folder.mkdir()
    db = folder / "ovop.db"
    running = subprocess.Popen([sys.executable, "-c", "from engine.cli import main; main()", "publish", "--db", str(db),
                                str(population)], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while not list(folder.glob(".ovop.db.*.tmp")) and time.monotonic() < deadline and running.poll() is None:
            time.sleep(0.05)
    finally:
        running.send_signal(signal.SIGKILL)
        running.wait()
    stale = list(folder.glob(".ovop.db.*.tmp"))
    assert stale and not db.exists()
    publish(db, [sample], ROOT / "rules")
    assert sorted(p.name for p in folder.iterdir()) == ["ovop.db"]
