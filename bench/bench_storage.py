"""Benchmark: the published database's storage, old layout against new, from the same file in one run.

    .venv/bin/python bench/bench_storage.py [--n 100000] [--baseline main] [--requests 200] [--in-process]
    .venv/bin/python bench/bench_storage.py --serve DB --file FILE.jsonl [--requests 100]
    .venv/bin/python bench/bench_storage.py --profile DB [--page /ovop/outcomes]

Writes (once, kept) a synthetic population of N assessments, N/5 per edition, as JSON Lines with the command
users run (`ovop datasets synth --edition E --n N/5 --out FILE.jsonl`, then concatenated) under
build/bench_storage/. Then, for each layout (the git ref `--baseline`, exported with `git archive` to a
temporary folder and run from there with this virtualenv's Python, and this working tree):

  * `ovop publish --db DB FILE.jsonl` under /usr/bin/time -v: wall time and peak resident memory;
    `--in-process` instead streams the file's lines (json.loads) as dicts into engine.publish.publish_stream,
    the path bench_publish.py uses (no validation of the records: for sizes the CLI reader cannot reach);
  * the database's size, and the bytes of each table and index (SQLite's dbstat);
  * `ovop serve --db DB` and, over HTTP, p50/p95/max of: the unfiltered outcomes table page (its five facets
    counted), the outcomes table filtered by edition and province (five facets), and random outcome pages
    (the trace read and shown, the explanation rendered).

`--serve DB --file FILE` only serves an existing database (this tree's code) and times the same three pages,
the outcome keys and provinces sampled from FILE (the file it was published from), with the load average.
`--profile DB` serves one page in process three times and lists the SQL queries of the last with their times
(Datasette's tracer), slowest first: where a page's time goes.

Prints numbers; docs/benchmarks.md records them.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tarfile
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "build" / "bench_storage"
EDITIONS = ("2013", "2015", "2018", "2022", "2024")
PY = sys.executable
FACETS = ("edition", "commodity", "province", "stars", "status")  # site/metadata.yaml's outcomes facets
ENV = {**os.environ, "OVOP_MAX_INPUT_BYTES": str(2_000_000_000)}


def population(n: int, seed: int = 7) -> Path:
    """FILE.jsonl of n assessments (n/5 per edition), written with `ovop datasets synth` once and kept."""
    path = OUT / f"pop{n}.jsonl"
    if path.exists():
        return path
    OUT.mkdir(parents=True, exist_ok=True)
    parts = []
    for e in EDITIONS:
        part = OUT / f"pop{n}-{e}.jsonl"
        subprocess.run([PY, "-m", "engine.cli", "datasets", "synth", "--edition", e, "--n", str(n // len(EDITIONS)),
                        "--seed", str(seed), "--out", str(part)], cwd=ROOT, check=True, env=ENV, stdout=subprocess.DEVNULL)
        parts.append(part)
    with open(path.with_suffix(".tmp"), "wb") as out:
        for part in parts:
            with open(part, "rb") as fh:
                shutil.copyfileobj(fh, out)
            part.unlink()
    path.with_suffix(".tmp").replace(path)
    return path


def export(ref: str, into: Path) -> Path:
    """The tree of git ref `ref` in a folder (git archive), to run the old layout from."""
    tar = into / "tree.tar"
    subprocess.run(["git", "archive", "--format=tar", "-o", str(tar), ref], cwd=ROOT, check=True)
    with tarfile.open(tar) as t:
        t.extractall(into / "tree", filter="data")
    return into / "tree"


def ovop(tree: Path, *args: str) -> list[str]:
    return [PY, "-c", "import sys; sys.argv[0] = 'ovop'; from engine.cli import cli; cli()", *args]


def publish(tree: Path, file: Path, db: Path, in_process: bool) -> dict:
    env = {**ENV, "PYTHONPATH": str(tree)}
    if in_process:
        code = ("import json, sys; from engine.publish.build import publish_stream; from engine.rules import load_rules\n"
                "rs = load_rules('rules')\n"
                "r = publish_stream(sys.argv[1], (json.loads(l) for l in open(sys.argv[2], encoding='utf-8')), rs)\n"
                "print(r.assessments, r.trace_steps)")
        cmd = [PY, "-c", code, str(db), str(file)]
    else:
        cmd = ovop(tree, "publish", "--db", str(db), str(file))
    t = time.perf_counter()
    run = subprocess.run(["/usr/bin/time", "-v", *cmd], cwd=tree, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if run.returncode != 0:
        raise SystemExit(f"publish failed ({tree}):\n{run.stdout[-2000:]}\n{run.stderr[-2000:]}")
    peak = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", run.stderr).group(1)) / 1024
    return {"seconds": wall, "peak_mb": peak}


def sizes(db: Path) -> dict[str, int]:
    import sqlite3
    conn = sqlite3.connect(db)
    try:
        return dict(conn.execute("select name, sum(pgsize) from dbstat group by name order by 2 desc"))
    finally:
        conn.close()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def timed(client, paths: list[str]) -> dict:
    client.get(paths[0])
    times = []
    for path in paths:
        t = time.perf_counter()
        r = client.get(path)
        times.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (path, r.status_code)
    return {"p50": statistics.median(times), "p95": percentile(times, 95), "max": max(times), "n": len(times)}


def serve(tree: Path, db: Path, requests: int, keys: list[str], provinces: list[str]) -> dict:
    import httpx
    port = free_port()
    proc = subprocess.Popen(ovop(tree, "serve", "--db", str(db), "--port", str(port)), cwd=tree,
                            env={**ENV, "PYTHONPATH": str(tree)}, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(600):
            try:
                httpx.get(base + "/-/versions.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        rng = random.Random(5)
        with httpx.Client(base_url=base, timeout=60) as client:
            data = client.get("/ovop/outcomes.json?_extra=facet_results").json()
            # a facet that timed out is absent from facet_results (the JSON has no facets_timed_out)
            timed_out = sorted(set(FACETS) - set(data.get("facet_results") or {}))
            out = {"unfiltered outcomes table (5 facets)": timed(client, ["/ovop/outcomes"] * requests)}
            out["filtered by edition and province (5 facets)"] = timed(client, [
                f"/ovop/outcomes?edition={rng.choice(EDITIONS)}&province={urllib.parse.quote(rng.choice(provinces))}"
                for _ in range(requests)])
            out["outcome page"] = timed(client, [f"/ovop/outcomes/{urllib.parse.quote(k.replace('/', '~2F'), safe='~')}"
                                                 for k in rng.sample(keys, min(requests, len(keys)))])
            out["facets timed out (unfiltered)"] = timed_out
        return out
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def serve_only(db: Path, file: Path, requests: int) -> None:
    keys, provinces = sample(file, requests)
    size = db.stat().st_size
    print(f"database {db}: {size / 1e6:.1f} MB; load average before {os.getloadavg()}")
    for what, s in serve(ROOT, db, requests, keys, provinces).items():
        print(f"   {what}: {s}" if isinstance(s, list) else
              f"   {what}: n={s['n']} p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms, max {s['max']:.1f} ms")
    print(f"load average after {os.getloadavg()}")


def profile(db: Path, page: str) -> None:
    import asyncio
    import datasette.tracer as tracer
    from engine.web.site import datasette_app
    tracer.get_task_id = lambda: 0  # the test client may answer in another task: collect every query
    ds = datasette_app(db)

    async def run() -> None:
        await ds.invoke_startup()
        for database in ds.databases.values():
            await database.table_counts(limit=3_600_000)  # as at server start
        for _ in range(3):
            traces: list[dict] = []
            started = time.perf_counter()
            with tracer.capture_traces(traces):
                response = await ds.client.get(page)
            wall = (time.perf_counter() - started) * 1000
        print(f"{page}: HTTP {response.status_code}, {wall:.0f} ms in process, {len(traces)} queries "
              f"{sum(t.get('duration_ms', 0) for t in traces):.1f} ms; load average {os.getloadavg()}")
        for t in sorted(traces, key=lambda t: -t.get("duration_ms", 0))[:15]:
            print(f"  {t.get('duration_ms', 0):8.1f} ms  {' '.join(str(t.get('sql')).split())[:150]}")
    asyncio.run(run())


def sample(file: Path, k: int) -> tuple[list[str], list[str]]:
    """k outcome keys spread over the file, and the provinces seen."""
    keys, provinces, rng = [], set(), random.Random(3)
    with open(file, encoding="utf-8") as fh:
        for line in fh:
            if rng.random() < 0.01 or len(keys) < 50:
                d = json.loads(line)
                keys.append(f"{d['edition']}/{d['id']}")
                provinces.add(d["ikm"]["province"])
    return rng.sample(keys, min(k, len(keys))), sorted(provinces)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--baseline", default="main", help="git ref of the old layout; 'none': only this tree")
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--in-process", action="store_true", help="publish_stream on the file's dicts, not the CLI")
    ap.add_argument("--keep", action="store_true", help="keep the databases in build/bench_storage/")
    ap.add_argument("--serve", type=Path, help="only serve this database (published from --file) and time it")
    ap.add_argument("--file", type=Path, help="with --serve: the file the database was published from")
    ap.add_argument("--profile", type=Path, help="list the SQL queries of one page of this database, timed")
    ap.add_argument("--page", default="/ovop/outcomes", help="with --profile: the page")
    args = ap.parse_args()
    if args.profile:
        profile(args.profile, args.page)
        return
    if args.serve:
        serve_only(args.serve, args.file, args.requests)
        return
    file = population(args.n)
    print(f"population: {file} ({file.stat().st_size / 1e6:.0f} MB, {args.n} assessments)")
    keys, provinces = sample(file, args.requests)
    with tempfile.TemporaryDirectory(dir=OUT) as tmp:
        layouts = [("new (this tree)", ROOT)]
        if args.baseline != "none":
            layouts.insert(0, (f"old ({args.baseline})", export(args.baseline, Path(tmp))))
        for name, tree in layouts:
            db = (OUT if args.keep else Path(tmp)) / f"{'old' if tree != ROOT else 'new'}{args.n}.db"
            if db.exists():
                db.unlink()
            p = publish(tree, file, db, args.in_process)
            size = db.stat().st_size
            print(f"\n== {name}: publish {p['seconds']:.1f} s ({args.n / p['seconds']:.0f} assessments/s), "
                  f"peak RSS {p['peak_mb']:.0f} MB; database {size / 1e6:.1f} MB ({size / args.n:.0f} bytes per "
                  f"assessment; x{1_000_000 / args.n:g}: {size / args.n * 1e6 / 1e9:.2f} GB at 1,000,000)")
            parts = sizes(db)
            print("   " + ", ".join(f"{k} {v / 1e6:.1f} MB" for k, v in list(parts.items())[:12]))
            for what, s in serve(tree, db, args.requests, keys, provinces).items():
                print(f"   {what}: {s}" if isinstance(s, list) else
                      f"   {what}: n={s['n']} p50 {s['p50']:.1f} ms, p95 {s['p95']:.1f} ms, max {s['max']:.1f} ms")


if __name__ == "__main__":
    main()
