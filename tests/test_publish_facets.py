"""Facets of the outcomes table view: the counts Datasette serves equal the table's counts, none times out; the
unfiltered view's counts are read from outcome_facets (counted at publish), a filtered view's from an index."""
from __future__ import annotations

import importlib.util
import sqlite3
from pathlib import Path

import pytest
import yaml

from engine.publish.build import publish_stream
from engine.web.site import SITE_DIR, datasette_app
from engine.rules.resolve import load_rules

ROOT = Path(__file__).resolve().parent.parent
CONFIGURED = yaml.safe_load((SITE_DIR / "metadata.yaml").read_text(encoding="utf-8"))[
    "databases"]["ovop"]["tables"]["outcomes"]["facets"]
FACETS = [f for f in CONFIGURED if isinstance(f, str)]  # column facets; stars is faceted per edition
PER_EDITION = [f["per_edition"] for f in CONFIGURED if isinstance(f, dict)]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_publish", ROOT / "bench" / "bench_publish.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    ruleset = load_rules(ROOT / "rules")
    path = tmp_path_factory.mktemp("facets") / "ovop.db"
    publish_stream(path, _bench().synthetic(ruleset, 1500), ruleset, check=0)
    return path


def facet_sql(conn, column: str, where: str = "") -> str:
    """The facet query Datasette 0.65 runs (datasette/facets.py, ColumnFacet) over the table view's SQL."""
    columns = ", ".join(f"[{r[1]}]" for r in conn.execute("pragma table_info(outcomes)"))
    return (f"select [{column}] as value, count(*) as count from (select {columns} from outcomes {where}) "
            f"where [{column}] is not null group by [{column}] order by count desc, value limit 31")


def test_unfiltered_facets_are_counted_once_and_filtered_ones_read_an_index(db):
    """Every column facet of the table view has its counts in outcome_facets; a view filtered by province
    alone (no edition) still counts its facets from an index, not by scanning the table."""
    from engine.publish import FACET_COLUMNS
    assert set(FACETS) == {"edition", "commodity", "province", "status"} and PER_EDITION == ["stars"]
    assert set(FACETS) <= set(FACET_COLUMNS)
    conn = sqlite3.connect(db)
    assert {r[0] for r in conn.execute("select distinct [column] from outcome_facets")} == set(FACET_COLUMNS)
    for column in FACETS:
        sql = facet_sql(conn, column, "where province = 'Bali'")
        plan = " | ".join(r[3] for r in conn.execute("explain query plan " + sql))
        assert plan.startswith("SEARCH outcomes USING") and "SCAN" not in plan, (column, plan)


def test_filtered_facets_read_the_covering_index(db):
    conn = sqlite3.connect(db)
    for column in ("commodity", "stars", "status"):
        sql = facet_sql(conn, column, "where edition = '2022' and province = 'Bali'")
        plan = " | ".join(r[3] for r in conn.execute("explain query plan " + sql))
        assert "idx_outcomes_edition_province_commodity_stars_status" in plan, (column, plan)


@pytest.mark.parametrize("query", ["", "?edition=2024&province=Bali"])
async def test_served_facets_are_complete_and_equal_the_counts(db, query):
    conn = sqlite3.connect(db)
    where = "where edition = '2024' and province = 'Bali'" if query else ""
    ds = datasette_app(db)
    await ds.invoke_startup()
    data = (await ds.client.get(f"/ovop/outcomes.json{query}{'&' if query else '?'}_extra=facet_results")).json()
    assert data.get("facets_timed_out", []) == []
    served = data["facet_results"]
    assert sorted(served) == sorted(FACETS + PER_EDITION)
    for column in FACETS:
        counts = dict(conn.execute(f"select [{column}], count(*) from outcomes {where} "
                                   f"group by [{column}] having [{column}] is not null"))
        assert {r["value"]: r["count"] for r in served[column]["results"]} == counts, column
    per_edition = {(e, s): n for e, s, n in conn.execute(f"select edition, stars, count(*) from outcomes {where} "
                                                         "group by edition, stars")}
    assert served["stars"]["type"] == "per_edition"
    assert {(r["edition"], r["stars"]): r["count"] for r in served["stars"]["results"]} == per_edition
    total = conn.execute(f"select count(*) from outcomes {where}").fetchone()[0]
    assert data["filtered_table_rows_count"] == total and total > 0


async def test_unfiltered_facets_are_read_from_the_stored_counts(db, tmp_path):
    """The unfiltered view's facets come from outcome_facets (a count changed there is served); a filtered view,
    a search, or a facet column not counted there runs Datasette's own query."""
    import shutil
    from engine.publish import FACET_COLUMNS
    copy = tmp_path / "ovop.db"
    shutil.copy(db, copy)
    conn = sqlite3.connect(copy)
    stored = dict(conn.execute("select value, count from outcome_facets where [column] = 'edition'"))
    assert stored == dict(conn.execute("select edition, count(*) from outcomes group by edition"))
    assert set(FACETS) <= set(FACET_COLUMNS)
    with conn:
        conn.execute("update outcome_facets set count = 999999 where [column] = 'edition' and value = '2013'")
    ds = datasette_app(copy)
    await ds.invoke_startup()

    async def editions(query: str) -> dict:
        data = (await ds.client.get(f"/ovop/outcomes.json?_extra=facet_results{query}")).json()
        return {r["value"]: r["count"] for r in data["facet_results"]["edition"]["results"]}
    assert (await editions(""))["2013"] == 999999
    assert list(await editions("")) == sorted(stored, key=lambda v: (-(999999 if v == "2013" else stored[v]), v))
    filtered = dict(conn.execute("select edition, count(*) from outcomes where province = 'Bali' group by edition"))
    assert await editions("&province=Bali") == filtered
    regency = (await ds.client.get("/ovop/outcomes.json?_extra=facet_results&_facet=regency")).json()
    served = {r["value"]: r["count"] for r in regency["facet_results"]["regency"]["results"]}
    assert served and all(conn.execute("select count(*) from outcomes where regency = ?", [v]).fetchone()[0] == c
                          for v, c in served.items())


async def test_unfiltered_stars_per_edition_is_read_from_the_stored_counts(db, tmp_path):
    """The per-edition stars facet of the unfiltered view comes from outcome_edition_facets (a count changed
    there is served, nulls included); a filtered view counts the outcomes again."""
    import shutil
    copy = tmp_path / "ovop.db"
    shutil.copy(db, copy)
    conn = sqlite3.connect(copy)
    live = {(e, s): n for e, s, n in conn.execute("select edition, stars, count(*) from outcomes group by 1, 2")}
    stored = {(e, s): n for e, s, n in conn.execute(
        "select edition, value, count from outcome_edition_facets where [column] = 'stars'")}
    assert stored == live and (("2024", None) in live)
    with conn:
        conn.execute("update outcome_edition_facets set count = 999999 where edition = '2024' and value is null")
    ds = datasette_app(copy)
    await ds.invoke_startup()

    async def stars(query: str) -> dict:
        data = (await ds.client.get(f"/ovop/outcomes.json?_extra=facet_results{query}")).json()
        return {(r["edition"], r["stars"]): r["count"] for r in data["facet_results"]["stars"]["results"]}
    assert await stars("") == {**live, ("2024", None): 999999}
    filtered = {(e, s): n for e, s, n in conn.execute(
        "select edition, stars, count(*) from outcomes where province = 'Bali' group by 1, 2")}
    assert await stars("&province=Bali") == filtered


@pytest.mark.parametrize("query", ["", "?edition=2024&province=Bali"])
async def test_the_page_with_stored_counts_is_the_page_counted_live(db, query):
    """The outcomes table page (HTML: facets, the stars chart, the row count) is the same whether its counts are
    read from outcome_facets and outcome_edition_facets or counted from the outcomes."""
    from engine.web import counted_facets
    ds = datasette_app(db)
    await ds.invoke_startup()
    stored = (await ds.client.get(f"/ovop/outcomes{query}")).text
    assert "ovop" in counted_facets.DATABASES
    counted_facets.DATABASES.discard("ovop")
    try:
        live = (await ds.client.get(f"/ovop/outcomes{query}")).text
    finally:
        counted_facets.DATABASES.add("ovop")
    import re
    timings = re.compile(r"queries: [\d.]+ ms")  # the footer's query time
    assert timings.sub("", stored) == timings.sub("", live) and "chart-table-stars" in stored
