"""The Datasette site, through Datasette's own test client: pages, JSON, facets, canned queries, limits."""
from __future__ import annotations

import shutil
import sqlite3
import time
from pathlib import Path

import pytest
import yaml

from engine.publish import connect
from engine.publish.build import publish
from engine.publish.schema import TABLES, VIEWS
from engine.web.site import SITE_DIR, datasette_app, serve_command
from engine.errors import OvopError

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "publish_data"
OUTCOME = "/ovop/outcomes/2024~2F2024-T-0007"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site")
    inputs = [shutil.copy(DATA / n, folder / n) for n in ("small.yaml", "rounds.json")]
    path = folder / "ovop.db"
    publish(path, inputs, ROOT / "rules")
    return path


@pytest.fixture
async def ds(db):
    app = datasette_app(db)
    await app.invoke_startup()
    return app


async def get(ds, path: str, status: int = 200):
    response = await ds.client.get(path)
    assert response.status_code == status, (path, response.text[:500])
    return response


async def test_outcome_page_shows_explanation_stars_and_trace(ds):
    html = (await get(ds, OUTCOME)).text
    assert "Penjelasan lengkap (teks)" in html and "Full explanation (text)" in html
    assert "Hasil: ★★★ 3 dari 3 bintang" in html and "Result: ★★★ 3 of 3 stars" in html
    assert 'class="ovop-stars" data-stars="3"' in html and "★★★" in html
    assert "criterion/A1/2" in html and "/ovop/levels/2024~2Fcriterion~2FA1~2F2" in html
    assert "asumsi / assumed" in html and "bersumber / sourced" in html
    assert 'href="/ovop/editions/2024"' in html


async def test_json_keeps_numbers(ds):
    data = (await get(ds, OUTCOME + ".json?_shape=objects")).json()
    row = data["rows"][0]
    assert row["stars"] == 3 and row["score"] == 91.33 and row["status"] == "awarded"
    assert "explanation_en" not in row  # rendered on the page on demand, not stored
    csv = (await get(ds, "/ovop/outcomes.csv?_col=stars&_col=status&_sort=key")).text
    assert csv.splitlines() == ["key,stars,status", "2013/2013-T-0001,5,awarded", "2013/2013-T-0002,,ineligible",
                                "2022/2022-T-0001,2,awarded", "2024/2024-T-0007,3,awarded"]


async def test_outcomes_table_has_facets_and_star_cells(ds):
    html = (await get(ds, "/ovop/outcomes")).text
    assert "★★★★★" in html
    data = (await get(ds, "/ovop/outcomes.json")).json()
    assert set(data["facet_results"]) == {"edition", "commodity", "province", "stars", "status"}
    editions = {f["value"]: f["count"] for f in data["facet_results"]["edition"]["results"]}
    assert editions == {"2013": 2, "2022": 1, "2024": 1}


async def test_stars_are_faceted_per_edition_each_on_its_own_scale(ds):
    """No bucket mixes a 3-of-5 with a 3-of-3: one bucket per edition and stars, labelled against the scale;
    a bucket selects its edition and stars, its cross removes the stars; the chart above follows the filter."""
    stars = (await get(ds, "/ovop/outcomes.json")).json()["facet_results"]["stars"]
    assert stars["type"] == "per_edition"
    got = [(r["label"], r["count"]) for r in stars["results"]]
    assert got == [("2024: ★★★ 3/3", 1), ("2022: ★★☆ 2/3", 1), ("2013: ★★★★★ 5/5", 1),
                   ("2013: tanpa bintang / no stars", 1)]
    by_label = {r["label"]: r for r in stars["results"]}
    url = by_label["2022: ★★☆ 2/3"]["toggle_url"]
    assert url.endswith("/ovop/outcomes.json?edition=2022&stars=2")
    picked = (await get(ds, "/ovop/outcomes.json?edition=2022&stars=2&_shape=objects")).json()
    assert [r["key"] for r in picked["rows"]] == ["2022/2022-T-0001"]
    chosen = [r for r in picked["facet_results"]["stars"]["results"] if r["selected"]]
    assert len(chosen) == 1 and chosen[0]["toggle_url"].endswith("/ovop/outcomes.json?edition=2022&_shape=objects")
    none = by_label["2013: tanpa bintang / no stars"]["toggle_url"]
    assert none.endswith("?edition=2013&stars__isnull=1")
    assert [r["key"] for r in (await get(ds, "/ovop/outcomes.json?edition=2013&stars__isnull=1&_shape=objects")).json()["rows"]] == \
        ["2013/2013-T-0002"]
    html = (await get(ds, "/ovop/outcomes")).text
    assert html.count('id="chart-table-stars"') == 1 and html.index("chart-table-stars") < html.index("<table class=\"rows-and-columns")
    one = (await get(ds, "/ovop/outcomes?edition=2022")).text
    chart = one[one.index('id="chart-table-stars"'):one.index("</figure>", one.index('id="chart-table-stars"'))]
    assert ">2022<" in chart and ">2013<" not in chart and ">3/3<" in chart  # the filtered rows, on 2022's scale


async def test_charts_beside_the_tables_they_draw(ds):
    for path, chart in (("/ovop/movement_2022_2024", "chart-table-movement"),
                        ("/ovop/stars_by_edition_commodity_province", "chart-table-province"),
                        ("/ovop/stars_by_edition_commodity_province", "chart-table-commodity"),
                        ("/ovop/star_distribution?edition=2013", "chart-query-stars")):
        html = (await get(ds, path)).text
        assert f'id="{chart}"' in html and "<svg" in html, (path, chart)
    html = (await get(ds, "/ovop/star_distribution?edition=2013")).text
    assert ">0/5<" in html and ">5/5<" in html
    assert "ovop-chart" not in (await get(ds, "/ovop/criteria")).text


async def test_canned_queries(ds):
    why = (await get(ds, "/ovop/why.json?id=2024/2024-T-0007&_shape=array")).json()
    assert [s["step"] for s in why] == list(range(1, len(why) + 1))
    assert why[0]["rule"] == "gate/izin_usaha" and any(s["rule"] == "band/3" for s in why)
    by_id = (await get(ds, "/ovop/why.json?id=2024-T-0007&_shape=array")).json()
    assert by_id == why
    dist = (await get(ds, "/ovop/star_distribution.json?edition=2013&_shape=array")).json()
    assert dist == [{"stars": 5, "status": "awarded", "outcomes": 1}, {"stars": None, "status": "ineligible", "outcomes": 1}]
    rounds = (await get(ds, "/ovop/ikm_between_rounds.json?ikm=Uji+Dodol&_shape=array")).json()
    assert [(r["edition"], r["stars"], r["movement"]) for r in rounds] == [("2022", 2, None), ("2024", 3, "naik")]


async def test_edition_page_lists_criteria_with_levels_and_provenance(ds):
    html = (await get(ds, "/ovop/editions/2024")).text
    assert html.count('class="ovop-criterion"') == 20
    assert "<code>bahan_baku_lokal_pct</code>" in html and "80 &lt;= x &lt; 100" in html  # conditions on x, as written
    assert "<span lang=\"id\">Dikendalikan (dikendalikan)</span>" in html and ">Controlled (dikendalikan)</span>" in html
    assert '<span lang="id">Seleksi administrasi (gerbang)</span>' in html and "harus &gt;= 5" in html
    assert "rows-and-columns" not in html.split('id="ovop-edition"', 1)[1]  # no narrow-screen labels of the row table
    assert "asumsi / assumed" in html and "https://www.slideshare.net/abdul300483/kriteria-untuk-seleksi-produk-ovop" in html
    assert "Permenperin 14/2021" in html


async def test_views_and_rule_rows(ds):
    moved = (await get(ds, "/ovop/movement_2022_2024.json?_shape=array")).json()
    assert [(m["stars_2022"], m["stars_2024"], m["movement"]) for m in moved] == [(2, 3, "naik")]
    fragile = (await get(ds, "/ovop/fragile_stars.json?_shape=array")).json()
    assert all(abs(f["score"] - f["threshold"]) <= 2 for f in fragile)
    await get(ds, "/ovop/levels/2024~2Fcriterion~2FA1~2F2")
    await get(ds, "/ovop/stars_by_edition_commodity_province")


async def test_huge_value_query_fails_fast(ds):
    started = time.perf_counter()
    response = await ds.client.get("/ovop.json?sql=select+hex(zeroblob(150000000))")
    assert response.status_code == 400
    assert "too big" in response.json()["error"]
    assert time.perf_counter() - started < 1.0


def test_metadata_describes_every_table_and_column(db):
    metadata = yaml.safe_load((SITE_DIR / "metadata.yaml").read_text())
    tables = metadata["databases"]["ovop"]["tables"]
    conn = connect(db)
    for name in [t.name for t in TABLES] + list(VIEWS):
        assert tables[name].get("description"), name
        columns = [r[1] for r in conn.execute(f"pragma table_info([{name}])")]
        missing = [c for c in columns if not tables[name].get("columns", {}).get(c)]
        assert missing == [], (name, missing)
    assert metadata["license"] and metadata["source"] and "asumsi / assumed" in metadata["description_html"]


def test_serve_command_is_immutable_with_site_settings(db, tmp_path):
    cmd = serve_command(db, "127.0.0.1", 8123)
    assert cmd[cmd.index("--immutable") + 1] == str(db)
    assert "sql_time_limit_ms" in cmd and "--plugins-dir" in cmd and cmd[cmd.index("--port") + 1] == "8123"
    other = tmp_path / "other.db"
    shutil.copy(db, other)
    with pytest.raises(OvopError, match='named "ovop"'):
        serve_command(other)


async def test_the_database_page_counts_its_tables_without_an_error(ds, db, capfd):
    """Datasette counts each table for the database page; the contentless full-text index cannot be scanned: it has
    no count, as Datasette gives it, and no error is logged at every start of the site."""
    capfd.readouterr()
    tables = {t["name"]: t["count"] for t in (await get(ds, "/ovop.json")).json()["tables"]}
    assert tables["outcomes_fts"] is None
    with sqlite3.connect(db) as conn:
        assert tables["outcomes"] == conn.execute("select count(*) from outcomes").fetchone()[0] > 0
    assert "ERROR" not in capfd.readouterr().err
