"""Canned queries that need tables are listed (and answer) only when the tables are there (site/queries.yaml)."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.publish.build import publish
from engine.web.site import datasette_app

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "publish_data"
CONDITIONAL = {"what_if_2018_2024", "what_if_summary", "impact_movers_for"}


@pytest.fixture(scope="module")
def dbs(tmp_path_factory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("queries")
    inputs = [shutil.copy(DATA / n, folder / n) for n in ("small.yaml", "rounds.json", "whatif.yaml")]
    plain, what_if = folder / "plain.db", folder / "whatif.db"
    publish(plain, inputs, ROOT / "rules")
    publish(what_if, inputs, ROOT / "rules", what_if=True)
    return {"plain": plain, "what_if": what_if}


async def _app(db):
    ds = datasette_app(db)
    await ds.invoke_startup()
    return ds


async def test_queries_needing_absent_tables_are_not_listed(dbs):
    ds = await _app(dbs["plain"])
    listed = {q["name"] for q in (await ds.client.get("/ovop.json")).json()["queries"]}
    assert "why" in listed and not listed & CONDITIONAL
    response = await ds.client.get("/ovop/impact_movers_for?run=2099-vs-2024")
    assert response.status_code == 404 and "no such table" not in response.text
    html = (await ds.client.get("/ovop")).text
    assert "impact_movers_for" not in html and "what_if_2018_2024" not in html


async def test_what_if_queries_listed_and_answering_when_published_with_what_if(dbs):
    ds = await _app(dbs["what_if"])
    listed = {q["name"] for q in (await ds.client.get("/ovop.json")).json()["queries"]}
    assert {"what_if_2018_2024", "what_if_summary"} <= listed and "impact_movers_for" not in listed
    rows = (await ds.client.get("/ovop/what_if_2018_2024.json?_shape=array")).json()
    assert [r["stars_2024"] for r in rows if r["status_2024"] == "conditional"]  # answers with stars
    summary = (await ds.client.get("/ovop/what_if_summary.json?from=2018&to=2024&_shape=array")).json()
    assert {r["status"] for r in summary} >= {"conditional"}


async def test_outcome_keys_are_links_in_query_results_and_stars_show_their_scale(dbs):
    ds = await _app(dbs["what_if"])
    html = (await ds.client.get("/ovop/what_if_2018_2024")).text
    assert '<a href="/ovop/outcomes/2018~2F2018-W-0002">2018/2018-W-0002</a>' in html
    html = (await ds.client.get("/ovop.db?sql=select+key,+edition,+stars+from+outcomes".replace(".db", ""))).text
    assert '<a href="/ovop/outcomes/2013~2F2013-T-0001">2013/2013-T-0001</a>' in html
    assert '<span class="ovop-of">5/5</span>' in html  # 2013's scale is 1-5
    table = (await ds.client.get("/ovop/outcomes?edition=2022")).text
    assert '<span class="ovop-of">2/3</span>' in table  # 2022's is 1-3
    assert 'class="ovop-status ovop-status-awarded"' in table
