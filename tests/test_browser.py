"""A real browser against `ovop serve`: an outcome page, its explanation and stars, then its edition's criteria."""
from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from engine.publish.build import publish

CHROMIUM = Path("/usr/bin/chromium")
ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "publish_data"
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--no-first-run", "--disable-sync"]

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium")]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_up(url: str, proc: subprocess.Popen, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError(f"ovop serve exited: {proc.stderr.read().decode()[-2000:]}")
        try:
            urllib.request.urlopen(url, timeout=1).close()
            return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"ovop serve did not answer at {url}")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("browser")
    db = folder / "ovop.db"
    publish(db, [shutil.copy(DATA / n, folder / n) for n in ("small.yaml", "rounds.json")], ROOT / "rules")
    port = free_port()
    ovop = Path(sys.executable).parent / "ovop"
    proc = subprocess.Popen([str(ovop), "serve", "--db", str(db), "--port", str(port)], cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    base = f"http://127.0.0.1:{port}"
    try:
        wait_up(base + "/-/versions.json", proc)
        yield base
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def test_outcome_page_then_edition_criteria(server):
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page()
            page.goto(server + "/ovop/outcomes/2024~2F2024-T-0007")
            assert "Result: ★★★ 3 of 3 stars" in page.locator("pre.ovop-explain[lang=en]").text_content()
            assert "Hasil: ★★★ 3 dari 3 bintang" in page.locator("pre.ovop-explain[lang=id]").text_content()
            assert page.locator(".ovop-block[lang=id] .ovop-summary-box .ovop-stars").inner_text() == "★★★"
            assert page.locator(".ovop-block[lang=id] table.ovop-trace tbody tr").count() >= 30
            page.click("a.ovop-edition-link")
            page.wait_for_url("**/ovop/editions/2024")
            assert page.locator("tr.ovop-criterion").count() == 20
            assert "Permenperin 14/2021" in page.content()
            assert page.locator(".ovop-assumed").count() > 0 and page.locator(".ovop-sourced").count() > 0
        finally:
            browser.close()
