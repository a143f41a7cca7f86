"""`verify` checks the whole database: each kind of tampering is named, exit 1 (engine/publish/audit.py)."""
from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path

import pytest
from click.testing import CliRunner

from engine.cli import cli
from engine.publish import connect
from engine.publish.build import publish
from engine.publish.verify import verify

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "publish_data"

TRACE = "(select dictionary from codecs where part = 'trace')"
INPUT = "(select dictionary from codecs where part = 'input')"
TAMPERING = {  # kind: (SQL, text the report names)
    "band_min_score": ("update bands set min_score = min_score - 1 where key = (select min(key) from bands)",
                       "bands[2013/band/1]: min_score"),
    "level_condition": ("update levels set condition = 'x >= 0' where key = (select min(key) from levels)",
                        ": condition: published x >= 0"),
    "level_points": ("update levels set points = points + 1 where key = (select min(key) from levels)", ": points:"),
    "gate_requires": ("update gates set requires = 'false' where key = (select min(key) from gates)",
                      ": requires: published false"),
    "label": ("update criteria set label_en = 'changed' where key = (select min(key) from criteria)",
              ": label_en: published changed"),
    "source": ("update sources set url = 'http://elsewhere' where key = (select min(key) from sources)",
               ": url: published http://elsewhere"),
    "ikm_name": ("update ikm set name = 'Changed' where id = (select min(id) from ikm)", ": name: published Changed"),
    "assessment_column": ("update assessments set province = 'X' where key = (select min(key) from assessments)",
                          ": province: published X"),
    "publish_info": ("update publish_info set value = '999' where key = 'assessments'",
                     "publish_info[assessments]: value: published 999"),
    "engine_version": ("update publish_info set value = '0' where key = 'engine_version'",
                       "publish_info[engine_version]: value: published 0"),
    "view_sql": ("drop view trace; create view trace as select 1 as outcome", "schema.view[trace]: sql"),
    "index_dropped": ("drop index idx_outcomes_stars", "schema.index[idx_outcomes_stars]: sql: published null"),
    "trigger_added": ("create trigger t after insert on outcomes begin select 1; end",
                      "schema.trigger[t]: sql"),
    "trace_step": ("update traces set steps = ovop_pack(json_set(ovop_unpack(steps, " + TRACE + "), '$[0][2]', 'fail'), "
                   + TRACE + ") where outcome = 1", "trace_steps[1].result: published fail"),
    "trace_deleted": ("delete from traces where outcome = 3", "trace_steps: published 0 steps"),
    "input_packed": ("update assessments set input_packed = ovop_pack(replace(ovop_unpack(input_packed, " + INPUT
                     + "), '\"evidence\":{', '\"evidence\":{\"x\":1,'), " + INPUT + ") where key = "
                     "(select min(key) from assessments)", ": input_hash: published sha256:"),
    "codec_dictionary": ("update codecs set dictionary = zeroblob(10) where part = 'input'",
                         "codecs[input]: dictionary: published 10 bytes"),
    "facet_count": ("update outcome_facets set count = count + 1 where [column] = 'stars' and value = 3",
                    "outcome_facets[stars=3]: count: published"),
    "edition_facet_count": ("update outcome_edition_facets set count = count + 1 where n = 1",
                            "outcome_edition_facets[stars/2013="),
    "edition_facet_twice": ("insert into outcome_edition_facets ([column], edition, value, count) select [column], "
                            "edition, value, count from outcome_edition_facets where n = 1",
                            "outcome_edition_facets[stars/"),
    "outcome_deleted": ("delete from traces where outcome = (select max(n) from outcomes); "
                        "delete from assessments where key = (select key from outcomes where n = (select max(n) from outcomes)); "
                        "delete from outcomes where n = (select max(n) from outcomes)",
                        "publish_info[assessments]: value"),
    "outcome_deleted_midway": ("delete from traces where outcome = 2; "
                               "delete from assessments where key = (select key from outcomes where n = 2); "
                               "delete from outcomes where n = 2; "
                               "update publish_info set value = (select count(*) from outcomes) where key = 'assessments'; "
                               "update publish_info set value = (select count(*) from trace_steps) where key = 'trace_steps'",
                               "outcomes: n: published"),
}


@pytest.fixture(scope="module")
def published(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("verify_tamper")
    inputs = [shutil.copy(DATA / n, folder / n) for n in ("small.yaml", "rounds.json")]
    path = folder / "ovop.db"
    publish(path, inputs, ROOT / "rules")
    return path


def test_an_untouched_database_verifies(published):
    report = verify(published, ROOT / "rules")
    assert report.ok, report.lines()


@pytest.mark.parametrize("kind", sorted(TAMPERING))
def test_each_tampering_is_named(kind, published, tmp_path):
    sql, named = TAMPERING[kind]
    db = tmp_path / "ovop.db"
    shutil.copy(published, db)
    conn = connect(db)
    conn.executescript(sql)
    conn.commit()
    conn.close()
    report = verify(db, ROOT / "rules")
    assert not report.ok
    assert any(named in line for line in report.lines()), report.lines()
    result = CliRunner().invoke(cli, ["verify", "--db", str(db), "--rules", str(ROOT / "rules")])
    assert result.exit_code == 1 and named in result.output + (result.stderr or "")


def test_a_deleted_input_record_is_named_when_the_inputs_are_unchanged(published, tmp_path):
    """The outcome, its assessment, its trace and the counts all removed: the inputs still hold it."""
    db = tmp_path / "ovop.db"
    shutil.copy(published, db)
    conn = connect(db)
    key = conn.execute("select key from outcomes where n = (select max(n) from outcomes)").fetchone()[0]
    conn.executescript(TAMPERING["outcome_deleted"][0] + "; update publish_info set value = (select count(*) from "
                       "outcomes) where key = 'assessments'; update publish_info set value = (select count(*) from "
                       "trace_steps) where key = 'trace_steps'")
    conn.commit()
    conn.close()
    lines = verify(db, ROOT / "rules").lines()
    assert f"outcomes[{key}]: row: published missing, now in the published inputs" in lines, lines


@pytest.mark.parametrize("kind, expected", [
    ("yaml", "{db}: bukan basis data SQLite yang terbaca / not a readable SQLite database: file is not a database\n"
             "    allowed: a database written by ovop publish\n"),
    ("other_sqlite", "{db}: bukan basis data yang ditulis ovop publish / not a database written by ovop publish (no "
                     "assessments, codecs, editions, outcomes, rules, traces table)\n"
                     "    allowed: a database written by ovop publish\n"),
    ("fifo", "{db}: bukan berkas biasa / not a regular file: a pipe (FIFO)\n    allowed: a regular file\n"),
    ("absent", "{db}: basis data tidak ada / no such database file\n    allowed: a database written by ovop publish\n"),
])
def test_verify_refuses_what_is_not_a_published_database(kind, expected, tmp_path):
    import os
    db = tmp_path / "x.db"
    if kind == "yaml":
        shutil.copy(ROOT / "datasets/samples/2013.yaml", db)
    elif kind == "other_sqlite":
        sqlite3.connect(db).execute("create table t(a)").connection.commit()
    elif kind == "fifo":
        os.mkfifo(db)
    result = CliRunner().invoke(cli, ["verify", "--db", str(db), "--rules", str(ROOT / "rules")])
    assert result.exit_code == 1
    assert result.output == expected.format(db=db)


@pytest.fixture(scope="module")
def trained(tmp_path_factory) -> Path:
    """A database whose packing dictionaries were trained on a sample of its records (packing.SAMPLE of them)."""
    from engine.publish import packing
    from engine.rules import load_rules
    from engine.synth.generate import synthesize
    folder = tmp_path_factory.mktemp("verify_trained")
    records = synthesize(load_rules(ROOT / "rules"), "2024", 150, 5)
    inputs = [folder / "pop.jsonl"]
    inputs[0].write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    path = folder / "ovop.db"
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(packing, "SAMPLE", 100)
        mp.setattr(packing, "DICT_SIZE", 4096)
        publish(path, inputs, ROOT / "rules")
        assert verify(path, ROOT / "rules").ok
        yield path


@pytest.mark.parametrize("sql, named", [
    ("update codecs set dictionary = substr(dictionary, 1, 3000) || zeroblob(1096) where part = 'trace'",
     "codecs"),
    ("update codecs set method = 'other' where part = 'input'", "codecs[input]: method: published other"),
])
def test_a_trained_dictionary_is_trained_again_and_compared(trained, tmp_path, sql, named):
    db = tmp_path / "ovop.db"
    shutil.copy(trained, db)
    conn = connect(db)
    assert "trained on 100 sampled values" in conn.execute("select method from codecs where part = 'trace'").fetchone()[0]
    conn.executescript(sql)
    conn.commit()
    conn.close()
    from engine.publish import packing
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(packing, "SAMPLE", 100)
        mp.setattr(packing, "DICT_SIZE", 4096)
        report = verify(db, ROOT / "rules")
    assert not report.ok
    assert any(named in line for line in report.lines()), report.lines()
