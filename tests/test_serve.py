"""`ovop serve`: any database file name; SIGTERM and Ctrl-C (SIGINT) stop the whole server, port freed, no orphan."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from engine.publish.build import publish

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "publish_data"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("serve")
    path = folder / "impact-results.db"  # not named ovop.db
    publish(path, [shutil.copy(DATA / "small.yaml", folder / "small.yaml")], ROOT / "rules")
    return path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _listening(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT])
def test_signal_stops_the_whole_server(db, sig):
    port = _free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "ovop"), "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
    try:
        deadline = time.monotonic() + 30
        while True:
            assert proc.poll() is None, proc.stderr.read().decode()[-2000:]
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/ovop/outcomes.json?_shape=array", timeout=1) as r:
                    assert r.status == 200 and b"2013/2013-T-0001" in r.read()
                break
            except OSError:
                assert time.monotonic() < deadline, "ovop serve did not answer"
                time.sleep(0.2)
        os.kill(proc.pid, sig)  # the ovop process only, as a service manager (SIGTERM) or a terminal (Ctrl-C) does
        proc.wait(timeout=15)
        time.sleep(0.3)
        assert not _listening(port), "the port is still held"
        assert not _group_alive(proc.pid), "a process of the server is still running"
    finally:
        if proc.poll() is None or _group_alive(proc.pid):
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
