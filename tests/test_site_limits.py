"""The site's SQL bounded (site/plugins/ovop_limits.py): printf widths, fts3_tokenizer, bad _sort, streams."""
from __future__ import annotations

import asyncio
import os
import shutil
import sqlite3
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from engine.publish.build import publish
from engine.web.site import datasette_app, serve_command

ROOT = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "publish_data"
PRINTF = "/ovop.json?sql=select+length(printf('%25.*c',1000000000,'x'))"


@pytest.fixture(scope="module")
def db(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("site_limits")
    inputs = [shutil.copy(DATA / n, folder / n) for n in ("small.yaml", "rounds.json")]
    path = folder / "ovop.db"
    publish(path, inputs, ROOT / "rules")
    return path


@pytest.fixture
async def ds(db):
    app = datasette_app(db)
    await app.invoke_startup()
    return app


async def test_printf_with_a_huge_width_is_refused_at_once(ds):
    started = time.perf_counter()
    response = await ds.client.get(PRINTF)
    assert response.status_code == 400, response.text[:300]
    assert time.perf_counter() - started < 1.0


async def test_printf_within_bounds_is_sqlites_own(ds):
    response = await ds.client.get("/ovop.json?sql=select+printf('%25.2f|%25*d|%25s|%25%25',3.14159,5,42,'a')+as+x"
                                   "&_shape=array")
    assert response.status_code == 200, response.text[:300]
    assert response.json() == [{"x": "3.14|   42|a|%"}]
    response = await ds.client.get("/ovop.json?sql=select+format('%25.*c',3,'x')+as+x&_shape=array")
    assert response.json() == [{"x": "xxx"}]


@pytest.mark.parametrize("sql", ["select+fts3_tokenizer('simple')", "select+fts3_tokenizer('x',+x'00')",
                                 "select+FTS3_TOKENIZER('simple')"])
async def test_fts3_tokenizer_is_not_available(ds, sql):
    response = await ds.client.get(f"/ovop.json?sql={sql}")
    assert response.status_code == 400, response.text[:300]
    assert "rows" not in response.json() or not response.json()["rows"]


@pytest.mark.parametrize("param", ["_sort", "_sort_desc"])
async def test_bad_sort_is_a_400_naming_the_columns(ds, param):
    for path in (f"/ovop/outcomes?{param}=nope", f"/ovop/outcomes.json?{param}=nope", f"/ovop/trace?{param}=x]"):
        response = await ds.client.get(path)
        assert response.status_code == 400, (path, response.status_code, response.text[:300])
        assert "cannot sort by that column" in response.text
    ok = await ds.client.get(f"/ovop/outcomes.json?{param}=score")
    assert ok.status_code == 200


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _serve(db: Path) -> tuple[str, subprocess.Popen]:
    port = _port()
    proc = subprocess.Popen(serve_command(db, port=port), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    for _ in range(100):
        try:
            httpx.get(base + "/-/versions.json", timeout=1)
            break
        except httpx.HTTPError:
            time.sleep(0.1)
    return base, proc


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


@pytest.fixture(scope="module")
def server(db):
    base, proc = _serve(db)
    yield base
    proc.terminate()
    proc.wait(10)


@pytest.fixture(scope="module")
def big_db(db, tmp_path_factory) -> Path:
    """The published database plus a table of 2,000,000 rows: a stream of it pages for a long time."""
    path = tmp_path_factory.mktemp("site_limits_big") / "ovop.db"
    shutil.copy(db, path)
    conn = sqlite3.connect(path)
    conn.execute("create table big as with recursive c(i) as (select 1 union all select i + 1 from c "
                 "where i < 2000000) select i, i * i as sq from c")
    conn.commit()
    conn.close()
    return path


@pytest.fixture(scope="module")
def big_server(big_db):
    base, proc = _serve(big_db)
    yield base, proc
    proc.terminate()
    proc.wait(10)


def test_printf_answers_within_2_s_while_another_request_is_served(server):
    async def run():
        async with httpx.AsyncClient(base_url=server, timeout=10) as client:
            async def timed(path):
                started = time.perf_counter()
                response = await client.get(path)
                return response.status_code, time.perf_counter() - started
            return await asyncio.gather(*[timed(PRINTF) for _ in range(3)], timed("/ovop/outcomes.json"))
    results = asyncio.run(run())
    assert [status for status, _ in results] == [400, 400, 400, 200]
    assert max(seconds for _, seconds in results) < 2.0


def test_an_abandoned_stream_stops_its_query(big_server):
    """A CSV stream of a 2,000,000-row table, abandoned after the first bytes: the server does no more work
    (without the cancel it went on paging: 0.7 s of CPU in the next 2 s) and answers at once."""
    base, proc = big_server
    with httpx.stream("GET", f"{base}/ovop/big.csv?_stream=on&_size=max", timeout=10) as response:
        next(response.iter_bytes())
    time.sleep(0.3)
    before = _cpu_seconds(proc.pid)
    time.sleep(1.0)
    assert _cpu_seconds(proc.pid) - before < 0.2
    started = time.perf_counter()
    assert httpx.get(base + "/ovop/outcomes.json", timeout=10).status_code == 200
    assert time.perf_counter() - started < 1.0


async def test_a_request_body_past_the_limit_is_a_413(ds, monkeypatch):
    monkeypatch.setenv("OVOP_MAX_BODY_BYTES", "1000")
    response = await ds.client.post("/ovop/outcomes", content=b"x" * 1001)
    assert response.status_code == 413
    assert response.text == ("isi permintaan terlalu besar / request body too large: more than 1,000 bytes; allowed: "
                             "at most 1,000 bytes (OVOP_MAX_BODY_BYTES)")
    response = await ds.client.post("/ovop/outcomes", content=b"x" * 1000)
    assert response.status_code != 413
    # the routes that bound their body themselves (5 MB) keep their own limit and words
    response = await ds.client.post("/-/ovop/evaluate", content=b"[" + b" " * 5000 + b"]")
    assert response.status_code != 413, response.text[:300]


def test_a_body_sent_without_a_declared_length_stops_at_the_limit(server):
    """Chunked, no Content-Length: the server stops reading at the limit (1 MiB) and answers 413."""
    def chunks():
        for _ in range(40):
            yield b"x" * 65536  # 2.5 MiB in all
    response = httpx.post(server + "/-/messages", content=chunks(), timeout=10)  # a view that reads its body
    assert response.status_code == 413
    assert response.text.startswith("isi permintaan terlalu besar / request body too large: more than 1,048,576 bytes")


@pytest.mark.parametrize("number, message", [
    ("1e999999999", "eksponen terlalu besar / exponent too large: e999999999"),
    ("9" * 5000, "angka terlalu panjang / number too long: 999999999999999999999999\u2026 (5,000 characters)")])
async def test_the_evaluate_api_names_the_id_and_field_of_a_number_past_the_limits(ds, number, message):
    body = '[{"id": "2013-JT-0001", "edition": "2013", "evidence": {"x": %s}}]' % number
    response = await ds.client.post("/-/ovop/evaluate", content=body.encode(),
                                    headers={"content-type": "application/json"})
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert {k: error[k] for k in ("id", "field", "message", "allowed", "allowed_en")} == {
        "id": "2013-JT-0001", "field": "evidence.x", "message": message,
        "allowed": "angka paling banyak 100 digit, eksponen dari -400 sampai 400",
        "allowed_en": "numbers of at most 100 digits, exponents from -400 to 400"}


def test_after_an_abandoned_stream_the_server_stops_at_once_on_sigterm(big_db):
    """The issue: an abandoned `_stream=on` CSV kept the server busy and deaf to SIGTERM (14 s here without
    the cancel)."""
    base, proc = _serve(big_db)
    try:
        with httpx.stream("GET", f"{base}/ovop/big.csv?_stream=on&_size=max", timeout=10) as response:
            next(response.iter_bytes())
        time.sleep(0.3)
        started = time.perf_counter()
        proc.terminate()
        proc.wait(10)
        assert time.perf_counter() - started < 3.0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
