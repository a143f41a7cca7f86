"""The save's answer to the editor's script (POST …/save?part=1) without a browser: the same route, checks,
CSRF and conflict handling as the plain form POST, but only what changes in the page."""
from __future__ import annotations

import re
from urllib.parse import urlencode

from engine.web.workbench import form_fields
from tests.test_workbench import _site, csrf, editor_cookie

import pytest

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    yield from _site(tmp_path_factory)


async def post(ds, path, pairs, cookies):
    return await ds.client.post(path, content=urlencode(pairs), headers=FORM, cookies=cookies)


async def test_the_part_answer_carries_what_changes(site):
    ds, folder = site
    cookies = editor_cookie(ds, folder)
    token, cookies = await csrf(ds, "/-/ovop/editions", cookies)
    r = await ds.client.post("/-/ovop/editions/new", data={"csrftoken": token, "edition": "2027", "parent": "2024"},
                             cookies=cookies)
    assert r.status_code == 302
    page = await ds.client.get("/-/ovop/editions/2027", cookies=cookies)
    version = re.search(r'name="version" value="([0-9a-f]+)"', page.text).group(1)
    fields = dict(form_fields(page.text), **{"e.bands.0.min_score": " 82 ", "e.criteria.0.levels.1.when": "85 <= x < 100"})
    pairs = list(fields.items()) + [("version", version), ("csrftoken", token)]
    r = await post(ds, "/-/ovop/editions/2027/save?part=1", pairs, cookies)
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/json"), r.text[:500]
    j = r.json()
    path = folder / "rules" / "2027" / "edition.yaml"
    assert "min_score: 82" in path.read_text() and j["version"] != version and not j["conflict"]
    assert j["form"] is None and j["values"] == [["e.bands.0.min_score", "82"]]
    assert [k for k, _ in j["errors"]] == ["criteria.0.levels"] and "gap" in j["errors"][0][1][0]
    assert 'id="saved"' in j["html"] and 'id="problems"' in j["html"] and "<html" not in j["html"]
    assert len(r.text) < 20_000 < len(page.text)

    stale = await post(ds, "/-/ovop/editions/2027/save?part=1", pairs, cookies)  # the old version again
    assert stale.status_code == 409 and stale.json()["conflict"] and stale.json()["form"]
    assert 'id="conflict"' in stale.json()["html"] and "min_score: 82" in path.read_text()

    mine = dict(fields, **{"e.criteria.0.levels.1.when": "80 <= x < 100"})
    fixed = await post(ds, "/-/ovop/editions/2027/save?part=1",
                       list(mine.items()) + [("version", j["version"]), ("csrftoken", token)], cookies)
    assert fixed.status_code == 200 and fixed.json()["errors"] == [] and 'id="clean"' in fixed.json()["html"]
    assert "3-star band minimum score: from 80 to 82" in fixed.json()["html"]


async def test_the_part_answer_is_refused_as_the_plain_post_is(site):
    ds, folder = site
    cookies = editor_cookie(ds, folder)
    before = {p: p.read_bytes() for p in (folder / "rules").rglob("*.yaml")}
    r = await post(ds, "/-/ovop/editions/2024/save?part=1", [("version", "x")], cookies)  # no CSRF token
    assert r.status_code == 403 and "POST field did not match cookie" in r.text
    token, signed_out = await csrf(ds, "/-/ovop/login", {})
    r = await post(ds, "/-/ovop/editions/2024/save?part=1", [("version", "x"), ("csrftoken", token)], signed_out)
    assert r.status_code == 403 and "Only a signed-in policy editor" in r.text
    token, cookies = await csrf(ds, "/-/ovop/editions/2024", cookies)
    r = await post(ds, "/-/ovop/editions/2024/save?part=1", [("version", "x"), ("csrftoken", token)], cookies)
    assert r.status_code == 400 and "read-only" in r.text and not r.headers["content-type"].startswith("application/json")
    assert {p: p.read_bytes() for p in (folder / "rules").rglob("*.yaml")} == before
