"""Benchmarks of the assessor desk and the evaluate API, through Datasette's own ASGI client (server time).

  .venv/bin/python bench/bench_desk.py [--changes 300] [--list 1000] [--repeat 1]

desk: one assessment posted again after each field change (the desk's request), p50/p95/max in ms;
api: a list of N assessments in one POST (outcomes with both explanations and the ranked ways), assessments/s;
--repeat R posts the list R times (one figure each: the spread on a shared machine), each with the CPU time
of this process (client and server are one process): wall time over CPU time is what other load took.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))


def _samples() -> list[dict]:
    from test_evaluate_api import as_json
    out = []
    for path in sorted((ROOT / "datasets" / "samples").glob("*.yaml")):
        out += json.loads(as_json(path))
    return out


async def _run(changes: int, size: int, repeat: int = 1) -> dict:
    from engine.publish.build import publish
    from engine.web.site import datasette_app
    with tempfile.TemporaryDirectory() as tmp:
        db = Path(tmp) / "ovop.db"
        publish(db, [ROOT / "datasets" / "samples" / "2024.yaml"], ROOT / "rules", check=0)
        ds = datasette_app(db)
        await ds.invoke_startup()
        samples = _samples()
        one = next(a for a in samples if a["id"] == "2024-NB-0002")
        await ds.client.post("/-/ovop/evaluate", content=json.dumps(one))  # warm: rules read, editions compiled
        rng = random.Random(7)
        times = []
        for _ in range(changes):
            a = json.loads(json.dumps(one))
            a["evidence"]["bahan_baku_lokal_pct"] = rng.randint(0, 100)
            a["evidence"]["jangkauan_pasar"] = rng.choice(["lokal", "nasional", "ekspor"])
            body = json.dumps(a)
            t = time.perf_counter()
            r = await ds.client.post("/-/ovop/evaluate", content=body)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200
        batch = []
        for n in range(size):
            a = json.loads(json.dumps(samples[n % len(samples)]))
            a["id"] = f"{a['id']}-{n}"
            batch.append(a)
        body = json.dumps(batch)
        runs, cpu = [], []
        for _ in range(repeat):
            t, c = time.perf_counter(), time.process_time()
            r = await ds.client.post("/-/ovop/evaluate", content=body)
            runs.append(time.perf_counter() - t)
            cpu.append(time.process_time() - c)
            assert r.status_code == 200 and len(r.json()) == size, r.text[:300]
        times.sort()
        return {"changes": changes, "p50_ms": statistics.median(times), "p95_ms": times[int(0.95 * len(times)) - 1],
                "max_ms": times[-1], "list": size, "list_seconds": runs, "assessments_per_s": [size / s for s in runs], "cpu_seconds": cpu,
                "body_bytes": len(body), "out_bytes": len(r.content)}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--changes", type=int, default=300)
    ap.add_argument("--list", type=int, default=1000)
    ap.add_argument("--repeat", type=int, default=1)
    args = ap.parse_args()
    res = asyncio.run(_run(args.changes, args.list, args.repeat))
    print(f"desk: {res['changes']} field changes, server time p50 {res['p50_ms']:.1f} ms, "
          f"p95 {res['p95_ms']:.1f} ms, max {res['max_ms']:.1f} ms (target p95 <= 100 ms)")
    for seconds, rate, cpu in zip(res["list_seconds"], res["assessments_per_s"], res["cpu_seconds"]):
        print(f"api: {res['list']} assessments in one POST ({res['body_bytes']:,} bytes in, {res['out_bytes']:,} out) "
              f"in {seconds:.2f} s: {rate:.0f} assessments/s (target >= 500); CPU {cpu:.2f} s of this process "
              f"({res['list'] / cpu:.0f} per CPU second)")


if __name__ == "__main__":
    main()
