"""Saving at the assessor desk in a real browser: an assessor signs in from the desk, fills an assessment,
presses "Simpan / Save" and sees the version with who and when; a change saves a second version; an
editor's desk has no save button. Screenshots at 1400 and 400 px go to /tmp/ovop-desk/."""
from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from tests.test_browser import ARGS, CHROMIUM
from tests.test_desk_browser import FIRM, _fill
from tests.wb_server import PASSWORD, ROOT, serving, workspace

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium")]
SHOTS = Path("/tmp/ovop-desk")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    w = workspace(tmp_path_factory.mktemp("desk"), [ROOT / "tests/publish_data/small.yaml"])
    subprocess.run([str(w["ovop"]), "users", "add", "rina", "--role", "assessor", "--db", str(w["db"]),
                    "--password-stdin"], input=PASSWORD + "\n", text=True, check=True, capture_output=True)
    with serving(w) as base:
        yield base, w


def sign_in(page, base: str, name: str) -> None:
    page.goto(base + "/-/ovop/assess?edition=2024&commodity=anyaman")
    page.click("#ovop-save-note a")
    page.fill("input[name=name]", name)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.ovop-wb-login button")
    page.wait_for_url("**/-/ovop/assess?edition=2024&commodity=anyaman")
    page.wait_for_selector("#ovop-desk[data-evaluated]")


def saved_text(page) -> str:
    page.click("#ovop-save")
    page.wait_for_selector("#ovop-desk[data-saved]")
    text = page.locator("#ovop-save-result").inner_text()
    page.evaluate('document.querySelector("#ovop-desk").removeAttribute("data-saved")')
    return text


def test_an_assessor_saves_from_the_desk(server):
    from playwright.sync_api import sync_playwright
    base, w = server
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            errors: list[str] = []
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" and not
                    m.text.startswith("Failed to load resource") else None)  # a 400 is the desk's answer to a half-filled form
            sign_in(page, base, "rina")
            for path, value in FIRM.items():
                _fill(page, path, value)
            page.wait_for_function('document.querySelector("#ovop-stars") && document.querySelector("#ovop-stars").dataset.stars === "2"')
            text = saved_text(page)
            assert text.startswith("Disimpan: 2024-JB-9001, versi 1 oleh rina pada 20") and text.endswith("UTC"), text
            page.screenshot(path=str(SHOTS / "desk-save-1400.png"), full_page=False)
            _fill(page, "evidence.jangkauan_pasar", "nasional")
            page.wait_for_function('document.querySelector("#ovop-stars").dataset.stars === "3"')
            assert "versi 2 oleh rina" in saved_text(page)
            _fill(page, "evidence.bahan_baku_lokal_pct", "120")
            text = saved_text(page)
            assert text.startswith("Tidak disimpan") and "120" in text, text
            page.goto(base + "/-/ovop/assess/saved")
            assert page.locator("table.ovop-saved-list tbody tr").count() == 2
            assert "evidence.jangkauan_pasar: lokal → nasional" in page.locator("table.ovop-saved-list").inner_text()
            phone = browser.new_page(viewport={"width": 400, "height": 900})
            phone.context.add_cookies(page.context.cookies())
            phone.goto(base + "/-/ovop/assess?edition=2024&commodity=anyaman")
            phone.wait_for_selector("#ovop-desk[data-evaluated]")
            phone.locator("#ovop-save").scroll_into_view_if_needed()
            phone.screenshot(path=str(SHOTS / "desk-save-400.png"))
            assert phone.evaluate("document.documentElement.scrollWidth") <= 400
            assert errors == []
        finally:
            browser.close()


def test_an_editor_cannot_save(server):
    from playwright.sync_api import sync_playwright
    base, w = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            sign_in(page, base, "siti")
            assert page.locator("#ovop-save").count() == 0
            assert "hanya akun penilai yang dapat menyimpan" in page.locator("#ovop-save-note").inner_text()
        finally:
            browser.close()
