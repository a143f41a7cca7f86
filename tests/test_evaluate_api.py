"""POST /-/ovop/evaluate gives what the CLI gives: every sample's outcomes, every malformed file's errors."""
from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import pytest

from engine import api
from engine.errors import OvopError
from engine.inputs import read
from engine.web.evaluate_api import LIMIT, evaluate_text, split_path
from engine.web.site import datasette_app

ROOT = Path(__file__).resolve().parent.parent
SAMPLES = sorted((ROOT / "datasets" / "samples").glob("*.yaml"))
BROKEN = sorted(p for p in (ROOT / "tests" / "broken_assessments").iterdir() if not p.name.endswith(".expected.txt"))
JSON_NUMBER = re.compile(r"^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$")


def as_json(path: Path) -> str | None:
    """An assessment file as the JSON text an API client would send (decimals as written); None when the
    file does not read at all (a YAML syntax problem has no JSON equivalent)."""
    if path.suffix == ".json":
        return path.read_text(encoding="utf-8")
    try:
        source = read(path)
    except OvopError:
        return None
    return _emit(source.located.data, (), source.texts)


def _emit(node, at: tuple, texts: dict) -> str:
    if isinstance(node, dict):
        return "{" + ", ".join(f"{json.dumps(str(k))}: {_emit(v, at + (k,), texts)}" for k, v in node.items()) + "}"
    if isinstance(node, list):
        return "[" + ", ".join(_emit(v, at + (i,), texts) for i, v in enumerate(node)) + "]"
    if isinstance(node, float) and math.isfinite(node) and JSON_NUMBER.match(texts.get(at, "")):
        return texts[at]
    return json.dumps(node, ensure_ascii=False, default=str)


def cli_errors(path: Path, lang: str = "id") -> list[dict]:
    """The errors of `ovop evaluate --lang <lang>` (message, allowed) and of `--lang en` (message_en, allowed_en)."""
    from engine.errors import say
    from engine.inputs import localized, messages
    with pytest.raises(OvopError) as exc:
        api.evaluate_files([path], ROOT / "rules")
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        data = None
    items = data if isinstance(data, list) else [data]
    from engine.inputs import item_label
    labels = [item_label(raw, f"item {n}" if isinstance(data, list) else "") for n, raw in enumerate(items, 1)]
    out = []
    for d in localized(exc.value.diagnostics):
        ident, field = split_path(d.path, labels)
        words = {f"{k}{tail}": say(getattr(d, k), said).replace(str(path), "<request>") if getattr(d, k) else None
                 for k in ("message", "allowed") for said, tail in ((lang, ""), ("en", "_en"))}
        out.append({"id": say(messages.place(ident), lang) if ident else None, "field": field, **words})
    return out


@pytest.mark.parametrize("sample", SAMPLES, ids=lambda p: p.stem)
def test_api_outcomes_are_the_cli_outcomes(sample, tmp_path):
    text = as_json(sample)
    status, outcomes = evaluate_text(text)
    assert status == 200
    cli = json.loads(api.outcomes_json(api.evaluate_files([sample], ROOT / "rules")))
    assert [{k: v for k, v in o.items() if k not in ("explanation", "ahead")} for o in outcomes] == cli
    assert all(set(o["explanation"]) == {"id", "en"} for o in outcomes)
    assert [o["explanation"]["id"] for o in outcomes] == api.explain_files([sample], "id", ROOT / "rules")


@pytest.mark.parametrize("broken", BROKEN, ids=lambda p: p.name)
def test_api_errors_are_the_cli_errors(broken, tmp_path):
    text = as_json(broken)
    if text is None:  # YAML that does not parse: the API's own JSON syntax errors are tested below
        return
    body = tmp_path / "body.json"
    body.write_text(text, encoding="utf-8")
    expected = [{**e, "message": e["message"].replace(str(body), "<request>")} for e in cli_errors(body)]
    status, data = evaluate_text(text)
    assert status == 400
    assert data["errors"] == expected and expected
    english = [{**e, "message": e["message"].replace(str(body), "<request>")} for e in cli_errors(body, "en")]
    assert evaluate_text(text, lang="en") == (400, {"errors": english})
    assert [e["message"] for e in english] == [e["message_en"] for e in expected]


@pytest.mark.parametrize("edition", ["2022", "2024"])
def test_edition_override_is_the_cli_what_if(edition, tmp_path):
    """2015 under 2022 (or 2024) lacks facts: the same errors as `ovop evaluate --edition`; 2022 under 2024 evaluates."""
    for name in ("2015", "2022"):
        body = tmp_path / f"{name}.json"
        body.write_text(as_json(ROOT / "datasets" / "samples" / f"{name}.yaml"), encoding="utf-8")
        status, data = evaluate_text(body.read_text(encoding="utf-8"), edition)
        try:
            cli = json.loads(api.outcomes_json(api.evaluate_files([body], ROOT / "rules", edition=edition)))
        except OvopError as exc:
            assert status == 400 and [e["message_en"] for e in data["errors"]] == [d.message for d in exc.diagnostics]
            continue
        assert status == 200 and {o["edition"] for o in data} == {edition}
        assert [{k: v for k, v in o.items() if k not in ("explanation", "ahead")} for o in data] == cli


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    from engine.publish.build import publish
    folder = tmp_path_factory.mktemp("api")
    data = ROOT / "tests" / "publish_data"
    inputs = [shutil.copy(data / n, folder / n) for n in ("small.yaml",)]
    path = folder / "ovop.db"
    publish(path, inputs, ROOT / "rules")
    return path


@pytest.fixture
async def ds(db):
    app = datasette_app(db)
    await app.invoke_startup()
    return app


async def test_route_status_codes(ds):
    one = as_json(ROOT / "datasets" / "samples" / "2024.yaml")
    r = await ds.client.post("/-/ovop/evaluate", content=one, headers={"content-type": "application/json"},
                             cookies={"ds_csrftoken": "x"})  # a cookie: CSRF would apply, the route skips it
    assert r.status_code == 200, r.text[:300]
    assert [o["stars"] for o in r.json()] == [3, 2, None, 1]
    assert r.json()[2]["ahead"]["then"] == {"score": 76.0, "band_stars": 2, "stars": 2}
    r = await ds.client.get("/-/ovop/evaluate")
    assert r.status_code == 405 and "POST a JSON body" in r.json()["errors"][0]["allowed_en"]
    assert "kirim (POST) badan JSON" in r.json()["errors"][0]["allowed"]
    r = await ds.client.post("/-/ovop/evaluate", content=b"[" + b" " * LIMIT + b"]")
    assert r.status_code == 413
    r = await ds.client.post("/-/ovop/evaluate", content=b'{"id": ')
    assert r.status_code == 400 and r.json()["errors"][0]["message"].startswith("kesalahan penulisan JSON")
    assert r.json()["errors"][0]["message_en"].startswith("JSON syntax error")
    r = await ds.client.post("/-/ovop/evaluate?lang=en", content=b'{"id": ')
    assert r.status_code == 400 and r.json()["errors"][0]["message"].startswith("JSON syntax error")
    r = await ds.client.post("/-/ovop/evaluate?lang=en", content=b"[" + b" " * LIMIT + b"]")
    assert r.status_code == 413 and r.json()["errors"][0]["message"].endswith("is over the limit")
    r = await ds.client.post("/-/ovop/evaluate?edition=1999", content=one)
    assert r.status_code == 400 and "1999" in r.json()["errors"][0]["message"]


async def test_route_answers_what_evaluate_text_gives(ds):
    """The route serializes outcomes itself (pydantic, then the additions): the same data as evaluate_text."""
    for name in ("2013", "2024"):
        body = as_json(ROOT / "datasets" / "samples" / f"{name}.yaml")
        r = await ds.client.post("/-/ovop/evaluate", content=body)
        assert r.status_code == 200 and r.json() == evaluate_text(body)[1]
    r = await ds.client.post("/-/ovop/evaluate", content=as_json(ROOT / "tests" / "broken_assessments" / "many_errors.yaml"))
    assert r.status_code == 400 and len(r.json()["errors"]) == 6


async def test_api_writes_nothing(ds, db):
    before = db.read_bytes()
    one = as_json(ROOT / "datasets" / "samples" / "2022.yaml")
    assert (await ds.client.post("/-/ovop/evaluate", content=one)).status_code == 200
    assert db.read_bytes() == before


async def test_desk_page_download_and_upload(ds, tmp_path):
    html = (await ds.client.get("/-/ovop/assess?edition=2024&commodity=makanan_minuman")).text
    assert 'data-path="gates.uji_lab_pangan"' in html and 'value="dikendalikan"' in html
    assert "Dikendalikan (dikendalikan)" in html and "rows-and-columns" not in html
    assert 'data-path="gates.uji_lab_pangan"' not in (await ds.client.get("/-/ovop/assess?edition=2024&commodity=anyaman")).text
    one = json.loads(as_json(ROOT / "datasets" / "samples" / "2024.yaml"))[0]
    r = await ds.client.post("/-/ovop/assess/download?format=yaml", content=json.dumps(one))
    assert r.status_code == 200 and 'filename="2024-JB-0007.yaml"' in r.headers["content-disposition"]
    (tmp_path / "a.yaml").write_bytes(r.content)
    assert json.loads(api.outcomes_json(api.evaluate_files([tmp_path / "a.yaml"], ROOT / "rules")))[0]["score"] == 91.33
    r = await ds.client.post("/-/ovop/assess/download?format=xlsx", content=json.dumps(one))
    assert r.status_code == 200 and r.content[:2] == b"PK"
    r = await ds.client.post("/-/ovop/assess/upload?name=penilaian.xlsx", content=r.content)
    assert r.status_code == 200, r.text[:300]
    assert [(o["id"], o["stars"], o["score"]) for o in r.json()] == [("2024-JB-0007", 3, 91.33)]
    bad = (ROOT / "tests" / "broken_assessments" / "percent_over_100.yaml").read_bytes()
    r = await ds.client.post("/-/ovop/assess/upload?name=percent_over_100.yaml", content=bad)
    assert r.status_code == 400 and r.json()["errors"][0]["where"].startswith("percent_over_100.yaml:")
    r = await ds.client.post("/-/ovop/assess/upload?name=x.exe", content=b"MZ")
    assert r.status_code == 400 and ".xlsx" in r.json()["errors"][0]["allowed"]


@pytest.mark.parametrize("edition", [None, "2024"])
def test_list_bodies_take_the_fast_check_and_read_as_the_cli_reads(edition, tmp_path):
    """A body the fast check accepts as a whole gives the assessments the CLI's checks give (nothing else is
    checked again); a body with any problem is left to the CLI's checks, which word it."""
    from engine.inputs import load_assessments
    from engine.web.evaluate_api import check_text, fast_check
    from engine.web.state import state
    st = state()
    items = [a for p in SAMPLES for a in json.loads(as_json(p))]
    if edition is not None:  # the what-if: the records whose gate facts are all there (the fast check wants them)
        items = [a for a in items if a["edition"] == "2024" or a["id"] in ("2022-BA-0001", "2022-SN-0003", "2022-KB-0004")]
    body = json.dumps(items)
    fast = fast_check(body, edition, st)
    assert fast is not None and len(fast) == len(items) >= 7
    assert {a.edition for a in fast} == ({edition} if edition else {p.stem for p in SAMPLES})
    (tmp_path / "all.json").write_text(body, encoding="utf-8")
    cli = load_assessments([tmp_path / "all.json"], st["ruleset"], edition)
    assert [a.model_dump() for a in fast] == [a.model_dump() for a in cli]
    assert [a.model_dump() for a in check_text(body, edition, st, positions=True)] == [a.model_dump() for a in cli]
    for broken in (items + [items[0]],  # an id twice
                   [dict(items[0], evidence=dict(items[0]["evidence"], bahan_baku_lokal_pct=120))],
                   [dict(items[0], extra=1)], []):
        assert fast_check(json.dumps(broken), edition, st) is None
