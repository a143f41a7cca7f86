"""Benchmark: the criteria workbench.

    .venv/bin/python bench/bench_workbench.py [--saves 40] [--n 100000] [--edits 5] [--db DB] [--route-db DB]
    .venv/bin/python bench/bench_workbench.py --browser [--saves 30] [--route-db DB]

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
3. --browser (only this): in Debian's chromium (Playwright) on `ovop serve` of a temporary copy (the 159 of
   datasets/synthetic/2024.yaml, or --route-db), signed in, each save of the 3-star band from the click on
   the save button to the checks and diff panels updated in place (the form's data-saved-version set by its
   script, then the next frame drawn); with --route-db also until the impact fetched after it is shown. For
   comparison the same saves with scripts off (the plain form POST: the whole page loaded again).
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


SAVE_IN_PLACE = """(value) => new Promise((done) => {
  const f = document.querySelector('#editor'), before = f.dataset.saves || '0', t0 = performance.now();
  f.querySelector("[name='e.bands.0.min_score']").value = value;
  const seen = new MutationObserver(() => {
    if ((f.dataset.saves || '0') === before) { return; }
    seen.disconnect();
    const updated = performance.now() - t0;
    const post = performance.getEntriesByType('resource').filter((e) => e.name.indexOf('/save?part=1') > 0).pop();
    performance.clearResourceTimings();
    const parts = [post.startTime - t0, post.responseStart - post.startTime, post.responseEnd - t0];
    requestAnimationFrame(() => setTimeout(() => done([updated, performance.now() - t0].concat(parts))));
  });
  seen.observe(f, {attributes: true, attributeFilter: ['data-saved-version']});
  f.querySelector('.ovop-wb-save').click();
})"""
IMPACT_SHOWN = """() => new Promise((done) => {
  const t0 = performance.now(), shown = () => document.querySelector('#impact .ovop-wb-movers-n');
  if (shown()) { done(0); return; }
  const seen = new MutationObserver(() => { if (shown()) { seen.disconnect(); done(performance.now() - t0); } });
  seen.observe(document.querySelector('#impact'), {childList: true, subtree: true});
})"""


def bench_browser(n: int, published: Path | None) -> None:
    """Click on save -> checks and diff shown, in chromium, in place (the page's script) and by the plain POST."""
    import subprocess
    from playwright.sync_api import sync_playwright
    from engine.publish.build import publish
    from engine.web import accounts
    from tests.test_browser import ARGS, CHROMIUM, free_port, wait_up
    with tempfile.TemporaryDirectory() as tmp:
        rules = Path(tmp) / "rules"
        shutil.copytree(ROOT / "rules", rules)
        new_edition(rules, "2026", "2024")
        db = Path(tmp) / "ovop.db"
        if published:
            shutil.copy(published, db)
        else:
            publish(db, [ROOT / "datasets" / "synthetic" / "2024.yaml"], rules, check=0)
        accounts.add_user(accounts.workspace_for(db), "bench", "editor", "bench-password-1")
        port = free_port()
        env = dict(os.environ, PYTHONPATH=str(ROOT), OVOP_RULES_DIR=str(rules))
        log = Path(tmp) / "serve.log"  # a file, not a pipe: uvicorn's access log never fills it and blocks the server
        proc = subprocess.Popen([sys.executable, "-m", "engine.cli", "serve", "--db", str(db), "--port", str(port)],
                                cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
        base = f"http://127.0.0.1:{port}"
        try:
            try:
                wait_up(base + "/-/versions.json", proc)
            except AttributeError:  # it exited (wait_up reads a pipe)
                raise SystemExit(f"ovop serve exited: {log.read_text()[-2000:]}") from None
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
                try:
                    _browser_saves(browser, base, n, big=published is not None)
                finally:
                    browser.close()
        finally:
            proc.terminate()
            proc.wait(timeout=10)


def _signed_in(browser, base: str, **options):
    page = browser.new_page(viewport={"width": 1280, "height": 1000}, **options)
    page.goto(base + "/-/ovop/login?next=/-/ovop/editions/2026")
    page.fill("input[name=name]", "bench")
    page.fill("input[name=password]", "bench-password-1")
    page.click("form.ovop-wb-login button")
    page.wait_for_url("**/-/ovop/editions/2026")
    return page


def _browser_saves(browser, base: str, n: int, big: bool) -> None:
    load = lambda: open("/proc/loadavg").read().split()[0]  # noqa: E731
    page = _signed_in(browser, base)
    shown, drawn, wall, impact, answered, sent, server = [], [], [], [], [], [], []
    for i in range(n + 1):  # the first save also reads the published assessments once
        value = str(81 + i % 5)
        start = time.perf_counter()
        updated, painted, before, waited, answer = page.evaluate(SAVE_IN_PLACE, value)
        took = (time.perf_counter() - start) * 1000
        diff = page.locator("pre.ovop-wb-diff[lang=en]").inner_text()
        assert page.locator("#clean").count() == 1 and f"from 80 to {value}" in diff, diff
        later = page.evaluate(IMPACT_SHOWN) if big else None
        if i:
            shown.append(updated), drawn.append(painted), wall.append(took), answered.append(answer)
            sent.append(before), server.append(waited)
            if later is not None:
                impact.append(updated + later)
    assert page.evaluate("performance.getEntriesByType('navigation').length") == 1  # no page loaded again
    print(f"browser: click on save -> checks + diff updated in place ({n} saves): p50 {pct(shown, 50):.0f} ms, "
          f"p95 {pct(shown, 95):.0f} ms, max {max(shown):.0f} ms; drawn (next frame): p50 {pct(drawn, 50):.0f} ms, "
          f"p95 {pct(drawn, 95):.0f} ms, max {max(drawn):.0f} ms; load {load()}")
    print(f"  of which (resource timing) click to the POST sent p50 {pct(sent, 50):.0f} ms; POST to the answer's first "
          f"byte p50 {pct(server, 50):.0f} ms, p95 {pct(server, 95):.0f} ms; click to its last byte p50 {pct(answered, 50):.0f} ms, "
          f"p95 {pct(answered, 95):.0f} ms; seen from Playwright (its round trips too) p95 {pct(wall, 95):.0f} ms")
    if impact:
        print(f"  then the impact shown (fetched after): p50 {pct(impact, 50):.0f} ms, p95 {pct(impact, 95):.0f} ms, "
              f"max {max(impact):.0f} ms after the click")
    page.close()
    plain, times = _signed_in(browser, base, java_script_enabled=False), []
    for i in range(n + 1):
        value = str(81 + i % 5)
        plain.fill("[name='e.bands.0.min_score']", value)
        start = time.perf_counter()
        with plain.expect_navigation(wait_until="load"):
            plain.click(".ovop-wb-savebar button.ovop-wb-save >> nth=0")
        times.append((time.perf_counter() - start) * 1000)
        assert plain.locator("#clean").count() == 1 and plain.locator("#saved").count() == 1
    times = times[1:]
    print(f"browser, scripts off: click on save -> the saved page loaded ({n} saves): p50 {pct(times, 50):.0f} ms, "
          f"p95 {pct(times, 95):.0f} ms, max {max(times):.0f} ms; load {load()}")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--saves", type=int, default=40)
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--edits", type=int, default=5)
    ap.add_argument("--no-impact", action="store_true", help="only the saves")
    ap.add_argument("--db", type=Path, help="a published database of the bundled rules to read (default: publish --n)")
    ap.add_argument("--route-db", type=Path, help="the POST saves over this published database (e.g. 100,000)")
    ap.add_argument("--browser", action="store_true", help="only the saves in chromium (Playwright), click to shown")
    args = ap.parse_args()
    if args.browser:
        bench_browser(args.saves, args.route_db)
        return
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
