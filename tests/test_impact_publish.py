"""ovop impact --publish: an impact run added to the published database, atomically, and its page on the site."""
from __future__ import annotations

import json
from html import escape
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

import engine.impact.publish as ip
from engine.cli import cli
from engine.errors import OvopError
from engine.publish.build import publish
from engine.web.site import datasette_app

ROOT = Path(__file__).resolve().parent.parent
FILES = [ROOT / "datasets" / "samples" / "2024.yaml", ROOT / "datasets" / "synthetic" / "2024.yaml"]
RUN = "2099-vs-2024"


def draft_rules(folder: Path) -> Path:
    """A copy of rules/ with a draft 2099 that extends 2024 and raises the 3-star threshold from 80 to 92."""
    rules_dir = folder / "rules"
    shutil.copytree(ROOT / "rules", rules_dir)
    shutil.rmtree(rules_dir / "2099", ignore_errors=True)
    made = CliRunner().invoke(cli, ["rules", "new", "2099", "--from", "2024", "--rules", str(rules_dir)])
    assert made.exit_code == 0, made.output
    bands = [(3, 92), (2, 70), (1, 60)]
    with open(rules_dir / "2099" / "edition.yaml", "a", encoding="utf-8") as fh:
        fh.write("bands:\n" + "".join(f"  - {{stars: {s}, min_score: {t}, provenance: {{status: assumed}}}}\n"
                                      for s, t in bands))
    return rules_dir


@pytest.fixture(scope="module")
def setup(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("impact_publish")
    db = folder / "ovop.db"
    publish(db, [ROOT / "datasets" / "samples"], ROOT / "rules")
    return db, draft_rules(folder)


def run_impact(rules: Path, db: Path, *extra: str, draft: str = "2099", base: str = "2024"):
    args = ["impact", draft, "--base", base, *map(str, FILES), "--rules", str(rules), "--db", str(db), *extra]
    return CliRunner().invoke(cli, args)


@pytest.fixture(scope="module")
def published(setup) -> tuple[Path, Path, dict]:
    db, rules = setup
    out = run_impact(rules, db, "--publish")
    assert out.exit_code == 0, out.output
    assert f"published impact run {RUN} to {db}" in out.output
    as_json = run_impact(rules, db, "--json")
    assert as_json.exit_code == 0, as_json.output
    return db, rules, json.loads(as_json.stdout)


def rows(db: Path, sql: str, *params) -> list[dict]:
    conn = sqlite3.connect(db)
    conn.row_factory = sqlite3.Row
    try:
        return [dict(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def test_run_transitions_and_movers_match_the_json(published):
    db, _, data = published
    [run] = rows(db, "select * from impact_runs")
    assert (run["run"], run["draft"], run["base"]) == (RUN, "2099", "2024")
    assert run["evaluated"] == data["evaluated"] > 100 and run["movers"] == len(data["moves"]) > 0
    assert json.loads(run["datasets"]) == [str(f) for f in FILES] and run["draft_hash"].startswith("sha256:")
    cells = rows(db, "select * from impact_transitions where run = ?", RUN)
    assert sum(c["assessments"] for c in cells) == data["evaluated"]
    assert {(c["base_state"], c["draft_state"]): c["assessments"] for c in cells} == \
        {(b, a): n for b, row in data["matrix"].items() for a, n in row.items() if n}
    movers = rows(db, "select * from impact_movers where run = ? order by n", RUN)
    state = lambda status, stars: str(stars) if status == "awarded" else status  # noqa: E731
    assert [{"id": m["id"], "file": m["file"], "before": state(m["base_status"], m["base_stars"]),
             "after": state(m["draft_status"], m["draft_stars"]), "score_before": m["base_score"],
             "score_after": m["draft_score"], "reasons": json.loads(m["reasons_json"])} for m in movers] == data["moves"]
    assert all(m["reasons"] == "; ".join(json.loads(m["reasons_json"])) for m in movers)
    assert all(m["before"] == "3" and m["after"] == "2" for m in data["moves"])


def test_movers_link_to_published_assessments_only(published):
    db, _, _ = published
    movers = rows(db, "select m.file, m.assessment, a.key from impact_movers m left join assessments a "
                      "on a.key = m.assessment where m.run = ?", RUN)
    samples = [m for m in movers if m["file"] == str(FILES[0])]
    assert samples and all(m["assessment"] == m["key"] is not None for m in samples)
    assert all(m["assessment"] is None for m in movers if m["file"] == str(FILES[1]))  # not published
    assert rows(db, "select * from pragma_foreign_key_check") == []


def test_publishing_again_replaces_the_run_and_keeps_others(published):
    db, rules, _ = published
    other = run_impact(rules, db, "--publish", draft="2024", base="2099")
    assert other.exit_code == 0, other.output
    before = {t.name: rows(db, f"select * from [{t.name}] where run = ? order by 1, 2", RUN) for t in ip.TABLES}
    again = run_impact(rules, db, "--publish")
    assert again.exit_code == 0, again.output
    assert {t.name: rows(db, f"select * from [{t.name}] where run = ? order by 1, 2", RUN) for t in ip.TABLES} == before
    assert [r["run"] for r in rows(db, "select run from impact_runs order by run")] == ["2024-vs-2099", RUN]


async def test_run_page_shows_the_matrix_and_links_the_movers(published):
    db, _, data = published
    ds = datasette_app(db)
    await ds.invoke_startup()
    response = await ds.client.get(f"/ovop/impact_runs/{RUN}")
    assert response.status_code == 200, response.text[:500]
    html = response.text
    assert "What if: draft 2099 against 2024" in html
    assert '<span lang="id">Bagaimana jika: draf 2099 dibandingkan 2024</span>' in html  # Indonesian first
    page = html.split('id="ovop-impact"', 1)[1]
    assert "rows-and-columns" not in page  # Datasette's narrow-screen labels of that class are the row table's
    first_move = data["moves"][0]
    assert all(f"<li>{escape(r, False)}</li>" in page for r in first_move["reasons"])  # the CLI's --json: Indonesian by default
    [en] = rows(db, "select reasons_en_json from impact_movers where run = ? and n = 1", RUN)
    assert json.loads(en["reasons_en_json"]) and all(f"<li>{escape(r, False)}</li>" in page
                                               for r in json.loads(en["reasons_en_json"]))
    assert any(r.startswith("band: ") for r in json.loads(en["reasons_en_json"]))
    assert html.count('class="ovop-matrix-row"') == len(data["states"])
    moved = data["matrix"]["3"]["2"]
    assert f'<td class="ovop-moved">{moved}</td>' in html
    assert html.count('class="ovop-mover"') == len(data["moves"])
    first = next(m for m in data["moves"] if m["file"] == str(FILES[0]))
    assert f'<a href="/ovop/outcomes/2024~2F{first["id"]}">{first["id"]}</a>' in html
    query = await ds.client.get(f"/ovop/impact_movers_for.json?run={RUN}&_shape=array")
    assert [m["id"] for m in query.json()] == [m["id"] for m in data["moves"]]


def test_injected_failure_leaves_the_database_byte_identical(setup, monkeypatch):
    db, rules = setup
    old = db.read_bytes()

    def failing(tmp):
        assert rows(tmp, "select count(*) as n from impact_runs")[0]["n"] >= 1  # the copy was written
        raise sqlite3.DatabaseError("injected failure")
    monkeypatch.setattr(ip, "check_database", failing)
    out = run_impact(rules, db, "--publish", draft="2024", base="2022")
    assert out.exit_code == 1 and "cannot add the impact run: injected failure" in out.output
    assert "Traceback" not in out.output
    assert db.read_bytes() == old
    assert sorted(p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")) == []


def test_failing_replace_leaves_the_database_byte_identical(setup, monkeypatch):
    db, rules = setup
    old = db.read_bytes()

    def full(*args):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(ip.os, "replace", full)
    out = run_impact(rules, db, "--publish")
    assert out.exit_code == 1 and "No space left on device" in out.output
    assert db.read_bytes() == old
    assert [p.name for p in db.parent.iterdir() if p.name.endswith(".tmp")] == []


def test_missing_database_is_a_clear_error(setup, tmp_path):
    _, rules = setup
    missing = tmp_path / "build" / "ovop.db"
    out = run_impact(rules, missing, "--publish")
    assert out.exit_code == 1 and "no such database file" in out.output and "run `ovop publish` first" in out.output
    assert not missing.exists() and not missing.parent.exists()


def test_a_database_not_from_publish_is_refused(setup, tmp_path):
    _, rules = setup
    other = tmp_path / "ovop.db"
    sqlite3.connect(other).close()
    old = other.read_bytes()
    out = run_impact(rules, other, "--publish")
    assert out.exit_code == 1 and "not a published database" in out.output
    assert other.read_bytes() == old


def test_published_metadata_describes_the_impact_tables(published):
    import yaml
    from engine.web.site import SITE_DIR
    metadata = yaml.safe_load((SITE_DIR / "metadata.yaml").read_text(encoding="utf-8"))["databases"]["ovop"]
    for t in ip.TABLES:
        assert metadata["tables"][t.name]["description"]
        assert [c for c in t.column_names if not metadata["tables"][t.name]["columns"].get(c)] == []
    queries = yaml.safe_load((SITE_DIR / "queries.yaml").read_text(encoding="utf-8"))  # listed when the table is there
    assert ":run" in queries["impact_movers_for"]["sql"] and queries["impact_movers_for"]["needs"] == ["impact_movers"]
    with pytest.raises(OvopError):
        ip.check_target(published[0].parent / "none.db")
