"""Publishing: one database with keys, links, indexes and views; atomic replacement; verify."""
from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.publish import rows as publish_rows
from engine.cli import cli
from engine.errors import OvopError
from engine.publish import connect
from engine.publish.build import publish
from engine.publish.schema import TABLES, VIEWS
from engine.publish.verify import verify
from engine.rules.resolve import load_rules

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "publish_data"
RULES = ROOT / "rules"
TRACE = "(select dictionary from codecs where part = 'trace')"
INPUT = "(select dictionary from codecs where part = 'input')"


@pytest.fixture
def inputs(tmp_path) -> list[Path]:
    folder = tmp_path / "in"
    folder.mkdir()
    return [Path(shutil.copy(DATA / name, folder / name)) for name in ("small.yaml", "rounds.json")]


@pytest.fixture
def published(tmp_path, inputs) -> Path:
    db = tmp_path / "out" / "ovop.db"
    publish(db, inputs, RULES)
    return db


def dump(db: Path) -> dict[str, list[tuple]]:
    conn = connect(db)
    try:
        names = [t.name for t in TABLES] + list(VIEWS)
        return {n: conn.execute(f"select * from [{n}]").fetchall() for n in names}
    finally:
        conn.close()


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir() if p.name != "ovop.db")


def test_tables_keys_links_indexes_and_views(published):
    conn = connect(published)
    objects = {(t, n) for t, n in conn.execute("select type, name from sqlite_master")}
    for t in TABLES:
        assert ("table", t.name) in objects
        pk = [r[1] for r in sorted(conn.execute(f"pragma table_info([{t.name}])"), key=lambda r: r[5]) if r[5]]
        assert tuple(pk) == ((t.pk,) if isinstance(t.pk, str) else t.pk)
        fks = {(r[3], r[2], r[4]) for r in conn.execute(f"pragma foreign_key_list([{t.name}])")}
        assert fks == set(t.fks)
        for cols in t.indexes:
            assert ("index", f"idx_{t.name}_{'_'.join(cols)}") in objects
    for name in VIEWS:
        assert ("view", name) in objects
    assert conn.execute("pragma foreign_key_check").fetchall() == []
    assert conn.execute("pragma integrity_check").fetchall() == [("ok",)]
    assert conn.execute("select count(*) from outcomes").fetchone() == (4,)
    # every trace step of a criterion links to the level that decided it
    assert conn.execute("select count(*) from trace_steps t join rules r on r.id = t.rule "
                        "where r.kind = 'criterion' and r.level_key is null").fetchone() == (0,)
    assert conn.execute("select count(*) from trace_steps where rule not in (select id from rules)").fetchone() == (0,)


def test_rows_hold_the_outcome_and_exact_input(published):
    conn = connect(published)
    conn.row_factory = sqlite3.Row
    o = conn.execute("select * from outcomes where key = '2024/2024-T-0007'").fetchone()
    assert (o["status"], o["stars"], o["movement"], o["score"]) == ("awarded", 3, "naik", 91.33)
    assert o["edition"] == "2024" and o["band_key"] == "2024/band/3"
    a = conn.execute("select * from assessment_inputs where assessment = '2022/2022-T-0001'").fetchone()
    assert '"omzet_tahunan_juta":1200.5' in a["input_json"]
    assert a["input_hash"] == publish_rows.sha256(a["input_json"])
    ineligible = conn.execute("select status, gates_failed, stars from outcomes where key = '2013/2013-T-0002'").fetchone()
    assert tuple(ineligible) == ("ineligible", '["izin_usaha"]', None)
    moved = conn.execute("select stars_2022, stars_2024, movement from movement_2022_2024").fetchall()
    assert [tuple(r) for r in moved] == [(2, 3, "naik")]
    same_ikm = conn.execute("select count(distinct ikm) from outcomes where ikm_name = 'Contoh Uji Dodol'").fetchone()
    assert tuple(same_ikm) == (1,)


def test_republishing_gives_the_same_rows(published, inputs, tmp_path):
    again = tmp_path / "again" / "ovop.db"
    publish(again, list(reversed(inputs)), RULES)
    assert dump(published) == dump(again)
    publish(again, inputs, RULES)
    assert dump(published) == dump(again)


def test_failure_midway_leaves_the_old_database(published, inputs, monkeypatch):
    before = published.read_bytes()
    calls = {"n": 0}
    real = publish_rows.assessment_row

    def failing(*args, **kwargs):
        calls["n"] += 1
        if calls["n"] > 2:
            raise RuntimeError("injected failure")
        return real(*args, **kwargs)

    monkeypatch.setattr(publish_rows, "assessment_row", failing)
    with pytest.raises(RuntimeError):
        publish(published, inputs, RULES, workers=1)
    assert calls["n"] == 3
    assert published.read_bytes() == before
    assert leftovers(published.parent) == []


def test_failing_replace_leaves_the_old_database(published, inputs, monkeypatch):
    before = published.read_bytes()

    def full(*args):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("engine.publish.build.os.replace", full)
    with pytest.raises(OvopError, match="No space left"):
        publish(published, inputs, RULES)
    assert published.read_bytes() == before
    assert leftovers(published.parent) == []


def test_bad_input_exits_non_zero_and_writes_nothing(published, inputs):
    before = published.read_bytes()
    bad = str(shutil.copy(DATA / "bad.yaml", inputs[0].parent / "bad.yaml"))
    result = CliRunner().invoke(cli, ["publish", "--db", str(published), "--rules", str(RULES), *map(str, inputs), bad])
    assert result.exit_code == 1  # Indonesian by default, English with --lang en
    assert "bahan_baku_lokal_pct: 120 di luar rentang" in result.output
    assert 'bukti "nilai_tambh" tidak dikenal' in result.output
    assert "Traceback" not in result.output
    result = CliRunner().invoke(cli, ["publish", "--db", str(published), "--rules", str(RULES), "--lang", "en",
                                      *map(str, inputs), bad])
    assert result.exit_code == 1
    assert "bahan_baku_lokal_pct: 120 is out of range" in result.output
    assert 'unknown evidence "nilai_tambh"' in result.output
    assert "Traceback" not in result.output
    assert published.read_bytes() == before
    assert leftovers(published.parent) == []


def test_missing_input_is_a_clear_error(tmp_path):
    result = CliRunner().invoke(cli, ["publish", "--db", str(tmp_path / "ovop.db"), "--rules", str(RULES),
                                      str(tmp_path / "nope.yaml")])
    assert result.exit_code == 1 and "berkas atau folder tidak ada" in result.output and "diizinkan: berkas penilaian" in result.output
    assert not (tmp_path / "ovop.db").exists()


def test_verify_finds_nothing_on_a_fresh_database(published):
    report = verify(published, RULES)
    assert report.ok and report.checked == 4
    result = CliRunner().invoke(cli, ["verify", "--db", str(published), "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    assert "verified 4 outcomes: all match" in result.output


def test_verify_finds_a_tampered_outcome(published):
    conn = connect(published)
    with conn:
        conn.execute("update outcomes set stars = 1, pembina = 'provinsi' where key = '2024/2024-T-0007'")
        conn.execute(f"update traces set steps = ovop_pack(json_set(ovop_unpack(steps, {TRACE}), '$[1][3]', 1), {TRACE}) "
                     "where outcome = (select n from outcomes where key = '2013/2013-T-0001')")
    conn.close()
    report = verify(published, RULES)
    found = {(d.key, d.field, d.published, d.current) for d in report.differences}
    assert found == {("2024/2024-T-0007", "stars", 1, 3), ("2024/2024-T-0007", "pembina", "provinsi", "pusat"),
                     ("2013/2013-T-0001", "trace_steps[2].points", 1, 3),
                     # the stored facet counts no longer match the outcomes
                     ("outcome_facets[stars=1]", "count", None, 1), ("outcome_facets[stars=3]", "count", 1, None),
                     ("outcome_facets[pembina=provinsi]", "count", 1, 2), ("outcome_facets[pembina=pusat]", "count", 2, 1),
                     ("outcome_edition_facets[stars/2024=1]", "count", None, 1),
                     ("outcome_edition_facets[stars/2024=3]", "count", 1, None)}
    result = CliRunner().invoke(cli, ["verify", "--db", str(published), "--rules", str(RULES)])
    assert result.exit_code == 1
    assert "2024/2024-T-0007: stars: published 1, now 3" in result.output


def test_verify_flags_changed_rules_and_inputs(published):
    conn = connect(published)
    with conn:
        conn.execute("update editions set hash = 'sha256:old' where id = '2022'")
        conn.execute(f"update assessments set input_packed = ovop_pack(replace(ovop_unpack(input_packed, {INPUT}), "
                     f"'\"merek\":\"didaftarkan\"', '\"merek\":\"terdaftar\"'), {INPUT}) where key = '2022/2022-T-0001'")
    conn.close()
    report = verify(published, RULES)
    assert report.rules_changed == [("2022", "sha256:old", load_rules(RULES).editions["2022"].hash)]
    assert not report.ok
    fields = {d.field for d in report.differences if d.key == "2022/2022-T-0001"}
    assert {"input_hash", "score", "trace_steps[20].points", "trace_steps[20].rule"} <= fields


def test_verify_refuses_what_is_not_a_published_database(tmp_path):
    other = tmp_path / "other.db"
    sqlite3.connect(other).execute("create table t (x)").connection.close()
    with pytest.raises(OvopError, match="not a database written by ovop publish"):
        verify(other, RULES)
    result = CliRunner().invoke(cli, ["verify", "--db", str(tmp_path / "missing.db")])
    assert result.exit_code == 1 and "no such database file" in result.output


def test_real_published_results_are_tables_with_their_sources(tmp_path):
    import sqlite_utils
    from engine.inputs.published import load_published
    db_path = tmp_path / "ovop.db"
    publish(db_path, [ROOT / "datasets" / "samples", ROOT / "datasets" / "published_results.yaml"], ROOT / "rules", check=0)
    db = sqlite_utils.Database(db_path)
    expected = load_published(ROOT / "datasets" / "published_results.yaml")
    assert list(db["published_results"].rows) == expected.aggregate_rows()
    assert list(db["published_named"].rows) == expected.named_rows()
    assert db["published_results"].pks == ["round", "source"]
    assert all(row["source"].startswith("https://") for row in db["published_results"].rows)
