"""The published site's table and query pages: Indonesian first, English beside, readable at 400 px.
Descriptions in site/metadata.yaml and site/queries.yaml are "Indonesian / English"; the pages show both, the
Indonesian first, and their chrome (counts, search, filters, export) the same way. In a real browser the table
and query pages are no wider than a 400 px phone. Screenshots go to $OVOP_SHOTS (default /tmp/ovop-shots)."""
from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner
from markupsafe import escape

from engine.cli import cli
from engine.publish.build import publish
from engine.web.site import SITE_DIR, datasette_app
from rulecopy import copy_rules
from test_browser import ARGS, CHROMIUM, free_port, wait_up

ROOT = Path(__file__).resolve().parent.parent
SHOTS = Path(os.environ.get("OVOP_SHOTS", "/tmp/ovop-shots"))
METADATA = yaml.safe_load((SITE_DIR / "metadata.yaml").read_text(encoding="utf-8"))
QUERIES = yaml.safe_load((SITE_DIR / "queries.yaml").read_text(encoding="utf-8"))
TABLES = METADATA["databases"]["ovop"]["tables"]

# words only one of the two languages uses: a part written in the other language has more of the other's
ID_WORDS = {"yang", "dan", "setiap", "di", "atau", "dengan", "untuk", "bila", "dari", "oleh", "tidak", "satu", "baris",
            "hasil", "penilaian", "edisi", "bintang", "dihitung", "menurut", "sumber", "kriteria", "bukan", "ini", "semua",
            "paling", "kecuali", "bagaimana", "jika", "siapa", "langkah", "suatu", "lalu", "sebabnya", "dapat", "tiap", "lewat", "tabel", "nama"}
EN_WORDS = {"the", "of", "and", "every", "or", "with", "for", "when", "from", "by", "each", "not", "one", "row",
            "outcome", "outcomes", "assessment", "assessments", "edition", "stars", "counted", "source", "criteria", "what",
            "who", "if", "under", "their", "its", "is", "are", "in", "to"}


def words(text: str, vocabulary: set[str]) -> int:
    """How many words of `text` are in `vocabulary`; technical names (max_stars, rules/editions.lock) not counted."""
    plain = re.sub(r"\S*[_./=:-]\S*", " ", text.lower())
    return sum(w in vocabulary for w in re.findall(r"[a-z]+", plain))


def halves(text: str) -> tuple[str, str]:
    assert text.count(" / ") == 1, f"not 'Indonesian / English' (one ' / '): {text!r}"
    id_part, en_part = (p.strip() for p in text.split(" / "))
    assert id_part and en_part and id_part != en_part, f"the same on both sides: {text!r}"
    return id_part, en_part


def sentences() -> list[tuple[str, str]]:
    """(where, text) of every database, table and query description and every query title of queries.yaml."""
    out = [("database", METADATA["databases"]["ovop"]["description"])]
    out += [(f"table {t}", v["description"]) for t, v in TABLES.items() if v.get("description")]
    out += [(f"query {q}", v["description"]) for q, v in METADATA["databases"]["ovop"]["queries"].items()]
    out += [("site title", METADATA["title"])]
    out += [(f"query {q} title", v["title"]) for q, v in METADATA["databases"]["ovop"]["queries"].items()]
    for q, v in QUERIES.items():
        out += [(f"queries.yaml {q} title", v["title"]), (f"queries.yaml {q}", v["description"])]
    return out


@pytest.mark.parametrize("where,text", sentences(), ids=[w for w, _ in sentences()])
def test_descriptions_are_indonesian_first_with_english_beside(where, text):
    id_part, en_part = halves(text)
    assert words(id_part, ID_WORDS) > words(id_part, EN_WORDS), (where, "first part is not Indonesian", id_part)
    assert words(en_part, EN_WORDS) > words(en_part, ID_WORDS), (where, "second part is not English", en_part)


def test_every_column_description_has_both_languages():
    columns = [(t, c, d) for t, v in TABLES.items() for c, d in (v.get("columns") or {}).items()]
    assert len(columns) > 300
    for table, column, text in columns:
        id_part, en_part = halves(text)
        assert words(id_part, EN_WORDS) <= words(id_part, ID_WORDS), (table, column, "English first?", text)


def test_every_table_has_a_description():
    missing = [t for t, v in TABLES.items() if not v.get("description") and t != "sqlite_stat1"]
    assert missing == []


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site_language")
    rules = copy_rules(folder / "rules")
    path = folder / "ovop.db"
    publish(path, [ROOT / "datasets" / "samples"], rules)
    files = [ROOT / "datasets" / "samples" / "2022.yaml", ROOT / "datasets" / "samples" / "2024.yaml"]
    out = CliRunner().invoke(cli, ["impact", "2024", "--base", "2022", *map(str, files), "--rules", str(rules),
                                   "--db", str(path), "--publish"])
    assert out.exit_code == 0, out.output
    return path


@pytest.fixture
async def ds(db):
    app = datasette_app(db)
    await app.invoke_startup()
    return app


async def page(ds, path: str) -> str:
    response = await ds.client.get(path)
    assert response.status_code == 200, (path, response.text[:300])
    return response.text


@pytest.mark.parametrize("table", ["outcomes", "ikm", "trace_steps", "impact_movers", "editions"])
async def test_table_page_shows_the_indonesian_description_first(ds, table):
    html = await page(ds, f"/ovop/{table}")
    id_part, en_part = halves(TABLES[table]["description"])
    shown_id, shown_en = f'<p lang="id">{escape(id_part)}</p>', f'<p lang="en" class="ovop-en">{escape(en_part)}</p>'
    assert shown_id in html and shown_en in html and html.index(shown_id) < html.index(shown_en)
    column, text = next(iter(TABLES[table]["columns"].items()))
    col_id, col_en = halves(text)
    assert f'<dt>{column}</dt><dd><span lang="id">{escape(col_id)}</span>' in html
    assert re.search(r'<h3 class="ovop-count"><span lang="id">[0-9,]+ baris', html), table
    for chrome in ("Terapkan / apply", "Lisensi data / data license:", "Data ini sebagai / this data as",
                   "Ekspor lanjutan / advanced export", "Dijalankan dengan / powered by"):
        assert chrome in html, (table, chrome)
    for english_only in (">Apply<", "Advanced export", "This data as", "Data license:", ">Next page<", "Powered by"):
        assert english_only not in html.replace("/ data license:", "").replace("/ advanced export", ""), (table, english_only)


async def test_counts_say_filters_search_and_sort_in_indonesian(ds):
    html = await page(ds, "/ovop/outcomes?edition=2024&stars__isnull=1&_search=Garut")
    count = html[html.index('<h3 class="ovop-count">'):html.index("</h3>", html.index('<h3 class="ovop-count">'))]
    assert "baris dengan edition = 2024 dan stars kosong (null) dan pencarian &#34;Garut&#34;, urut menurut score (turun)" in count
    assert "rows where search matches" in count  # English beside
    assert 'label for="_search">Cari / search:' in html and ">memuat / contains<" in html
    empty = await page(ds, "/ovop/ikm?name=tidak-ada")
    assert "0 baris / 0 rows" in empty and "0 records" not in empty


async def test_canned_query_page_in_both_languages(ds):
    html = await page(ds, "/ovop/why?id=2024-JB-0007")
    id_part, en_part = halves(METADATA["databases"]["ovop"]["queries"]["why"]["description"])
    assert html.index(f'<p lang="id">{escape(id_part)}') < html.index(escape(en_part))
    for chrome in ("Parameter kueri / query parameters", 'value="Jalankan / run SQL"', "sembunyikan / hide", "baris / rows"):
        assert chrome in html, chrome
    movers = await page(ds, "/ovop/impact_movers_for?run=2024-vs-2022")
    assert "<h1" in movers and "Bagaimana jika: siapa yang dipindahkan draf / What if: who a draft moves" in movers


PHONE_PAGES = ["/ovop/outcomes", "/ovop/ikm", "/ovop/trace_steps?outcome=1", "/ovop/why?id=2024-JB-0007",
               "/ovop/impact_movers", "/ovop/impact_movers_for?run=2024-vs-2022"]


@pytest.mark.browser
@pytest.mark.skipif(not CHROMIUM.exists(), reason="no chromium at /usr/bin/chromium")
def test_table_and_query_pages_fit_a_phone_and_a_desktop(db, tmp_path):
    from playwright.sync_api import sync_playwright
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "ovop"), "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                            env={**os.environ, "OVOP_RULES_DIR": str(db.parent / "rules")})
    base = f"http://127.0.0.1:{port}"
    SHOTS.mkdir(parents=True, exist_ok=True)
    try:
        wait_up(base + "/-/versions.json", proc)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
            for width in (1280, 400):
                tab = browser.new_page(viewport={"width": width, "height": 900})
                errors = []
                tab.on("pageerror", lambda e: errors.append(str(e)))
                for path in PHONE_PAGES:
                    tab.goto(base + path)
                    assert tab.evaluate("document.documentElement.scrollWidth") <= width + 1, (path, width)
                    assert tab.locator('.metadata-description p[lang="id"]').first.is_visible(), path
                    name = re.sub(r"[^a-z_]+", "-", path.split("/")[-1].split("?")[0])
                    tab.screenshot(path=str(SHOTS / f"lang-{name}-{width}.png"), full_page=True)
                if width == 1280:  # Datasette's column menu in both languages
                    tab.goto(base + "/ovop/ikm")
                    tab.locator("th.col-name svg.dropdown-menu-icon").click()
                    menu = tab.locator("body > .dropdown-menu").inner_text()
                    assert "Urutkan naik / sort ascending" in menu and "Jenis / type: TEXT" in menu, menu
                if width == 400:  # a phone card: each value beside its label, not below it
                    tab.goto(base + "/ovop/ikm")
                    cell = tab.locator("table.rows-and-columns tbody tr").first.locator("td.col-province")
                    box = cell.bounding_box()
                    assert box["height"] < 40, box
                assert errors == []
                tab.close()
            browser.close()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
