"""Benchmark: the criteria workbench.

    .venv/bin/python bench/bench_workbench.py [--saves 40] [--n 100000] [--edits 5] [--db DB] [--route-db DB]

1. Save -> checks + diff: a draft 2026 extending 2024 in a temporary copy of rules/; each save posts the
   whole form (every field of the effective edition, as the browser sends it) with the 3-star band moved,
   writes the YAML (round trip, fsync, rename), records the history, runs the checks of `ovop rules check`
   over every edition, maps them to fields, renders the form and computes the diff against 2024.
   The same save through the route users call (POST /-/ovop/editions/2026/save on Datasette's own ASGI
   client, signed in, with the CSRF token): the page it answers also carries the impact on the published
   assessments (here datasets/synthetic/2024.yaml, published into a temporary database).
2. Impact of an edit on N published assessments (synthetic, edition 2024, seeded, written with `ovop datasets
   synth` and published with `ovop publish` into a temporary database; or --db) through the batch path, as
   the workbench computes it: the first edit builds the base side (kept between edits); each following edit
   (another 3-star threshold; an added criterion with assumed evidence; a narrower evidence range and a code
   removed from an enum, which change what a valid input is: the changed columns are checked again) is timed.
   --route-db DB: the POST saves above over that published database (the impact of each save on all of it).
"""
from __future__ import annotations

import argparse
import os
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


async def _route_saves(n: int, published: Path | None = None) -> list[float]:
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
        if published:
            shutil.copy(published, db)
        else:
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
            later = re.search(r'data-impact-src="([^"]+)"', r.text)
            if later:  # a large population: the page's script fetches the impact after
                start = time.perf_counter()
                part = await ds.client.get(later.group(1).replace("&amp;", "&") + "?part=1", cookies=jar)
                assert part.status_code == 200 and "ovop-wb-movers-n" in part.text, part.text[:500]
                if i:
                    AFTER.append((time.perf_counter() - start) * 1000)
            if i:  # the first save also reads the published assessments once
                times.append(took)
        return times


AFTER: list[float] = []  # the impact fetched after the saved page (a population past impactrun.INLINE_MAX)


def bench_route_saves(n: int, db: Path | None = None) -> list[float]:
    import asyncio
    return asyncio.run(_route_saves(n, db))


EDITS = {  # what an edit of the draft writes (besides its head): the first kind is timed most
    "bands": lambda i: "bands:\n" + "".join(f"  - {{stars: {s}, min_score: {t}, provenance: {{status: assumed}}}}\n"
                                            for s, t in ((3, 81 + i), (2, 70), (1, 60))),
    "new criterion (assumed evidence)": lambda i: """criteria:
  add:
    - id: C9
      group: C
      aspect: VI
      label: {id: Sertifikat hijau, en: Green certificate}
      provenance: {status: assumed, note: bench}
      evidence:
        name: sertifikat_hijau
        type: enum
        label: {id: Sertifikat hijau, en: Green certificate}
        codes:
          - {code: belum, label: {id: Belum, en: Not yet}}
          - {code: ada, label: {id: Ada, en: Has one}}
      levels:
        - {points: 0, codes: [belum]}
        - {points: %d, codes: [ada]}
""" % (1 + i % 3),
    "narrower evidence range (what a valid input is changes)": lambda i: """criteria:
  replace:
    - id: A1
      group: A
      aspect: I
      label: {id: Bahan baku lokal, en: Local raw material}
      provenance: {status: assumed, note: bench}
      evidence: {name: bahan_baku_lokal_pct, type: number, unit: percent, min: 0, max: 99,
                 label: {id: Bahan baku lokal, en: Local raw material}}
      levels:
        - {points: 1, when: "x < %d"}
        - {points: 2, when: "%d <= x <= 99"}
""" % (80 + i, 80 + i),
    "a code removed from an enum (what a valid input is changes)": lambda i: """criteria:
  replace:
    - id: B4
      group: B
      label: {id: Merek, en: Brand}
      provenance: {status: assumed, note: bench}
      evidence:
        name: merek
        type: enum
        label: {id: Merek, en: Brand}
        codes:
          - {code: didaftarkan, label: {id: Sedang didaftarkan, en: Applied for}}
          - {code: terdaftar, label: {id: Terdaftar, en: Registered}}
      levels:
        - {points: %d, codes: [didaftarkan]}
        - {points: 3, codes: [terdaftar]}
""" % (1 + i % 2),
}


def published_population(tmp: Path, rules: Path, n: int) -> Path:
    """N synthetic 2024 assessments written with `ovop datasets synth` and published with `ovop publish`."""
    import subprocess
    ovop = [sys.executable, "-m", "engine.cli"]
    pop, db = tmp / "population.jsonl", tmp / "ovop.db"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    subprocess.run(ovop + ["datasets", "synth", "--edition", "2024", "--n", str(n), "--seed", "5", "--out", str(pop),
                           "--rules", str(rules)], check=True, env=env, stdout=subprocess.DEVNULL)
    subprocess.run(ovop + ["publish", str(pop), "--db", str(db), "--check", "0", "--rules", str(rules)], check=True,
                   env=env, stdout=subprocess.DEVNULL)
    return db


def bench_impact(n: int, edits: int, db: Path | None) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        shutil.copytree(ROOT / "rules", rules)
        new_edition(rules, "2026", "2024")
        if db is None:
            start = time.perf_counter()
            db = published_population(Path(tmp), rules, n)
            print(f"  ovop datasets synth + ovop publish of {n:,}: {time.perf_counter() - start:.1f} s")
        start = time.perf_counter()
        raws = impactrun.population(db)
        print(f"  the published inputs read (once per database file): {time.perf_counter() - start:.2f} s, "
              f"{len(raws):,} assessments")
        path = rules / "2026" / "edition.yaml"
        head = path.read_text()
        first = None
        for kind, body in EDITS.items():
            times, r = [], None
            for i in range(edits + 1 if kind == "bands" else max(2, edits // 2)):
                path.write_text(head + body(i))
                rs = load_rules(rules)
                start = time.perf_counter()
                r = impactrun.run(rs, "2024", "2026", raws, {"evidence.sertifikat_hijau": "ada"} if "new" in kind else {})
                took = time.perf_counter() - start
                if first is None:
                    first = took
                    print(f"  first edit (the base side built: re-targeted, decoded columns, outcomes): {took:.2f} s")
                else:
                    times.append(took)
            print(f"impact of an edit on {len(raws):,} published assessments, {kind} ({len(times)} edits): "
                  f"median {statistics.median(times):.2f} s, max {max(times):.2f} s; {r.movers:,} movers, "
                  f"{r.evaluated:,} evaluated, {sum(r.not_retargeted.values()):,} not re-targeted ({len(r.by_reason)} reasons, "
                  f"{r.unworded:,} not worded), {r.unchecked:,} left out; load {open('/proc/loadavg').read().split()[0]}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--saves", type=int, default=40)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--no-impact", action="store_true", help="only the saves")
    ap.add_argument("--db", type=Path, help="a published database of the bundled rules to read (default: publish --n)")
    ap.add_argument("--route-db", type=Path, help="the POST saves over this published database (e.g. 100,000)")
    args = ap.parse_args()
    t = bench_saves(args.saves)
    print(f"save -> checks + diff + form ({args.saves} saves): p50 {pct(t, 50):.0f} ms, p95 {pct(t, 95):.0f} ms, "
          f"max {max(t):.0f} ms; load {open('/proc/loadavg').read().split()[0]}")
    t = bench_route_saves(args.saves, args.route_db)
    print(f"POST save -> page with checks, diff, form and impact ({args.saves} saves"
          f"{', over ' + str(args.route_db) if args.route_db else ''}): p50 {pct(t, 50):.0f} ms, "
          f"p95 {pct(t, 95):.0f} ms, max {max(t):.0f} ms; load {open('/proc/loadavg').read().split()[0]}")
    if AFTER:
        print(f"  then GET …/impact?part=1 (the page's script): p50 {pct(AFTER, 50):.0f} ms, p95 {pct(AFTER, 95):.0f} ms, "
              f"max {max(AFTER):.0f} ms")
    if args.no_impact:
        return
    bench_impact(args.n, args.edits, args.db)


if __name__ == "__main__":
    main()
