"""Benchmark: the criteria workbench.

    .venv/bin/python bench/bench_workbench.py [--saves 40] [--n 100000] [--edits 5]

1. Save -> checks + diff: a draft 2026 extending 2024 in a temporary copy of rules/; each save posts the
   whole form (every field of the effective edition, as the browser sends it) with the 3-star band moved,
   writes the YAML (round trip, fsync, rename), records the history, runs the checks of `ovop rules check`
   over every edition, maps them to fields, renders the form and computes the diff against 2024.
   The same save through the route users call (POST /-/ovop/editions/2026/save on Datasette's own ASGI
   client, signed in, with the CSRF token): the page it answers also carries the impact on the published
   assessments (here datasets/synthetic/2024.yaml, published into a temporary database).
2. Impact of an edit on N assessments (synthetic, edition 2024, seeded, as raw records like the published
   database's inputs) through the batch path: the first run builds the base side (kept between edits);
   each following edit (a new rule set with another 3-star threshold) is timed.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.rules import load_rules, new_edition  # noqa: E402
from engine.web import form, impactrun  # noqa: E402
from engine.web.workbench import Workbench  # noqa: E402


def pairs_of(data: dict, prefix: str = "e") -> list[tuple[str, str]]:
    """The form fields of an effective edition (as the rendered form names them)."""
    out = []
    if isinstance(data, dict):
        items = data.items()
    elif isinstance(data, list):
        items = enumerate(data)
    else:
        value = "" if data is None else ("true" if data is True else "false" if data is False else
                                         ", ".join(map(str, data)) if isinstance(data, list) else str(data))
        return [(prefix, value)]
    for k, v in items:
        if isinstance(v, list) and all(not isinstance(x, (dict, list)) for x in v):
            out.append((f"{prefix}.{k}", ", ".join(map(str, v))))
        else:
            out += pairs_of(v, f"{prefix}.{k}")
    return out


def map_rows(data: dict) -> dict:
    """sources and weights as the form's key/value rows."""
    d = dict(data)
    d["sources"] = [dict(key=k, **v) for k, v in d.get("sources", {}).items()]
    d["score"] = dict(d["score"], weights=[{"key": k, "value": v} for k, v in (d["score"].get("weights") or {}).items()])
    return d


def pct(values: list[float], p: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100 * (len(values) - 1))))]


def bench_saves(n: int) -> list[float]:
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        shutil.copytree(ROOT / "rules", rules)
        new_edition(rules, "2026", "2024")
        wb = Workbench(rules, Path(tmp) / "workspace.db")
        times = []
        for i in range(n):
            d = wb.draft("2026")
            eff = map_rows(d.effective)
            eff["bands"][0]["min_score"] = 80 + (i % 5)
            fields = [(k, v) for k, v in pairs_of({k: eff[k] for k in eff if k not in ("edition", "extends", "status")})]
            start = time.perf_counter()
            saved = wb.save("2026", fields, d.version, "bench")
            checked = wb.check(saved)
            form.Renderer(saved.sources).form(saved.effective, checked.by_field)
            diff = wb.diff(saved, checked.ruleset)
            times.append((time.perf_counter() - start) * 1000)
            assert diff and not checked.problems, checked.problems
        return times


async def _route_saves(n: int) -> list[float]:
    import re
    from engine.publish.build import publish
    from engine.web import accounts
    from engine.web.site import datasette_app
    import os
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        shutil.copytree(ROOT / "rules", rules)
        new_edition(rules, "2026", "2024")
        db = Path(tmp) / "ovop.db"
        publish(db, [ROOT / "datasets" / "synthetic" / "2024.yaml"], rules, check=0)
        os.environ["OVOP_RULES_DIR"] = str(rules)
        ds = datasette_app(db)
        await ds.invoke_startup()
        ws = accounts.workspace_for(db)
        accounts.add_user(ws, "bench", "editor", "bench-password-1")
        cookies = {"ovop_session": ds.sign({"t": accounts.start_session(ws, "bench")}, "ovop-session")}
        wb = Workbench(rules, ws)
        times = []
        for i in range(n + 1):
            page = await ds.client.get("/-/ovop/editions/2026", cookies=cookies)
            token = re.search(r'name="csrftoken" value="([^"]+)"', page.text).group(1)
            jar = {**cookies, "ds_csrftoken": page.cookies.get("ds_csrftoken")}
            d = wb.draft("2026")
            eff = map_rows(d.effective)
            eff["bands"][0]["min_score"] = 80 + (i % 5)
            fields = pairs_of({k: eff[k] for k in eff if k not in ("edition", "extends", "status")})
            data = dict(fields, version=d.version, csrftoken=token)
            start = time.perf_counter()
            r = await ds.client.post("/-/ovop/editions/2026/save", data=data, cookies=jar)
            took = (time.perf_counter() - start) * 1000
            assert r.status_code == 200 and 'id="saved"' in r.text and 'id="clean"' in r.text, r.text[:500]
            if i:  # the first save also reads the published assessments once
                times.append(took)
        return times


def bench_route_saves(n: int) -> list[float]:
    import asyncio
    return asyncio.run(_route_saves(n))


def bench_impact(n: int, edits: int) -> tuple[float, list[float], int]:
    from engine.synth import stream
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        shutil.copytree(ROOT / "rules", rules)
        new_edition(rules, "2026", "2024")
        rs = load_rules(rules)
        raws = [r for chunk in stream(rs, "2024", n, seed=5, chunk=10_000) for r in chunk]
        path = rules / "2026" / "edition.yaml"
        base_text = path.read_text()
        first, times, moved = None, [], 0
        for i in range(edits + 1):
            path.write_text(base_text + "bands:\n" + "".join(
                f"  - {{stars: {s}, min_score: {t}, provenance: {{status: assumed}}}}\n"
                for s, t in ((3, 81 + i), (2, 70), (1, 60))))
            rs = load_rules(rules)
            start = time.perf_counter()
            r = impactrun.run(rs, "2024", "2026", raws)
            took = time.perf_counter() - start
            assert r.evaluated == n, (r.evaluated, r.not_retargeted)
            moved = len(r.moves)
            if first is None:
                first = took
            else:
                times.append(took)
        return first, times, moved


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--saves", type=int, default=40)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--no-impact", action="store_true", help="only the saves")
    args = ap.parse_args()
    t = bench_saves(args.saves)
    print(f"save -> checks + diff + form ({args.saves} saves): p50 {pct(t, 50):.0f} ms, p95 {pct(t, 95):.0f} ms, "
          f"max {max(t):.0f} ms")
    t = bench_route_saves(args.saves)
    print(f"POST save -> page with checks, diff, form and impact ({args.saves} saves): p50 {pct(t, 50):.0f} ms, "
          f"p95 {pct(t, 95):.0f} ms, max {max(t):.0f} ms")
    if args.no_impact:
        return
    first, times, moved = bench_impact(args.n, args.edits)
    print(f"impact of an edit on {args.n:,} assessments: first (base side built) {first:.2f} s; "
          f"each edit after: median {statistics.median(times):.2f} s, max {max(times):.2f} s; {moved:,} movers")


if __name__ == "__main__":
    main()
