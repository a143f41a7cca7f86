"""A workbench server for tests: a temporary copy of rules/, a published database, an editor account,
`ovop serve` on a free port (never the repository's rules/)."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import contextmanager
from pathlib import Path

from engine.publish.build import publish

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "rahasia-panjang-1"


def workspace(folder: Path, datasets: list[Path]) -> dict:
    rules = folder / "rules"
    shutil.copytree(ROOT / "rules", rules)
    db = folder / "ovop.db"
    publish(db, [shutil.copy(p, folder / p.name) for p in datasets], rules)
    ovop = Path(sys.executable).parent / "ovop"
    subprocess.run([str(ovop), "users", "add", "siti", "--role", "editor", "--db", str(db), "--password-stdin"],
                   input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    return {"rules": rules, "db": db, "ws": folder / "workspace.db", "ovop": ovop}


def start(w: dict, port: int) -> subprocess.Popen:
    env = {**os.environ, "PYTHONUNBUFFERED": "1", "OVOP_RULES_DIR": str(w["rules"])}
    return subprocess.Popen([str(w["ovop"]), "serve", "--db", str(w["db"]), "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)


@contextmanager
def serving(w: dict):
    """`ovop serve` on the workspace at a free port, up before the body runs, stopped after: its base URL."""
    from tests.test_browser import free_port, wait_up
    port = free_port()
    proc = start(w, port)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base + "/-/versions.json", proc)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
