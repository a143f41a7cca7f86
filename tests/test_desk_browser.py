"""A real browser: the assessor desk (live outcome, cap lifting, errors beside fields) and the outcome page
(language toggle, phone width without borrowed cell labels or sideways scrolling)."""
from __future__ import annotations

import pytest

from test_browser import ARGS, CHROMIUM, server  # noqa: F401 (the fixture)

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium")]

OUTCOME = "/ovop/outcomes/2024~2F2024-T-0007"
FIRM = {"id": "2024-JB-9001", "ikm.name": "Contoh Dodol Uji", "ikm.province": "Jawa Barat",
        "ikm.regency": "Kabupaten Subang", "ikm.product": "anyaman", "gates.izin_usaha": "true",
        "gates.dalam_sentra": "true", "gates.unit_sentra": "12", "gates.diusulkan_kabkota": "true",
        "evidence.bahan_baku_lokal_pct": "85", "evidence.jaminan_bahan_baku_tahun": "2",
        "evidence.nilai_tambah_pct": "45", "evidence.pengendalian_lingkungan": "dikendalikan",
        "evidence.konsistensi_produksi": "sama", "evidence.pengembangan_desain": "mandiri",
        "evidence.pengembangan_kemasan": "standar_komersial", "evidence.lama_di_sentra_tahun": "12",
        "evidence.tenaga_kerja_lokal_pct": "90", "evidence.mitra_sentra_unit": "6",
        "evidence.jangkauan_pasar": "lokal", "evidence.omzet_tahunan_juta": "3100",
        "evidence.kanal_pemasaran": "5", "evidence.merek": "terdaftar", "evidence.pameran_2_tahun": "4",
        "evidence.kekhasan_budaya": "khas_daerah", "evidence.cerita_produk": "terdokumentasi",
        "evidence.standar_mutu": "bersertifikat", "evidence.tampilan_produk": "3",
        "evidence.inovasi_produk_2_tahun": "2"}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield b
        b.close()


def _fill(page, path: str, value: str) -> None:
    field = page.locator(f'[data-path="{path}"]')
    if field.evaluate("e => e.tagName") == "SELECT":
        field.select_option(value)
    else:
        field.fill(value)


def _stars_after_change(page) -> str:
    before = page.get_attribute("#ovop-desk", "data-evaluated")
    page.wait_for_function(f'document.querySelector("#ovop-desk").getAttribute("data-evaluated") !== "{before}"')
    page.wait_for_timeout(50)
    return page.get_attribute("#ovop-stars", "data-stars") if page.locator("#ovop-stars").count() else None


def test_desk_fills_an_assessment_and_the_cap_lifts(server, browser, tmp_path):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + "/-/ovop/assess?edition=2024&commodity=anyaman")
    page.wait_for_selector('#ovop-desk[data-evaluated]')
    for path, value in FIRM.items():
        _fill(page, path, value)
    page.wait_for_function('document.querySelector("#ovop-stars") && document.querySelector("#ovop-stars").dataset.stars === "2"')
    summary = page.locator("#ovop-summary").inner_text()
    assert "2 dari 3 bintang" in summary and "dibatasi dari 3" in summary
    assert "B1 Jangkauan pasar: Lokal (lokal) → Nasional (nasional)" in page.locator("#ovop-ways").inner_text()
    _fill(page, "evidence.jangkauan_pasar", "nasional")
    page.wait_for_function('document.querySelector("#ovop-stars") && document.querySelector("#ovop-stars").dataset.stars === "3"')
    assert "dibatasi" not in page.locator("#ovop-summary").inner_text()
    page.screenshot(path=str(tmp_path / "desk-1400.png"))


def test_desk_shows_a_wrong_value_beside_its_field(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 400, "height": 900})
    page.goto(server + "/-/ovop/assess?edition=2024&commodity=anyaman")
    page.wait_for_selector('#ovop-desk[data-evaluated]')
    for path, value in FIRM.items():
        _fill(page, path, value)
    _fill(page, "evidence.bahan_baku_lokal_pct", "120")
    err = page.locator('[data-err="evidence.bahan_baku_lokal_pct"]')
    err.filter(has_text="di luar rentang").wait_for()
    assert err.inner_text() == "120 di luar rentang — boleh: angka dengan 0 <= x <= 100"
    assert page.get_attribute('[data-path="evidence.bahan_baku_lokal_pct"]', "aria-invalid") == "true"
    # nothing of the last outcome stays beside an error; only the counts that are not zero
    assert page.locator("#ovop-summary").inner_text() == "Perbaiki dulu: 1 ✗."
    assert page.locator("#ovop-ways").inner_text() == "" and page.locator("#ovop-explain").text_content() == ""
    page.click('[data-set-lang="en"]')  # the page's language: the same error in English, beside the same field
    assert err.inner_text() == "120 is out of range — allowed: a number with 0 <= x <= 100"
    page.click('[data-set-lang="id"]')
    assert err.inner_text() == "120 di luar rentang — boleh: angka dengan 0 <= x <= 100"
    assert page.locator('[data-err="evidence.merek"]').inner_text() == ""
    assert page.evaluate("document.documentElement.scrollWidth") <= 400


def test_desk_names_each_field_once_in_both_languages(server, browser, tmp_path):  # noqa: F811
    """An empty firm name is "not filled in" beside its own field (not "ikm.name.name: ..." in a list); every
    CLI error of the malformed corpus reads in the page's script in the page's language, as the CLI words it."""
    from test_desk_messages import CORPUS
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + "/-/ovop/assess?edition=2024&commodity=anyaman")
    page.wait_for_selector('#ovop-desk[data-evaluated]')
    for path, value in FIRM.items():
        if path != "ikm.name":
            _fill(page, path, value)
    _fill(page, "evidence.bahan_baku_lokal_pct", "12a")
    page.locator('[data-err="evidence.bahan_baku_lokal_pct"]').filter(has_text="bukan angka").wait_for()
    assert page.locator('[data-err="ikm.name"]').inner_text() == "belum diisi"
    assert page.locator('[data-err="evidence.bahan_baku_lokal_pct"]').inner_text() == (
        'jenis salah: "12a" adalah teks, bukan angka — boleh: angka dengan 0 <= x <= 100')
    assert page.locator("#ovop-errors li").count() == 0 and "ikm.name.name" not in page.content()
    page.click('[data-set-lang="en"]')
    assert page.locator('[data-err="ikm.name"]').inner_text() == "not filled in yet"
    assert page.locator('[data-err="evidence.bahan_baku_lokal_pct"]').inner_text() == (
        'wrong type: "12a" is text, not a number — allowed: a number with 0 <= x <= 100')
    assert page.evaluate('window.ovopDesk.fieldOf({field: "ikm.name", message_en: \'missing required key "name"\'})') == "ikm.name"
    assert page.evaluate('window.ovopDesk.fieldOf({field: null, message_en: \'missing required key "id"\'})') == "id"
    errors = [{"message": e["message_id"], "allowed": e["allowed_id"], "message_en": e["message_en"],
               "allowed_en": e["allowed_en"]} for e in CORPUS]
    for lang, word in (("en", "allowed"), ("id", "boleh")):
        page.evaluate(f'window.ovopDesk.setLang("{lang}")')
        said = page.evaluate("errors => errors.map(e => window.ovopDesk.words(e))", errors)
        assert said == [e[f"message_{lang}"] + (f" — {word}: " + e[f"allowed_{lang}"] if e[f"allowed_{lang}"] else "")
                        for e in CORPUS]


def test_outcome_page_switches_language(server, browser):  # noqa: F811
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    page.goto(server + OUTCOME)
    assert page.locator(".ovop-block[lang=id]").is_visible() and not page.locator(".ovop-block[lang=en]").is_visible()
    assert "3 dari 3 bintang" in page.locator(".ovop-block[lang=id] .ovop-summary-box").inner_text()
    page.click("[data-set-lang=en]")
    assert page.locator(".ovop-block[lang=en]").is_visible() and not page.locator(".ovop-block[lang=id]").is_visible()
    assert "3 of 3 stars" in page.locator(".ovop-block[lang=en] .ovop-summary-box").inner_text()
    page.reload()  # the choice is kept
    assert page.locator(".ovop-block[lang=en]").is_visible()
    page.click("[data-set-lang=id]")


OWN_LABELS = """() => {
  const bad = [];
  for (const table of document.querySelectorAll("table")) {
    const heads = Array.from(table.querySelectorAll("thead th")).map(th => th.textContent.trim());
    for (const td of table.querySelectorAll("tbody td")) {
      const before = getComputedStyle(td, "::before").content;
      if (before === "none" || before === "normal" || before === '""') continue;
      const label = before.replace(/^"|"$/g, "").replace(/:\\s*$/, "").trim();
      if (!heads.includes(label)) bad.push([table.className, label]);
    }
  }
  return bad;
}"""


@pytest.mark.parametrize("path", [OUTCOME, "/-/ovop/assess?edition=2024"])
def test_phone_width_cells_carry_their_own_tables_labels(server, browser, path):  # noqa: F811
    page = browser.new_page(viewport={"width": 400, "height": 900})
    page.goto(server + path)
    for block in ("id", "en"):
        page.click(f"[data-set-lang={block}]")
        for details in page.locator("details").all():
            if details.is_visible():
                details.evaluate("d => d.open = true")
        assert page.evaluate(OWN_LABELS) == []
        assert page.evaluate("document.documentElement.scrollWidth") <= 400
    assert page.locator("table.ovop-t.rows-and-columns").count() == 0
