"""What a publish may replace, and one publish at a time.

  * `target(db_path)`: the file a publish writes: a symlink's target (the link stays a link), never a
    folder; an existing file must be a SQLite database written by publish (application_id "OVOP", or the
    `publish_info` table of databases written before it was set); anything else is refused, untouched;
  * `locked(target)`: an exclusive lock on `.NAME.lock` beside the database, held for the whole publish;
    a second publish of the same database fails at once with a clear error; while it is held, temporary
    files left by dead publishes of that database (`.NAME.*.tmp`) are removed;
  * `mark(tmp)`: sets the application_id on a freshly written database.
"""
from __future__ import annotations

import fcntl
import os
import sqlite3
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from ..errors import Diagnostic, OvopError, Text

APPLICATION_ID = 0x4F564F50  # "OVOP"
SQLITE_MAGIC = b"SQLite format 3\x00"
ALLOWED = "a new file, or a database written by ovop publish (the file is left as it is)"


def target(db_path: str | Path) -> Path:
    """The path to replace: symlinks followed; an existing file checked to be a published database."""
    path = Path(db_path)
    if path.is_symlink():
        path = Path(os.path.realpath(path))
    if path.is_dir():
        raise OvopError(Diagnostic(str(db_path), message="sebuah folder, bukan berkas basis data / a folder, not a "
                                   "database file", allowed=ALLOWED))
    if path.exists() or path.is_symlink():
        _check_published(path, str(db_path))
    return path


def _check_published(path: Path, shown: str) -> None:
    if not path.is_file():
        raise OvopError(Diagnostic(shown, message="bukan berkas basis data / not a database file: publish would "
                                   "replace it", allowed=ALLOWED))
    try:
        with open(path, "rb") as fh:
            head = fh.read(100)
    except OSError as exc:
        raise OvopError(Diagnostic(shown, message=f"tidak dapat dibaca / cannot read: {exc.strerror}",
                                   allowed=ALLOWED)) from None
    if len(head) == 0:
        return  # an empty file (e.g. made by mktemp) holds nothing to lose
    if not head.startswith(SQLITE_MAGIC) or len(head) < 72:
        raise OvopError(Diagnostic(shown, message="bukan basis data SQLite / not a SQLite database: publish "
                                   "would overwrite it", allowed=ALLOWED))
    if int.from_bytes(head[68:72], "big") == APPLICATION_ID or _has_publish_info(path):
        return
    raise OvopError(Diagnostic(shown, message="basis data ini tidak ditulis oleh ovop publish / a SQLite database "
                               "not written by ovop publish: publish would overwrite it", allowed=ALLOWED))


def _has_publish_info(path: Path) -> bool:
    try:
        conn = sqlite3.connect(f"file:{path.resolve()}?mode=ro", uri=True)
        try:
            return conn.execute("select count(*) from publish_info where key = 'engine_version'").fetchone()[0] == 1
        finally:
            conn.close()
    except sqlite3.Error:
        return False


def lock_path(path: Path) -> Path:
    return path.parent / f".{path.name}.lock"


@contextmanager
def locked(path: Path) -> Iterator[None]:
    """Hold the publish lock of `path`; stale temporary files of dead publishes are removed. The lock
    file is removed at the end (a publish that finds its lock file replaced meanwhile locks again)."""
    lock = lock_path(path)
    fd = _acquire(path, lock)
    try:
        sweep(path)
        yield
    finally:
        try:
            lock.unlink()
        except OSError:
            pass
        os.close(fd)  # releases the lock


def _acquire(path: Path, lock: Path) -> int:
    while True:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(lock, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o666)
        except OSError as exc:
            raise OvopError(Diagnostic(str(path), message="tidak dapat menulis di samping basis data / cannot "
                                       f"write beside the database: {exc.strerror}",
                                       allowed=Text("folder yang boleh ditulisi publish (untuk berkas kuncinya)",
                                                    "a folder publish may write in (for its lock file)"))) from None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            raise OvopError(Diagnostic(str(path), message="publikasi lain sedang menulis basis data ini / another "
                                       f"publish is writing this database (lock {lock.name} held)",
                                       allowed=Text("satu publikasi per basis data pada satu waktu: tunggu sampai "
                                                    "selesai", "one publish at a time per database: wait for it "
                                                    "to end"))) from None
        try:
            same = os.fstat(fd).st_ino == os.stat(lock).st_ino
        except OSError:
            same = False
        if same:
            return fd
        os.close(fd)  # the lock file was removed by the publish that held it: lock the new one


def sweep(path: Path) -> list[Path]:
    """Remove `.NAME.*.tmp` left beside `path` by publishes that died (call with the lock held)."""
    removed = []
    for stale in path.parent.glob(f".{path.name}.*.tmp"):
        try:
            stale.unlink()
            removed.append(stale)
        except OSError:
            pass
    return removed


def mark(tmp: Path) -> None:
    conn = sqlite3.connect(str(tmp), isolation_level=None)
    try:
        conn.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    finally:
        conn.close()
