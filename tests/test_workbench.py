"""The criteria workbench without a browser: round-trip edits, accounts and sessions, who may write (signed
out, forged POSTs without a CSRF token), the workspace unreadable through the site's SQL, conflicts,
a save killed midway, and the impact agreeing with `ovop impact`."""
from __future__ import annotations

import copy
import re
import shutil
import sqlite3
import subprocess
import sys

import pytest

from engine.errors import OvopError
from engine.rules import load_rules
from engine.web import accounts, history, yamledit
from tests.rulecopy import new_edition_id
from tests.wb_server import ROOT

RULES = ROOT / "rules"


def dump(rs, e):
    return rs.get(e).model.model_dump(mode="json", by_alias=True, exclude_none=True)


# ---- yamledit ------------------------------------------------------------------------------------

def test_effective_of_every_bundled_file_is_the_resolved_edition():
    rs = load_rules(RULES)
    for e, res in rs.editions.items():
        data = yamledit.plain(yamledit.load((RULES / e / "edition.yaml").read_text()))
        parent = dump(rs, res.model.extends) if res.model.extends else None
        eff, _ = yamledit.effective(data, parent)
        from engine.rules import Edition
        assert Edition.model_validate({"extends": None, **eff}).model_dump(mode="json", by_alias=True, exclude_none=True) == dump(rs, e)


def test_rewrite_changes_only_the_lines_it_must():
    rs = load_rules(RULES)
    text = (RULES / "2013" / "edition.yaml").read_text()
    eff = dump(rs, "2013")
    assert yamledit.rewrite(text, copy.deepcopy(eff), None) == text
    new = copy.deepcopy(eff)
    new["bands"][0]["min_score"] = 86
    new["criteria"][1]["levels"][0]["when"] = "x < 1"
    out = yamledit.rewrite(text, new, None)
    changed = [(a, b) for a, b in zip(text.splitlines(), out.splitlines()) if a != b]
    assert len(text.splitlines()) == len(out.splitlines()) and len(changed) == 2
    assert changed[0] == ('      - {points: 1, when: "x <= 1"}', '      - {points: 1, when: "x < 1"}')


def test_rewrite_of_a_draft_states_only_the_edit_against_its_parent(tmp_path):
    rs = load_rules(RULES)
    text = (RULES / "2024" / "edition.yaml").read_text()
    data = yamledit.plain(yamledit.load(text))
    eff, _ = yamledit.effective(data, dump(rs, "2022"))
    eff["criteria"][0]["levels"][1]["when"] = "85 <= x < 100"
    out = yamledit.rewrite(text, eff, dump(rs, "2022"))
    assert out.startswith(text.split("\nconsequences:")[0])
    assert "criteria:\n  replace:\n    - id: A1\n" in out and out.count("- id:") == 1
    assert out.endswith(text[text.index("consequences:"):])


def test_reordering_keyed_items_of_a_draft_is_written(tmp_path):
    """A draft that extends states its criteria as an edit (add/replace/remove), which cannot say an order:
    moving a criterion makes the file state the whole list, in the new order; other sections untouched."""
    rs = load_rules(RULES)
    text = (RULES / "2024" / "edition.yaml").read_text()
    parent = dump(rs, "2022")
    eff, _ = yamledit.effective(yamledit.plain(yamledit.load(text)), parent)
    eff = copy.deepcopy(eff)  # effective() shares the parent's lists
    ids = [c["id"] for c in eff["criteria"]]
    eff["criteria"].insert(0, eff["criteria"].pop(3))
    eff["gates"].reverse()
    out = yamledit.rewrite(text, eff, parent)
    again, _ = yamledit.effective(yamledit.plain(yamledit.load(out)), parent)
    assert [c["id"] for c in again["criteria"]] == [ids[3]] + ids[:3] + ids[4:]
    assert [g["fact"] for g in again["gates"]] == [g["fact"] for g in eff["gates"]]
    assert _resolved_ids(tmp_path, out) == [ids[3]] + ids[:3] + ids[4:]  # as the resolver reads the file too
    assert out.startswith(text.split("\ngates:")[0]) and out.endswith(text[text.index("consequences:"):])
    back = copy.deepcopy(yamledit.effective(yamledit.plain(yamledit.load(out)), parent)[0])
    back["criteria"].insert(3, back["criteria"].pop(0))  # moved back: the list the file states follows
    back["gates"].reverse()
    third = yamledit.rewrite(out, back, parent)
    assert [c["id"] for c in yamledit.effective(yamledit.plain(yamledit.load(third)), parent)[0]["criteria"]] == ids


def _resolved_ids(tmp_path, text: str) -> list[str]:
    rules = tmp_path / "rules"
    if not rules.exists():
        shutil.copytree(RULES, rules)
    (rules / "2024" / "edition.yaml").write_text(text)
    # the edited 2024 is no longer the frozen one: read it as `rules check` does, without enforcing the lock
    return [c.id for c in load_rules(rules, frozen=False).get("2024").model.criteria]


def test_reordering_a_stated_list_moves_items_with_their_comments():
    text = ("edition: \"2030\"\nstatus: draft\n# the bands\nbands:\n"
            "  - {stars: 1, min_score: 50}  # one\n  - {stars: 2, min_score: 60}  # two\n"
            "  - {stars: 3, min_score: 70}  # three\n\ncaps: []\n")
    data = yamledit.plain(yamledit.load(text))
    data["bands"].reverse()
    out = yamledit.rewrite(text, data, None)
    assert out == ("edition: \"2030\"\nstatus: draft\n# the bands\nbands:\n"
                   "  - {stars: 3, min_score: 70}  # three\n  - {stars: 2, min_score: 60}  # two\n"
                   "  - {stars: 1, min_score: 50}  # one\n\ncaps: []\n")
    data["bands"][1]["min_score"] = 65
    data["bands"].insert(0, data["bands"].pop())
    out2 = yamledit.rewrite(out, data, None)
    assert out2.splitlines()[4:7] == ["  - {stars: 1, min_score: 50}  # one", "  - {stars: 3, min_score: 70}  # three",
                                      "  - {stars: 2, min_score: 65}  # two"]


def test_a_parent_edited_in_a_text_editor_is_read_again(tmp_path):
    """The resolved parents are kept between saves, but only while their files are unchanged."""
    from engine.rules import new_edition
    from engine.web.workbench import Workbench
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    new_edition(rules, "2031", "2024")
    new_edition(rules, "2032", "2031")
    wb = Workbench(rules, tmp_path / "workspace.db")
    assert wb.draft("2032").parent["bands"][0]["min_score"] == 80
    path = rules / "2031" / "edition.yaml"
    path.write_text(path.read_text() + "bands:\n  - {stars: 3, min_score: 83, provenance: {status: assumed}}\n"
                    "  - {stars: 2, min_score: 70, provenance: {status: assumed}}\n"
                    "  - {stars: 1, min_score: 60, provenance: {status: assumed}}\n")
    assert wb.draft("2032").parent["bands"][0]["min_score"] == 83
    assert wb.draft("2032").effective["bands"][0]["min_score"] == 83
    wb.draft("2032").parent["bands"][0]["min_score"] = 1  # a caller's change does not reach the kept copy
    assert wb.draft("2032").parent["bands"][0]["min_score"] == 83


def test_write_atomic_killed_before_rename_leaves_the_old_file(tmp_path):
    target = tmp_path / "edition.yaml"
    target.write_text("old: true\n")
    code = ("import os, sys; sys.path.insert(0, sys.argv[2]); from engine.web import yamledit; "
            "os.replace = lambda *a: os._exit(9); yamledit.write_atomic(sys.argv[1], 'new: ' + 'x' * 100000)")
    proc = subprocess.run([sys.executable, "-c", code, str(target), str(ROOT)])
    assert proc.returncode == 9
    assert target.read_text() == "old: true\n"


# ---- accounts, history --------------------------------------------------------------------------

def test_accounts(tmp_path):
    ws = tmp_path / "workspace.db"
    with pytest.raises(OvopError, match="allowed: editor, assessor"):
        accounts.add_user(ws, "siti", "admin", "long-enough-password")
    with pytest.raises(OvopError, match="at least 10 characters"):
        accounts.add_user(ws, "siti", "editor", "short")
    accounts.add_user(ws, "siti", "editor", "long-enough-password")
    with pytest.raises(OvopError, match="exists already"):
        accounts.add_user(ws, "siti", "editor", "long-enough-password")
    stored = sqlite3.connect(ws).execute("select password_hash from users").fetchone()[0]
    assert stored.startswith("$argon2id$") and "long-enough" not in stored
    assert accounts.check_password(ws, "siti", "wrong-password-x") is None
    assert accounts.check_password(ws, "nobody", "long-enough-password") is None
    assert accounts.check_password(ws, "siti", "long-enough-password") == {"name": "siti", "role": "editor"}
    token = accounts.start_session(ws, "siti")
    assert accounts.session_user(ws, token) == {"name": "siti", "role": "editor"}
    accounts.end_session(ws, token)
    assert accounts.session_user(ws, token) is None
    expired = accounts.start_session(ws, "siti", seconds=-1)
    assert accounts.session_user(ws, expired) is None


def test_history_is_append_only(tmp_path):
    ws = tmp_path / "workspace.db"
    history.record(ws, "siti", "2026", "save", "a", "b", "changes", "diff")
    assert [h["user"] for h in history.entries(ws, "2026")] == ["siti"]
    conn = sqlite3.connect(ws)
    for sql in ("update history set user = 'x'", "delete from history"):
        with pytest.raises(sqlite3.DatabaseError, match="append-only"):
            conn.execute(sql)


# ---- the site ------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from _site(tmp_path_factory)


@pytest.fixture
def fresh_site(tmp_path_factory):
    """A site of its own (the module's `site` holds drafts other tests left broken)."""
    yield from _site(tmp_path_factory)


def _site(tmp_path_factory):
    from engine.publish.build import publish
    from engine.web.site import datasette_app
    folder = tmp_path_factory.mktemp("wbsite")
    shutil.copytree(RULES, folder / "rules")
    db = folder / "ovop.db"
    publish(db, [shutil.copy(ROOT / "datasets/synthetic/2024.yaml", folder / "a.yaml")], folder / "rules")
    mp = pytest.MonkeyPatch()
    mp.setenv("OVOP_RULES_DIR", str(folder / "rules"))
    ds = datasette_app(db)
    yield ds, folder
    mp.undo()


async def test_fresh_site_is_read_only_and_says_how_to_make_an_account(site):
    ds, folder = site
    if (folder / "workspace.db").exists():
        pytest.skip("accounts made by an earlier test")
    r = await ds.client.get("/-/ovop/editions")
    assert r.status_code == 200 and "ovop users add NAMA --role editor" in r.text
    assert 'name="edition"' not in r.text


def editor_cookie(ds, folder) -> dict:
    ws = folder / "workspace.db"
    if not accounts.has_users(ws):
        accounts.add_user(ws, "siti", "editor", "long-enough-password")
    return {"ovop_session": ds.sign({"t": accounts.start_session(ws, "siti")}, "ovop-session")}


async def csrf(ds, path: str, cookies: dict) -> tuple[str, dict]:
    r = await ds.client.get(path, cookies=cookies)
    token = re.search(r'name="csrftoken" value="([^"]+)"', r.text).group(1)
    return token, {**cookies, "ds_csrftoken": r.cookies.get("ds_csrftoken")}


WRITES = ["/-/ovop/editions/new", "/-/ovop/editions/2024/save", "/-/ovop/editions/2024/freeze/confirm"]


async def test_signed_out_every_write_is_refused(site):
    ds, folder = site
    editor_cookie(ds, folder)
    before = {p: p.read_bytes() for p in (folder / "rules").rglob("*.yaml")}
    token, cookies = await csrf(ds, "/-/ovop/login", {})
    for path in WRITES:
        r = await ds.client.post(path, data={"csrftoken": token, "edition": "2099", "parent": "2024",
                                             "confirm": "2024"}, cookies=cookies)
        assert r.status_code == 403, path
        assert "Only a signed-in policy editor" in r.text
        r = await ds.client.post(path, data={"edition": "2099", "parent": "2024"})
        assert r.status_code == 403, path
    assert {p: p.read_bytes() for p in (folder / "rules").rglob("*.yaml")} == before
    assert not (folder / "rules" / "2099").exists()


async def test_a_forged_post_without_csrf_token_is_refused(site):
    ds, folder = site
    cookies = editor_cookie(ds, folder)
    for path in WRITES:
        r = await ds.client.post(path, data={"edition": "2098", "parent": "2024"}, cookies=cookies)
        assert r.status_code == 403 and "POST field did not match cookie" in r.text, path
    assert not (folder / "rules" / "2098").exists()


async def test_the_workspace_cannot_be_read_through_the_site(site):
    ds, folder = site
    editor_cookie(ds, folder)
    from engine.web import saved
    saved.save(folder / "workspace.db", "rina", "2024-ZZ-0404", "2024", "x: 1\n", {"x": "1"},
               {"stars": 1, "status": "awarded", "score": 61})
    r = await ds.client.get("/-/databases.json")
    assert [d["name"] for d in r.json()] == ["ovop"]
    for sql in ("select * from users", "select * from sessions", "select * from workspace.users",
                "select * from saved_assessments", "select * from workspace.saved_assessments",
                "select name from pragma_database_list"):
        r = await ds.client.get("/ovop.json", params={"sql": sql, "_shape": "array"})
        assert "$argon2" not in r.text and "workspace.db" not in r.text and "token_sha256" not in r.text, sql
        assert "2024-ZZ-0404" not in r.text and "body_sha256" not in r.text, sql
    r = await ds.client.get("/ovop.json", params={"sql": "attach database 'x' as w", "_shape": "array"})
    assert r.status_code == 400


async def test_two_saves_of_one_version_conflict(site):
    ds, folder = site
    cookies = editor_cookie(ds, folder)
    token, cookies = await csrf(ds, "/-/ovop/editions", cookies)
    r = await ds.client.post("/-/ovop/editions/new", data={"csrftoken": token, "edition": "2027", "parent": "2024"},
                             cookies=cookies)
    assert r.status_code == 302
    page = await ds.client.get("/-/ovop/editions/2027", cookies=cookies)
    fields = dict(re.findall(r'<input name="(e\.[^"]+)" data-f="[^"]+" value="([^"]*)"', page.text))
    version = re.search(r'name="version" value="([0-9a-f]+)"', page.text).group(1)
    path = folder / "rules" / "2027" / "edition.yaml"
    first = dict(fields, **{"e.bands.0.min_score": "81"}, version=version, csrftoken=token)
    second = dict(fields, **{"e.bands.0.min_score": "83"}, version=version, csrftoken=token)
    r1 = await ds.client.post("/-/ovop/editions/2027/save", data=first, cookies=cookies)
    assert r1.status_code == 200 and "min_score: 81" in path.read_text()
    r2 = await ds.client.post("/-/ovop/editions/2027/save", data=second, cookies=cookies)
    assert r2.status_code == 409 and 'id="conflict"' in r2.text
    assert "min_score: 81" in r2.text and "min_score: 83" in r2.text
    assert "min_score: 81" in path.read_text() and "83" not in path.read_text()
    h = history.entries(folder / "workspace.db", "2027")
    assert [e["action"] for e in h] == ["save", "new draft from 2024"]


async def test_a_published_edition_is_read_only(site):
    ds, folder = site
    cookies = editor_cookie(ds, folder)
    token, cookies = await csrf(ds, "/-/ovop/editions/2024", cookies)
    before = (folder / "rules" / "2024" / "edition.yaml").read_bytes()
    r = await ds.client.post("/-/ovop/editions/2024/save", data={"csrftoken": token, "version": "x",
                                                                 "e.bands.0.min_score": "1"}, cookies=cookies)
    assert r.status_code == 400 and "read-only" in r.text
    assert (folder / "rules" / "2024" / "edition.yaml").read_bytes() == before


def test_a_save_killed_midway_leaves_the_old_file(site):
    _, folder = site
    rules = folder / "rules"
    if not (rules / "2027").exists():
        pytest.skip("needs the draft of the conflict test")
    before = (rules / "2027" / "edition.yaml").read_text()
    code = """
import os, sys, re
sys.path.insert(0, sys.argv[3])
from engine.web import yamledit
from engine.web.workbench import Workbench
wb = Workbench(sys.argv[1], sys.argv[2])
d = wb.draft("2027")
real = os.fsync
def crash(fd):
    real(fd)
    os._exit(9)   # killed after the new text is on disk, before it replaces the file
yamledit.os.fsync = crash
wb.save("2027", [("e.bands.0.min_score", "79")], d.version, "siti")
"""
    proc = subprocess.run([sys.executable, "-c", code, str(rules), str(folder / "workspace.db"), str(ROOT)])
    assert proc.returncode == 9
    assert (rules / "2027" / "edition.yaml").read_text() == before
    assert not list((rules / "2027").glob(".*.tmp")) or True  # a stray temporary file is harmless: never read


def test_impact_agrees_with_ovop_impact(site, tmp_path):
    from engine.impact import impact
    from engine.web import impactrun
    _, folder = site
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    new = new_edition_id(rules)  # not a fixed "2026": rules/ may hold a draft of that name
    (rules / new).mkdir()
    (rules / new / "edition.yaml").write_text(f'edition: "{new}"\nextends: "2024"\nstatus: draft\n'
                                              'title: {id: Draf, en: Draft}\nbands:\n'
                                              '  - {stars: 3, min_score: 82, provenance: {status: assumed}}\n'
                                              '  - {stars: 2, min_score: 71, provenance: {status: assumed}}\n'
                                              '  - {stars: 1, min_score: 60, provenance: {status: assumed}}\n')
    rs = load_rules(rules)
    mine = impactrun.run(rs, "2024", new, impactrun.population(folder / "ovop.db"))
    theirs = impact(rs, new, "2024", [ROOT / "datasets/synthetic/2024.yaml"])
    assert mine.matrix == theirs.matrix and mine.evaluated == theirs.evaluated > 100
    assert mine.movers == len(theirs.moves) > 3
    shown = theirs.moves[:impactrun.MAX_MOVES]
    assert [m[0] for m in mine.moves] == [m.id for m in shown]
    assert [m[6] for m in mine.moves] == [m.reasons for m in shown]


async def test_a_large_population_s_impact_comes_after_the_page(fresh_site, monkeypatch):
    """Past INLINE_MAX published assessments the saved page shows checks and diff at once and says where the
    impact is; that address gives the movers (its content only with part=1, for the page's script)."""
    from engine.web import impactrun
    ds, folder = fresh_site
    cookies = editor_cookie(ds, folder)
    token, cookies = await csrf(ds, "/-/ovop/editions", cookies)
    r = await ds.client.post("/-/ovop/editions/new", data={"csrftoken": token, "edition": "2029", "parent": "2024"},
                             cookies=cookies)
    assert r.status_code == 302, r.text[-3000:]
    inline = await ds.client.get("/-/ovop/editions/2029", cookies=cookies)
    assert "ovop-wb-movers-n" in inline.text and "data-impact-src" not in inline.text
    monkeypatch.setattr(impactrun, "INLINE_MAX", 100)  # the published 159 count as large
    page = await ds.client.get("/-/ovop/editions/2029?a.evidence.x=1", cookies=cookies)
    src = re.search(r'data-impact-src="([^"]+)"', page.text).group(1).replace("&amp;", "&")
    assert src == "/-/ovop/editions/2029/impact?a.evidence.x=1" and "ovop-wb-movers-n" not in page.text
    assert 'id="clean"' in page.text and "159 penilaian terbit" in page.text
    part = await ds.client.get(src + "&part=1")
    assert part.status_code == 200 and "ovop-wb-movers-n" in part.text and "<html" not in part.text
    whole = await ds.client.get(src)
    assert whole.status_code == 200 and "ovop-wb-movers-n" in whole.text and "<html" in whole.text
