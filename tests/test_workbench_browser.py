"""The criteria workbench in a real browser, as a policy officer: sign in, start a new draft from 2024,
raise the 3-star band and see who moves, make a level gap and see the error beside the field, fix it,
add a criterion with two labelled codes, see the diff, freeze; the file checks and its untouched lines
are as they were. Every save is made in place (the page's script posts the form and puts the answer in the
page: no page is loaded) and gives the page the server renders for the saved file; a conflict shows both
versions; without script the plain POST still saves. Screenshots of the editions page, the editor (an error
beside a field; the live impact; after a save; a conflict) and the history page at 1280 and 400 px go to
/tmp/ovop-wb/; at 400 px no page is wider than the screen."""
from __future__ import annotations

import difflib
import subprocess
from pathlib import Path

import pytest

from tests.test_browser import ARGS, CHROMIUM
from tests.rulecopy import new_edition_id
from tests.wb_server import PASSWORD, ROOT, serving, workspace

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium")]
SHOTS = Path("/tmp/ovop-wb")
NEW = new_edition_id(ROOT / "rules")  # the draft the officer starts: an id no edition in rules/ has


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    w = workspace(tmp_path_factory.mktemp("wb"), [ROOT / "datasets/synthetic/2024.yaml"])
    with serving(w) as base:
        yield base, w


def shots(page, name: str, at: str | None = None) -> None:
    """The page at 1280 and 400 px (scrolled to `at`); at 400 px nothing makes the page wider than the screen
    (a policy officer on a phone scrolls only down; wide tables scroll inside their own box)."""
    for width in (1280, 400):
        page.set_viewport_size({"width": width, "height": 900})
        if at:
            page.locator(at).first.scroll_into_view_if_needed()
        page.screenshot(path=str(SHOTS / f"{name}-{width}.png"))
        wide = page.evaluate("document.documentElement.scrollWidth")
        assert wide <= width, f"{name}: the page is {wide} px wide at {width} px"
    page.set_viewport_size({"width": 1280, "height": 1000})


def save(page, status: str = "#saved"):
    """Save in place: the page's script posts the form and puts the answer into the page it has (no navigation:
    a value the window holds survives); done when the form carries its new save count."""
    stay = page.evaluate("window.ovopStay = window.ovopStay || String(Math.random())")
    before = page.evaluate("document.querySelector('#editor').dataset.saves || '0'")
    page.click(".ovop-wb-savebar button.ovop-wb-save >> nth=0")
    page.wait_for_function("(b) => (document.querySelector('#editor').dataset.saves || '0') !== b", arg=before)
    assert page.evaluate("window.ovopStay") == stay, "the save loaded the whole page again"
    assert page.locator(status).count() == 1, page.content()[:3000]


FIELDS = """() => Array.from(document.querySelectorAll('#wb-fields [name^="e."]')).map(e => [e.name, e.value])"""
ERRORS = """() => Array.from(document.querySelectorAll('#wb-fields .ovop-wb-err')).map(e => {
  const p = e.parentElement, prev = e.previousElementSibling;
  return [e.textContent, p.tagName + '.' + p.className + '#' + (p.dataset.obj || p.dataset.label || ''),
          Array.prototype.indexOf.call(p.childNodes, e), prev ? (prev.name || prev.tagName + '.' + prev.className) : null];
})"""


def same_as_reloaded(page) -> list:
    """The form after a save in place is the one the server renders for the saved file: the same fields with the
    same values, each message at the same place (compared with the page loaded again); its messages."""
    fields, errors = page.evaluate(FIELDS), page.evaluate(ERRORS)
    panels = [page.locator(s).inner_text() for s in ("#wb-checks", "#diff", "#impact")]
    page.reload()
    page.wait_for_load_state("load")
    assert page.evaluate(FIELDS) == fields
    assert page.evaluate(ERRORS) == errors
    assert [page.locator(s).inner_text() for s in ("#wb-checks", "#diff", "#impact")] == panels
    return errors


def test_policy_officer_journey(server):
    from playwright.sync_api import sync_playwright
    base, w = server
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 1000})
            page.goto(base + "/-/ovop/login")
            page.fill("input[name=name]", "siti")
            page.fill("input[name=password]", PASSWORD)
            page.click("form.ovop-wb-login button")
            page.wait_for_url("**/-/ovop/editions")
            assert page.locator(".ovop-wb-user").inner_text() == "siti"
            shots(page, "editions")
            page.fill("form.ovop-wb-newdraft input[name=edition]", NEW)
            page.select_option("form.ovop-wb-newdraft select[name=parent]", "2024")
            page.click("form.ovop-wb-newdraft button")
            page.wait_for_url(f"**/-/ovop/editions/{NEW}")
            started = (w["rules"] / NEW / "edition.yaml").read_text(encoding="utf-8")

            # raise the 3-star band to 82: who moves, and why
            assert page.input_value("[name='e.bands.0.stars']") == "3"
            page.fill("[name='e.bands.0.min_score']", "82")
            save(page)
            assert int(page.locator(".ovop-wb-movers-n").inner_text()) == 3
            movers = page.locator(".ovop-wb-movers").inner_text()
            assert "band: 3 stars (score 80 >= 80) -> 2 stars (score 80 >= 70; 3 stars needs >= 82)" in movers  # the draft's 82
            assert "pita: 3 bintang (skor 80 >= 80) -> 2 bintang (skor 80 >= 70; 3 bintang perlu >= 82)" in movers
            assert page.locator("#clean").count() == 1
            shots(page, "editor-impact", "#impact")

            # a level gap: the error is shown beside the criterion's levels
            page.fill("[name='e.criteria.0.levels.1.when']", "85 <= x < 100")
            save(page)
            card = page.locator("#s-criteria .ovop-wb-card").nth(0)
            assert "gap" in card.locator(".ovop-wb-err").inner_text()
            assert page.locator("#problems li").count() == 1
            shots(page, "editor-error", "#s-criteria .ovop-wb-card .ovop-wb-err")
            assert "gap" in same_as_reloaded(page)[0][0]  # in place as the saved page puts it
            page.fill("[name='e.criteria.0.levels.1.when']", "80 <= x < 100")

            # a new criterion with two labelled codes (group C grows by its top points)
            page.click("#s-criteria > button.ovop-wb-add")
            new = page.locator("#s-criteria .ovop-wb-card").last
            for name, value in [("id", "C9"), ("group", "C")]:
                new.locator(f"> label > input[data-f={name}]").fill(value)
            new.locator("> label [data-obj=label] [data-f=id]").fill("Sertifikat SNI")
            new.locator("> label [data-obj=label] [data-f=en]").fill("SNI certificate")
            new.locator("> label [data-obj=provenance] [data-f=status]").select_option("assumed")
            new.locator("> label [data-obj=provenance] [data-f=note]").fill(f"Draf {NEW}.")
            ev = new.locator("[data-obj=evidence]")
            ev.locator("[data-f=name]").first.fill("sertifikat_sni")
            ev.locator("[data-f=type]").select_option("enum")
            ev.locator("> label [data-obj=label] [data-f=id]").fill("Sertifikat SNI produk")
            ev.locator("> label [data-obj=label] [data-f=en]").fill("Product SNI certificate")
            for code, label_id, label_en in [("tidak_ada", "Tidak ada", "None"), ("ada", "Ada", "Held")]:
                ev.locator("button.ovop-wb-add").click()
                row = ev.locator("tbody[data-list=codes] > tr").last
                row.locator("[data-f=code]").fill(code)
                row.locator("[data-f=id]").fill(label_id)
                row.locator("[data-f=en]").fill(label_en)
            levels = new.locator("> fieldset").last
            for points, code in [("0", "tidak_ada"), ("1", "ada")]:
                levels.locator("button.ovop-wb-add").last.click()
                row = levels.locator("tbody[data-list=levels] > tr").last
                row.locator("[data-f=points]").fill(points)
                row.locator("[data-f=codes]").fill(code)
            group_c = "[name='e.groups.2.max_points']"
            assert page.input_value("[name='e.groups.2.id']") == "C"
            page.fill(group_c, str(int(page.input_value(group_c)) + 1))
            save(page)
            assert page.locator("#clean").count() == 1, page.locator("#problems").inner_text()
            diff = page.locator("pre.ovop-wb-diff[lang=en]").inner_text()
            assert "criterion C9 added" in diff and "3-star band minimum score: from 80 to 82" in diff, diff
            assert "A1" not in diff
            assert page.locator("[name='a.evidence.sertifikat_sni']").input_value() == "tidak_ada"
            shots(page, "editor-diff", "#diff")

            # history, then freeze (the hash is shown, confirmation asked)
            page.goto(base + f"/-/ovop/editions/{NEW}/history")
            assert page.locator("article.ovop-wb-hist").count() == 4
            assert "siti" in page.locator("article.ovop-wb-hist").first.inner_text()
            shots(page, "history")
            page.goto(base + f"/-/ovop/editions/{NEW}/freeze")
            digest = page.locator(".ovop-wb-digest").inner_text()
            assert digest.startswith("sha256:")
            page.fill("form.ovop-wb-freeze input[name=confirm]", NEW)
            page.click("form.ovop-wb-freeze button")
            page.wait_for_url("**/freeze/confirm")
            page.wait_for_load_state("load")
            assert digest in page.content()
            page.goto(base + "/-/ovop/editions")
            assert "published" in page.locator(f"tr[data-edition='{NEW}']").inner_text()
            page.goto(base + f"/-/ovop/editions/{NEW}")
            assert page.locator("button.ovop-wb-save").count() == 0
        finally:
            browser.close()

    done = (w["rules"] / NEW / "edition.yaml").read_text(encoding="utf-8")
    check = subprocess.run([str(w["ovop"]), "rules", "check", "--rules", str(w["rules"])], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr
    ops = difflib.SequenceMatcher(a=started.splitlines(), b=done.splitlines(), autojunk=False).get_opcodes()
    changed_old = [started.splitlines()[i] for tag, i1, i2, _, _ in ops if tag in ("replace", "delete")
                   for i in range(i1, i2)]
    assert changed_old == ["status: draft"], changed_old
    assert "C9" in done and "min_score: 82" in done and "A1" not in done
    assert subprocess.run(["git", "diff", "--quiet", "--", "rules"], cwd=ROOT).returncode == 0


def test_reordering_rows_is_written_to_the_file(server):
    """Moving a criterion card and a band row with the arrows, then saving, writes the new order to the YAML
    (the draft states the whole criteria list, as an edit cannot say an order); the file checks."""
    from playwright.sync_api import sync_playwright
    from engine.rules import load_rules
    base, w = server
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(base + "/-/ovop/login?next=/-/ovop/editions")
            page.fill("input[name=name]", "siti")
            page.fill("input[name=password]", PASSWORD)
            page.click("form.ovop-wb-login button")
            page.wait_for_url("**/-/ovop/editions")
            page.fill("form.ovop-wb-newdraft input[name=edition]", "2028")
            page.select_option("form.ovop-wb-newdraft select[name=parent]", "2024")
            page.click("form.ovop-wb-newdraft button")
            page.wait_for_url("**/-/ovop/editions/2028")
            before = [c.id for c in load_rules(w["rules"]).get("2028").model.criteria]
            bands = [b.stars for b in load_rules(w["rules"]).get("2028").model.bands]
            cards = page.locator("#s-criteria .ovop-wb-card")
            cards.nth(0).locator("> .ovop-wb-tools button[data-do=down]").click()  # the first criterion, down twice
            cards.nth(1).locator("> .ovop-wb-tools button[data-do=down]").click()
            page.locator("#s-bands tbody[data-list=bands] > tr").last.locator("button[data-do=up]").click()
            page.locator("#s-criteria").scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "editor-reorder-1400.png"))
            save(page)
            assert page.locator("#clean").count() == 1, page.locator("#problems").inner_text()
            after = load_rules(w["rules"]).get("2028").model
            assert [c.id for c in after.criteria] == before[1:3] + before[:1] + before[3:]
            assert [b.stars for b in after.bands] == bands[:-2] + [bands[-1], bands[-2]]
            text = (w["rules"] / "2028" / "edition.yaml").read_text(encoding="utf-8")
            assert text.index(f"- id: {before[1]}") < text.index(f"- id: {before[0]}")
            ids = page.locator("#s-criteria .ovop-wb-card > label > input[data-f=id]")
            assert [ids.nth(i).input_value() for i in range(3)] == before[1:3] + before[:1]  # the page reads the file
            page.set_viewport_size({"width": 400, "height": 900})
            page.locator("#s-criteria").scroll_into_view_if_needed()
            page.screenshot(path=str(SHOTS / "editor-reorder-400.png"))
            assert errors == []
        finally:
            browser.close()
    check = subprocess.run([str(w["ovop"]), "rules", "check", "--rules", str(w["rules"])], capture_output=True, text=True)
    assert check.returncode == 0, check.stderr


@pytest.fixture(scope="module")
def own_server(tmp_path_factory):
    """A server of its own: the drafts these tests leave broken on purpose change no check of the others."""
    w = workspace(tmp_path_factory.mktemp("wb-inplace"), [ROOT / "datasets/synthetic/2024.yaml"])
    with serving(w) as base:
        yield base, w


def signed_in(browser, base: str, draft: str | None = None, parent: str = "2024", **options):
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, **options)
    page.goto(base + "/-/ovop/login?next=/-/ovop/editions")
    page.fill("input[name=name]", "siti")
    page.fill("input[name=password]", PASSWORD)
    page.click("form.ovop-wb-login button")
    page.wait_for_url("**/-/ovop/editions")
    if draft:
        page.fill("form.ovop-wb-newdraft input[name=edition]", draft)
        page.select_option("form.ovop-wb-newdraft select[name=parent]", parent)
        page.click("form.ovop-wb-newdraft button")
        page.wait_for_url(f"**/-/ovop/editions/{draft}")
    return page


def test_a_save_updates_the_page_in_place(own_server):
    """Several problems at once (empty labels, a sourced item without its source, text in number fields): each message is
    beside its field as the saved page puts it, the fields hold what the saved file gives (" 82 " is shown as
    82), no page was loaded; a row the save drops (a source without a key) makes the form come whole; fixed,
    the checks are clean and the diff and the impact show the edit; a source added can be chosen at once."""
    from playwright.sync_api import sync_playwright
    base, w = own_server
    SHOTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = signed_in(browser, base, "2030")
            errors: list[str] = []
            page.on("pageerror", lambda e: errors.append(str(e)))
            for name, value in [("e.bands.0.min_score", " 82 "), ("e.bands.1.min_score", "8o"), ("e.title.id", ""),
                                ("e.criteria.1.label.en", ""), ("e.star_scale.min", "x")]:
                page.fill(f"[name='{name}']", value)
            source = page.input_value("[name='e.legal_basis.provenance.source']")
            page.select_option("[name='e.legal_basis.provenance.source']", "")
            save(page)
            assert page.input_value("[name='e.bands.0.min_score']") == "82"
            assert page.locator("#problems li").count() == 5
            assert "empty text" in page.locator("#s-title .ovop-wb-err").inner_text()
            assert "8o" in page.locator("#s-bands tbody tr").nth(1).locator(".ovop-wb-err").inner_text()
            shots(page, "editor-saved-errors", "#s-bands")
            placed = same_as_reloaded(page)
            assert len(placed) == 5, placed

            page.fill("[name='e.bands.1.min_score']", "70")
            page.fill("[name='e.title.id']", "Penghargaan OVOP 2030 (draf)")
            page.fill("[name='e.criteria.1.label.en']", "Local workforce")
            page.fill("[name='e.star_scale.min']", "1")
            page.select_option("[name='e.legal_basis.provenance.source']", source)
            page.locator("#s-sources button.ovop-wb-add").click()  # an empty row: not written, the form comes whole
            rows = page.locator("#s-sources tbody[data-list=sources] > tr").count()
            save(page, "#clean")
            assert page.locator("#s-sources tbody[data-list=sources] > tr").count() == rows - 1
            assert page.locator("#saved").count() == 1 and page.locator("#wb-fields .ovop-wb-err").count() == 0
            assert "3-star band minimum score: from 80 to 82" in page.locator("pre.ovop-wb-diff[lang=en]").inner_text()
            assert int(page.locator(".ovop-wb-movers-n").inner_text()) == 3
            shots(page, "editor-saved", "#impact")
            assert same_as_reloaded(page) == []

            # a source added, saved in place: every provenance can now name it
            page.locator("#s-sources button.ovop-wb-add").click()
            row = page.locator("#s-sources tbody[data-list=sources] > tr").last
            for name, value in [("key", "sni_2030"), ("title", "SNI 2030"), ("url", "https://example.org/sni")]:
                row.locator(f"[data-f={name}]").fill(value)
            save(page, "#clean")
            page.select_option("[name='e.legal_basis.provenance.source']", "sni_2030")
            save(page, "#clean")
            assert same_as_reloaded(page) == []
            assert errors == []
        finally:
            browser.close()
    text = (w["rules"] / "2030" / "edition.yaml").read_text(encoding="utf-8")
    assert "min_score: 82" in text and "Local workforce" in text and "source: sni_2030" in text


def test_a_conflict_in_place_shows_both_versions(own_server):
    """Two editors on one draft: the second save, made from the older version, is refused with both versions
    shown (in place: no page loaded), the form then shows the saved one, and a save from it goes through."""
    from playwright.sync_api import sync_playwright
    base, w = own_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            first = signed_in(browser, base, "2032")
            second = signed_in(browser, base)
            second.goto(base + "/-/ovop/editions/2032")
            first.fill("[name='e.bands.0.min_score']", "81")
            save(first)
            second.fill("[name='e.bands.0.min_score']", "83")
            save(second, "#conflict")
            assert "min_score: 81" in second.locator("#conflict pre.theirs").inner_text()
            assert "min_score: 83" in second.locator("#conflict pre.mine").inner_text()
            differs = second.locator("#conflict pre.ovop-wb-differs").inner_text()
            assert "-  - {stars: 3, min_score: 81," in differs and "+  - {stars: 3, min_score: 83," in differs, differs
            assert second.locator("#saved").count() == 0
            assert second.input_value("[name='e.bands.0.min_score']") == "81"  # the form shows the saved version
            path = w["rules"] / "2032" / "edition.yaml"
            assert "min_score: 81" in path.read_text() and "83" not in path.read_text()
            shots(second, "editor-conflict", "#conflict")
            second.fill("[name='e.bands.0.min_score']", "84")
            save(second)
            assert second.locator("#conflict").count() == 0 and "min_score: 84" in path.read_text()
        finally:
            browser.close()


def test_without_script_the_form_posts_the_whole_page(own_server):
    """Progressive enhancement: with scripts off the save button posts the form and the answer is the saved page."""
    from playwright.sync_api import sync_playwright
    base, w = own_server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = signed_in(browser, base, "2034", java_script_enabled=False)
            page.fill("[name='e.bands.0.min_score']", "85")
            page.click(".ovop-wb-savebar button.ovop-wb-save >> nth=0")
            page.wait_for_url("**/-/ovop/editions/2034/save")
            assert page.locator("#saved").count() == 1 and page.locator("#clean").count() == 1
            assert page.input_value("[name='e.bands.0.min_score']") == "85"
            assert "min_score: 85" in (w["rules"] / "2034" / "edition.yaml").read_text()
        finally:
            browser.close()
