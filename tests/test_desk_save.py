"""Saving at the assessor desk: nothing stored without accounts; refused signed out, for another role and
without the CSRF token; a signed-in assessor keeps checked assessments as versions (who, when, what changed),
append-only; the saved list is not shown to anonymous visitors."""
from __future__ import annotations

import json
import re
import shutil
import sqlite3

import pytest

from engine.web import accounts, saved
from tests.test_evaluate_api import as_json
from tests.wb_server import ROOT

SAVE = "/-/ovop/assess/save"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    from engine.publish.build import publish
    from engine.web.site import datasette_app
    folder = tmp_path_factory.mktemp("desksave")
    shutil.copytree(ROOT / "rules", folder / "rules")
    db = folder / "ovop.db"
    publish(db, [shutil.copy(ROOT / "tests/publish_data/small.yaml", folder / "a.yaml")], folder / "rules")
    mp = pytest.MonkeyPatch()
    mp.setenv("OVOP_RULES_DIR", str(folder / "rules"))
    ds = datasette_app(db)
    yield ds, folder
    mp.undo()


def one() -> dict:
    return json.loads(as_json(ROOT / "datasets" / "samples" / "2024.yaml"))[0]


def cookie(ds, folder, name: str, role: str) -> dict:
    ws = folder / "workspace.db"
    if name not in {u["name"] for u in accounts.list_users(ws)}:
        accounts.add_user(ws, name, role, "long-enough-password")
    return {"ovop_session": ds.sign({"t": accounts.start_session(ws, name)}, "ovop-session")}


async def token(ds, cookies: dict) -> tuple[str, dict]:
    """The desk's token (an assessor's page carries it), else the sign-in form's."""
    r = await ds.client.get("/-/ovop/assess?edition=2024", cookies=cookies)
    found = re.search(r'data-csrftoken="([^"]+)"', r.text)
    if not found:
        r = await ds.client.get("/-/ovop/login", cookies=cookies)
        found = re.search(r'name="csrftoken" value="([^"]+)"', r.text)
    return found.group(1), {**cookies, "ds_csrftoken": r.cookies.get("ds_csrftoken")}


def rows(folder) -> list:
    ws = folder / "workspace.db"
    if not ws.exists():
        return []
    conn = sqlite3.connect(ws, isolation_level=None)
    have = conn.execute("select 1 from sqlite_master where name = 'saved_assessments'").fetchone()
    return conn.execute("select assessment, version, user from saved_assessments order by n").fetchall() if have else []


async def test_without_accounts_nothing_is_stored(site):
    ds, folder = site
    assert not (folder / "workspace.db").exists(), "this test runs first, before any account exists"
    html = (await ds.client.get("/-/ovop/assess?edition=2024")).text
    assert "ovop users add NAMA --role assessor" in html and 'id="ovop-save"' not in html
    r = await ds.client.post(SAVE, content=json.dumps(one()))
    assert r.status_code == 403 and "no accounts yet" in r.json()["errors"][0]["message"]
    assert rows(folder) == []


async def test_signed_out_or_another_role_is_refused(site):
    ds, folder = site
    editor = cookie(ds, folder, "siti", "editor")
    html = (await ds.client.get("/-/ovop/assess?edition=2024")).text
    assert 'href="/-/ovop/login?next=/-/ovop/assess%3Fedition%3D2024"' in html and 'id="ovop-save"' not in html
    r = await ds.client.post(SAVE, content=json.dumps(one()))  # no cookie at all: CSRF does not apply, the role does
    assert r.status_code == 403 and "only a signed-in assessor" in r.json()["errors"][0]["message"]
    csrftoken, cookies = await token(ds, editor)
    assert csrftoken and "only an assessor account can save" in (await ds.client.get("/-/ovop/assess", cookies=editor)).text
    r = await ds.client.post(SAVE, content=json.dumps(one()), cookies=cookies, headers={"x-csrftoken": csrftoken})
    assert r.status_code == 403 and "only a signed-in assessor" in r.json()["errors"][0]["message"]
    assert rows(folder) == []


async def test_an_assessor_saves_versions_with_who_and_when(site):
    ds, folder = site
    cookies = cookie(ds, folder, "rina", "assessor")
    csrftoken, cookies = await token(ds, cookies)
    assert csrftoken
    body = one()
    r = await ds.client.post(SAVE, content=json.dumps(body), cookies=cookies)  # forged: no token
    assert r.status_code == 403 and rows(folder) == []
    r = await ds.client.post(SAVE, content=json.dumps(body), cookies=cookies, headers={"x-csrftoken": "x" * 20})
    assert r.status_code == 403 and rows(folder) == []
    r = await ds.client.post(SAVE, content=json.dumps(body), cookies=cookies, headers={"x-csrftoken": csrftoken})
    assert r.status_code == 200, r.text
    first = r.json()["saved"]
    assert (first["assessment"], first["version"], first["user"], first["stars"], first["changes"]) == \
        ("2024-JB-0007", 1, "rina", 3, ["baru / new"])
    assert re.match(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC$", first["when"])
    r = await ds.client.post(SAVE, content=json.dumps(body), cookies=cookies, headers={"x-csrftoken": csrftoken})
    assert r.json()["saved"]["unchanged"] is True and r.json()["saved"]["version"] == 1
    body["evidence"]["jangkauan_pasar"] = "lokal"
    r = await ds.client.post(SAVE, content=json.dumps(body), cookies=cookies, headers={"x-csrftoken": csrftoken})
    second = r.json()["saved"]
    assert second["version"] == 2 and second["changes"] == ["evidence.jangkauan_pasar: ekspor → lokal"]
    assert second["stars"] == 2
    body["evidence"]["bahan_baku_lokal_pct"] = 120  # a wrong value: the CLI's error, nothing kept
    r = await ds.client.post(SAVE, content=json.dumps(body), cookies=cookies, headers={"x-csrftoken": csrftoken})
    assert r.status_code == 400 and r.json()["errors"][0]["message"] == "120 di luar rentang"
    assert r.json()["errors"][0]["message_en"] == "120 is out of range"
    assert rows(folder) == [("2024-JB-0007", 1, "rina"), ("2024-JB-0007", 2, "rina")]
    stored = saved.entries(folder / "workspace.db")
    assert stored[0]["body"].startswith("# Penilaian OVOP") and "jangkauan_pasar: \"lokal\"" in stored[0]["body"]


async def test_saved_assessments_are_append_only_and_not_shown_anonymously(site):
    ds, folder = site
    ws = folder / "workspace.db"
    saved.save(ws, "rina", "2024-XX-0001", "2024", "x: 1\n", {"x": "1"}, {"stars": 1, "status": "awarded", "score": 61})
    conn = sqlite3.connect(ws, isolation_level=None)
    for sql in ("update saved_assessments set user = 'x'", "delete from saved_assessments"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(sql)
    conn.close()
    r = await ds.client.get("/-/ovop/assess/saved")
    assert r.status_code == 403 and "2024-XX-0001" not in r.text
    r = await ds.client.get("/-/ovop/assess/saved", cookies=cookie(ds, folder, "rina", "assessor"))
    assert r.status_code == 200 and "2024-XX-0001" in r.text and "rina" in r.text
    for sql in ("select * from saved_assessments", "select * from workspace.saved_assessments"):
        r = await ds.client.get("/ovop.json", params={"sql": sql, "_shape": "array"})
        assert "2024-XX-0001" not in r.text and "2024-JB-0007" not in r.text, sql


def test_login_goes_back_only_to_a_path_on_this_site():
    from engine.web.workbench_routes import local
    assert local("/-/ovop/assess?edition=2024") == "/-/ovop/assess?edition=2024"
    assert local("https://example.com/") is None and local("//example.com/") is None and local(None) is None
