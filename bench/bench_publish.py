"""Benchmark: publish N synthetic assessments through the batch path, then page latency of the served site.

    .venv/bin/python bench/bench_publish.py [--n 100000] [--requests 300] [--what-if] [--keep DB] [--serve-only DB]

Assessments are generated in this process, as a stream of dicts, by perturbing valid values (seeded),
across the five editions in key order; nothing is read from datasets/ and the population is never held
in memory. Prints numbers; docs/benchmarks.md records them.
"""
from __future__ import annotations

import argparse
import cProfile
import pstats
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path
from typing import Iterator

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.publish.build import publish_stream  # noqa: E402
from engine.rules.resolve import load_rules  # noqa: E402

PROVINCES = ["Jawa Barat", "Jawa Tengah", "Jawa Timur", "Bali", "Nusa Tenggara Barat", "Sumatera Barat",
             "Sulawesi Utara", "Kalimantan Barat", "DI Yogyakarta", "Sumatera Utara"]


def value_for(ev, rng: random.Random):
    if ev.type == "enum":
        return rng.choice(ev.codes).code
    lo = ev.min if ev.min is not None else 0
    hi = ev.max if ev.max is not None else max(lo + 10, {"omzet_tahunan_juta": 5000}.get(ev.name, 15))
    if ev.type == "integer":
        return rng.randint(int(lo), int(hi))
    return round(rng.uniform(lo, hi), 1)


def gate_value(g, rng: random.Random):
    ok = rng.random() > 0.05
    if g.type == "boolean":
        return ok
    return rng.randint(5, 40) if ok else rng.randint(0, 4)


def synthetic(ruleset, n: int, seed: int = 11) -> Iterator[dict]:
    """N valid assessments as dicts, edition by edition in id order; ~5% fail a gate; 2024 ones may carry a 2022 result."""
    rng, editions = random.Random(seed), sorted(ruleset.editions)
    per = [n // len(editions) + (1 if k < n % len(editions) else 0) for k in range(len(editions))]
    for e, count in zip(editions, per):
        ed = ruleset.editions[e].model
        gates = {c.code: ed.gates_for(c.code) for c in ed.commodities}
        for i in range(count):
            commodity = rng.choice(ed.commodities).code
            firm = rng.randrange(n // 3 + 1)
            data = {"id": f"{ed.edition}-B-{i:07d}", "edition": ed.edition,
                    "ikm": {"name": f"IKM Sintetis {firm}", "province": PROVINCES[firm % len(PROVINCES)],
                            "regency": f"Kabupaten Contoh {firm % 97}", "commodity": commodity, "product": "produk contoh"},
                    "gates": {g.fact: gate_value(g, rng) for g in gates[commodity]},
                    "evidence": {c.evidence.name: value_for(c.evidence, rng) for c in ed.criteria}}
            if ed.edition == "2024" and rng.random() < 0.5:
                data["previous"] = {"edition": "2022", "stars": rng.randint(0, 3)}
            yield data


def sample_keys(ruleset, n: int, k: int, rng: random.Random) -> list[str]:
    """k outcome keys of the generated population, without generating it again."""
    editions = sorted(ruleset.editions)
    per = [n // len(editions) + (1 if j < n % len(editions) else 0) for j in range(len(editions))]
    picks = []
    for _ in range(k):
        j = rng.randrange(len(editions))
        picks.append(f"{editions[j]}/{editions[j]}-B-{rng.randrange(per[j]):07d}")
    return picks


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


def latency(base: str, paths: list[str]) -> dict[str, float]:
    import httpx
    times = []
    with httpx.Client(base_url=base, timeout=30) as client:
        client.get(paths[0])  # warm-up
        for path in paths:
            t = time.perf_counter()
            r = client.get(path)
            times.append((time.perf_counter() - t) * 1000)
            assert r.status_code == 200, (path, r.status_code)
    return {"p50_ms": statistics.median(times), "p95_ms": percentile(times, 95), "max_ms": max(times), "n": len(times)}


def serve_and_measure(db: Path, keys: list[str], requests: int, rng: random.Random) -> dict[str, dict]:
    import httpx
    port = free_port()
    proc = subprocess.Popen([str(Path(sys.executable).parent / "ovop"), "serve", "--db", str(db), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(300):
            try:
                httpx.get(base + "/-/versions.json", timeout=1)
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        outcome = [f"/ovop/outcomes/{urllib.parse.quote(k.replace('/', '~2F'), safe='~')}" for k in keys[:requests]]
        facets = [f"/ovop/outcomes?edition={e}&province={urllib.parse.quote(p)}"
                  for e, p in ((rng.choice(["2013", "2015", "2018", "2022", "2024"]), rng.choice(PROVINCES)) for _ in range(requests))]
        return {"outcome page": latency(base, outcome), "faceted outcomes table": latency(base, facets),
                "faceted outcomes table (unfiltered)": latency(base, ["/ovop/outcomes"] * requests)}
    finally:
        proc.terminate()
        proc.wait(timeout=10)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--requests", type=int, default=300)
    ap.add_argument("--check", type=int, default=200, help="assessments re-evaluated through durable_rules")
    ap.add_argument("--what-if", action="store_true", help="also every assessment under every other edition")
    ap.add_argument("--keep", default=None, help="write the database here (a file named ovop.db) and keep it")
    ap.add_argument("--no-serve", action="store_true")
    ap.add_argument("--serve-only", default=None, metavar="DB",
                    help="do not publish: measure page latency of an existing database (an ovop.db built with --keep)")
    ap.add_argument("--profile", action="store_true", help="profile publishing")
    args = ap.parse_args()
    ruleset = load_rules(ROOT / "rules")
    if args.serve_only:
        measure(Path(args.serve_only), ruleset, args)
        return
    with tempfile.TemporaryDirectory(dir=ROOT / "build" if (ROOT / "build").is_dir() else None) as tmp:
        db = Path(args.keep) if args.keep else Path(tmp) / "ovop.db"
        prof = cProfile.Profile() if args.profile else None
        t = time.perf_counter()
        if prof:
            prof.enable()
        report = publish_stream(db, synthetic(ruleset, args.n), ruleset, check=args.check, what_if=args.what_if)
        if prof:
            prof.disable()
            pstats.Stats(prof).sort_stats("tottime").print_stats(25)
        wall = time.perf_counter() - t
        print(f"generated and published {report.assessments} outcomes, {report.trace_steps} trace steps"
              f"{f', {report.what_if} what-if outcomes, {report.what_if_missing} what-if missing' if args.what_if else ''}"
              f" ({report.checked} checked against durable_rules): {wall:.1f} s "
              f"({report.assessments / wall:.0f} assessments/s); database {db.stat().st_size / 1e6:.0f} MB "
              f"({db.stat().st_size / report.assessments:.0f} bytes per assessment); peak RSS {peak_rss_mb():.0f} MB")
        if not args.no_serve:
            measure(db, ruleset, args)


def measure(db: Path, ruleset, args) -> None:
    """Page latency of a served database; --n must be the N it was published with (the outcome keys sampled)."""
    for name, stats in serve_and_measure(db, sample_keys(ruleset, args.n, args.requests, random.Random(5)),
                                         args.requests, random.Random(5)).items():
        print(f"{name}: n={stats['n']} p50 {stats['p50_ms']:.1f} ms, p95 {stats['p95_ms']:.1f} ms, max {stats['max_ms']:.1f} ms")


def peak_rss_mb() -> float:
    import resource
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


if __name__ == "__main__":
    main()
