"""Benchmark: `ovop impact` of a draft against its base on a synthetic population (JSON Lines).

    .venv/bin/python bench/bench_impact.py [--n 1000000] [--workers 2] [--check 50] [--threshold 72]

1. The population: `ovop datasets synth --edition 2024 --n N --seed S --out FILE.jsonl` (kept in
   build/bench_impact/ and reused when it exists; --regenerate to time it again).
2. The draft: a copy of rules/ in a temporary folder with `ovop rules new 2099 --from 2024` whose
   2-star band starts at --threshold instead of 70.
3. `ovop impact 2099 --base 2024 FILE.jsonl --json --check C` under /usr/bin/time -v; meanwhile the
   resident memory of the whole process tree (parent and workers) is summed every 0.1 s.

Prints wall time, CPU time, the largest single process (time -v) and the peak of the tree.
"""
from __future__ import annotations

import argparse
import json
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OVOP = str(ROOT / ".venv" / "bin" / "ovop")
BANDS = [(3, "80"), (2, "70"), (1, "60")]  # edition 2024's bands


def tree_rss_kb(pid: int) -> int:
    """Resident memory of a process and all its descendants (kB)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) if "VmRSS" in status else 0
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, AttributeError):
            continue
    return total


def timed(cmd: list[str], stdout) -> dict:
    """Run under /usr/bin/time -v; wall, CPU, max RSS of one process, and the peak RSS of the tree."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as report:
        start = time.perf_counter()
        proc = subprocess.Popen(["/usr/bin/time", "-v", "-o", report.name, *cmd], stdout=stdout,
                                stderr=subprocess.PIPE, text=True, cwd=ROOT)
        peak = [0]

        def watch():
            while proc.poll() is None:
                peak[0] = max(peak[0], tree_rss_kb(proc.pid))
                time.sleep(0.1)
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        _, err = proc.communicate()
        wall = time.perf_counter() - start
        watcher.join()
        text = report.read()
    field = lambda name: float(re.search(rf"{name}: ([\d.]+)", text).group(1))  # noqa: E731
    return {"rc": proc.returncode, "stderr": err, "wall_s": wall,
            "cpu_s": field(r"User time \(seconds\)") + field(r"System time \(seconds\)"),
            "max_process_rss_mb": field(r"Maximum resident set size \(kbytes\)") / 1024,
            "peak_tree_rss_mb": peak[0] / 1024}


def population(n: int, seed: int, regenerate: bool) -> tuple[Path, dict | None]:
    path = ROOT / "build" / "bench_impact" / f"pop-2024-{n}-{seed}.jsonl"
    if path.exists() and not regenerate:
        return path, None
    path.parent.mkdir(parents=True, exist_ok=True)
    run = timed([OVOP, "datasets", "synth", "--edition", "2024", "--n", str(n), "--seed", str(seed),
                 "--out", str(path)], subprocess.DEVNULL)
    if run["rc"] != 0:
        sys.exit(f"synth failed: {run['stderr']}")
    return path, run


def draft_rules(folder: Path, threshold: str) -> Path:
    rules = folder / "rules"
    shutil.copytree(ROOT / "rules", rules)
    shutil.rmtree(rules / "2099", ignore_errors=True)
    subprocess.run([OVOP, "rules", "new", "2099", "--from", "2024", "--rules", str(rules)], check=True,
                   stdout=subprocess.DEVNULL)
    lines = [f"  - {{stars: {s}, min_score: {threshold if s == 2 else t}, provenance: {{status: assumed}}}}"
             for s, t in BANDS]
    with open(rules / "2099" / "edition.yaml", "a", encoding="utf-8") as f:
        f.write("\nbands:\n" + "\n".join(lines) + "\n")
    return rules


def stages(path: Path, rules: Path, n: int = 20_000, normal_n: int = 500) -> None:
    """Where the time goes, per assessment on one core: each stage of a worker's fast chunk
    (engine.impact.stream._fast_chunk), timed alone, then the normal path for comparison."""
    import gc
    sys.path.insert(0, str(ROOT))
    from engine.batch import columns_of_tables, decide, same_columns
    from engine.impact import stream as st
    from engine.inputs.population import _ends, parse_line, plain_numbers, slow
    from engine.inputs.typed import read_block
    from engine.rules.resolve import load_rules
    setup = st.Setup(load_rules(rules), "2024", "2099")
    with open(path, "rb") as f:
        data = b"".join(next(f) for _ in range(n))
    gc.disable()
    clock: dict[str, float] = {}

    def lap(name: str, start: float) -> None:
        clock[name] = clock.get(name, 0.0) + (time.perf_counter() - start) / n * 1e6

    check, plans = setup.checks["2024"], [setup.batch.plan(e) for e in ("2024", "2099")]
    t = time.perf_counter()
    ends = _ends(data) if plain_numbers(data) else None
    lap("bytes checked at once: numbers, one object a line (plain_numbers, _ends)", t)
    view = memoryview(data)
    for at in range(0, len(ends), st.SUB):
        count = min(st.SUB, len(ends) - at)
        t = time.perf_counter()
        shared = read_block(view[int(ends[at - 1]) if at else 0:int(ends[at + count - 1])], count, check.lists,
                            check.editions, parse_line)
        lap("decoded at once into typed records, tables by layout (read_block)", t)
        t = time.perf_counter()
        commodity = [setup.checks[e].accept(shared.raws, shared) for e in ("2024", "2099")]
        lap("fast check, both editions (accept)", t)
        t = time.perf_counter()
        inputs = columns_of_tables(plans[0], shared.raws, range(count), commodity[0], shared.tables,
                                   shared.column_memo(), shared.ids)
        lap("columns from the tables (the draft reads the base's)", t)
        assert same_columns(*plans) and commodity[0] == commodity[1]
        t = time.perf_counter()
        cols = [decide(plans[0], inputs)]
        cols.append(decide(plans[1], inputs, like=cols[0]))
        lap("decide, both editions (the draft taking what it works out alike)", t)
        t = time.perf_counter()
        movers = st.Movers("f")
        movers.add(cols[0], cols[1])
        movers.said()
        lap("matrix and movers' reasons", t)
    target = setup.ruleset.get("2024").model
    lines = data.decode("utf-8").splitlines()
    t = time.perf_counter()
    for i, x in enumerate(lines[:normal_n]):
        slow(x, "f", i + 1, i + 1, setup.catalogue, target, setup.cmap)
    clock["normal path check, one edition (for comparison)"] = (time.perf_counter() - t) / normal_n * 1e6
    gc.enable()
    for name, us in clock.items():
        print(f"  {name}: {us:.1f} µs/assessment")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--check", type=int, default=50)
    parser.add_argument("--threshold", default="72")
    parser.add_argument("--regenerate", action="store_true")
    parser.add_argument("--stages", action="store_true", help="also time each stage of a chunk on one core")
    args = parser.parse_args()
    path, synth = population(args.n, args.seed, args.regenerate)
    print(f"population: {path} ({path.stat().st_size / 1e6:.0f} MB)")
    if synth:
        print(f"synth {args.n:,}: {synth['wall_s']:.1f} s wall ({args.n / synth['wall_s']:,.0f}/s), "
              f"cpu {synth['cpu_s']:.1f} s, max process RSS {synth['max_process_rss_mb']:.0f} MB, "
              f"peak tree RSS {synth['peak_tree_rss_mb']:.0f} MB")
    with tempfile.TemporaryDirectory() as tmp:
        rules = draft_rules(Path(tmp), args.threshold)
        out = Path(tmp) / "impact.json"
        with open(out, "w", encoding="utf-8") as f:
            run = timed([OVOP, "impact", "2099", "--base", "2024", str(path), "--json", "--rules", str(rules),
                         "--workers", str(args.workers), "--check", str(args.check)], f)
        if run["rc"] != 0:
            sys.exit(f"impact failed: {run['stderr']}")
        data = json.loads(out.read_text(encoding="utf-8"))
        size = out.stat().st_size / 1e6
        if args.stages:
            print("stages, one core, 20,000 assessments:")
            stages(path, rules)
    print(f"impact 2099 (2-star band from {args.threshold}) vs 2024, {data['evaluated']:,} assessments, "
          f"{args.workers} workers: {run['wall_s']:.1f} s wall ({data['evaluated'] / run['wall_s']:,.0f}/s), "
          f"cpu {run['cpu_s']:.1f} s")
    print(f"memory: max process RSS {run['max_process_rss_mb']:.0f} MB, peak tree RSS {run['peak_tree_rss_mb']:.0f} MB")
    print(f"movers {len(data['moves']):,}, not re-targeted {len(data['not_retargeted']):,}, JSON {size:.0f} MB; "
          f"--check {data.get('checked', 0)}: {len(data.get('differences', []))} differences")


if __name__ == "__main__":
    main()
