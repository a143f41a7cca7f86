"""Benchmark: the commands users run on a population file, side by side with peers, in one run.

    .venv/bin/python bench/bench_cli.py [--n 100000] [--repeat 3] [--durable-n 1000] [--skip publish,impact]

Every figure is one new process reading the same JSON Lines file (`ovop datasets synth --edition 2024
--n N --seed 7`, kept in build/bench_cli/), timed from outside under /usr/bin/time -v (wall, CPU, largest
process) while the resident memory of the process tree is summed every 0.1 s. The rounds are interleaved
(every command once, then again), so that the load of this shared machine falls on all of them alike;
the load average is printed beside each round.

  json.loads       python: read the file line by line, `json.loads` each line (the parse floor)
  orjson.loads     the same with orjson (the C parser the fast reader uses)
  plain Python     json.loads, then bench/plain_loop.py on every record (decision fields only, no trace)
  durable_rules    json.loads and pydantic, then the durable_rules Evaluator on the first --durable-n
                   records (full traces); its rate is per record of those
  ovop publish     `ovop publish --db TMP/ovop.db FILE` (default --check 200: a sample again through
                   durable_rules; every trace step written)
  ovop impact      `ovop impact 2099 --base 2024 FILE --json` (a draft whose 2-star band starts at 72;
                   default workers)

Ratios are to json.loads of the same round. `--stages` also times, in one process on one core, the stages
of the population path on 20,000 records (parse, fast check, columns from the reader, decide), and the
batch kernels on 100,000 columns already read.
"""
from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path[:0] = [str(HERE), str(ROOT)]

from bench_impact import draft_rules, timed  # noqa: E402

PY = str(ROOT / ".venv" / "bin" / "python")
OVOP = str(ROOT / ".venv" / "bin" / "ovop")

JSON_LOOP = """
import json, sys
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        json.loads(line); n += 1
print(n)
"""
ORJSON_LOOP = JSON_LOOP.replace("import json,", "import orjson as json,")
PLAIN = """
import json, sys
sys.path[:0] = [sys.argv[2], sys.argv[3]]
import plain_loop
from engine.batch import BatchEvaluator
from engine.rules import load_rules
be = BatchEvaluator(load_rules(sys.argv[3] + "/rules"))
compiled = {}
n = 0
with open(sys.argv[1], "rb") as f:
    for line in f:
        a = json.loads(line)
        e = a["edition"]
        c = compiled.get(e) or compiled.setdefault(e, be.plan(e).c)
        plain_loop.evaluate(c, a); n += 1
print(n)
"""
DURABLE = """
import json, sys
from itertools import islice
sys.path.insert(0, sys.argv[3])
from engine.decide import Evaluator
from engine.inputs import Assessment
from engine.rules import load_rules
ev = Evaluator(load_rules(sys.argv[3] + "/rules"))
n = 0
with open(sys.argv[1], "rb") as f:
    for line in islice(f, int(sys.argv[2])):
        ev.evaluate(Assessment.model_validate(json.loads(line))); n += 1
print(n)
"""


def population(n: int, seed: int) -> Path:
    path = ROOT / "build" / "bench_cli" / f"pop-2024-{n}-{seed}.jsonl"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp.jsonl")
        subprocess.run([OVOP, "datasets", "synth", "--edition", "2024", "--n", str(n), "--seed", str(seed),
                        "--out", str(tmp)], check=True, stdout=subprocess.DEVNULL)
        tmp.rename(path)
    return path


def commands(path: Path, rules: Path, tmp: Path, durable_n: int, skip: set[str]) -> dict[str, tuple[list, int | None]]:
    """name -> (command, records its rate is per; None: every record of the file)."""
    out = {"json.loads": ([PY, "-c", JSON_LOOP, str(path)], None),
           "orjson.loads": ([PY, "-c", ORJSON_LOOP, str(path)], None),
           "plain Python": ([PY, "-c", PLAIN, str(path), str(HERE), str(ROOT)], None),
           "durable_rules": ([PY, "-c", DURABLE, str(path), str(durable_n), str(ROOT)], durable_n),
           "ovop publish": ([OVOP, "publish", "--db", str(tmp / "ovop.db"), "--rules", str(ROOT / "rules"), str(path)],
                            None),
           "ovop impact": ([OVOP, "impact", "2099", "--base", "2024", str(path), "--json", "--rules", str(rules)],
                           None)}
    return {k: v for k, v in out.items() if k.split()[-1] not in skip and k not in skip}


def stages(path: Path, n: int = 20_000, sub: int = 2_000) -> None:
    """Stages of the population path in this process, one core, per record, on parts of `sub` records as the
    impact worker's fast chunk reads them (engine.impact.stream._fast_chunk) under one edition: the bytes tested,
    the lines decoded at once into typed records (engine.inputs.typed.read_block), beside the reader they replaced
    (orjson, then Shared); then the batch kernels on 100,000 columns at once."""
    import gc
    import time

    import orjson

    from engine.batch import BatchEvaluator, columns_of, columns_of_tables, decide
    from engine.inputs import Catalogue, FastCheck, Shared, parse_lines
    from engine.inputs.population import _ends, parse_line, plain_numbers
    from engine.inputs.typed import read_block
    from engine.rules import load_commodity_map, load_rules
    ruleset = load_rules(ROOT / "rules")
    catalogue = Catalogue.of(ruleset)
    check = FastCheck(catalogue, ruleset.get("2024").model, load_commodity_map(ruleset.directory, catalogue.editions))
    plan = BatchEvaluator(ruleset).plan("2024")
    with open(path, "rb") as f:
        blobs = [next(f) for _ in range(max(n, 100_000))]
    gc.disable()
    for _ in range(2):  # the second round is printed (caches warm)
        laps: dict[str, float] = {}
        for start in range(0, n, sub):
            data = b"".join(blobs[start:start + sub])
            t = time.perf_counter()
            ends = _ends(data) if plain_numbers(data) else None
            t1 = time.perf_counter()
            shared = read_block(memoryview(data), len(ends), check.lists, check.editions, parse_line)
            t2 = time.perf_counter()
            commodity = check.accept(shared.raws, shared)
            t3 = time.perf_counter()
            inputs = columns_of_tables(plan, shared.raws, range(len(ends)), commodity, shared.tables,
                                       shared.column_memo(), shared.ids)
            t4 = time.perf_counter()
            decide(plan, inputs)
            t5 = time.perf_counter()
            raws = list(map(orjson.loads, data.splitlines()))
            Shared(raws, check.lists, check.editions)
            t6 = time.perf_counter()
            for name, seconds in (("bytes tested: numbers, one object a line (plain_numbers, _ends)", t1 - t),
                                  ("decoded at once into typed records, held as Shared holds them (read_block)",
                                   t2 - t1),
                                  ("  (the reader before: orjson, then Shared)", t6 - t5),
                                  ("fast check of one edition (accept)", t3 - t2),
                                  ("columns from the reader's tables", t4 - t3), ("decide on those columns", t5 - t4)):
                laps[name] = laps.get(name, 0.0) + seconds
    gc.enable()
    for name, seconds in laps.items():
        print(f"  {name}: {seconds / n * 1e6:.2f} µs/record ({n / seconds:,.0f}/s)")
    raws = parse_lines(blobs[:100_000])
    columns = columns_of(plan, raws)
    best = min(_lap(decide, plan, columns) for _ in range(5))
    print(f"  decide on 100,000 columns already read (decision fields and trace matrices), best of 5: "
          f"{best * 1e3:.1f} ms ({len(raws) / best:,.0f}/s)")


def _lap(fn, *args) -> float:
    import time
    t = time.perf_counter()
    fn(*args)
    return time.perf_counter() - t


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--durable-n", type=int, default=2000)
    parser.add_argument("--skip", default="", help="comma-separated: names (or last words) of commands not to run")
    parser.add_argument("--stages", action="store_true")
    args = parser.parse_args()
    if os.environ.pop("PYTHONDONTWRITEBYTECODE", None) is not None:  # the commands as Python runs them by default
        subprocess.run([PY, "-m", "compileall", "-q", str(ROOT / "engine")], check=True)
        print("PYTHONDONTWRITEBYTECODE unset for the commands, the project's bytecode compiled once before them "
              "(with it set, every run compiles the modules again: ~0.1 s)")
    path = population(args.n, args.seed)
    print(f"population: {path} ({args.n:,} records, {path.stat().st_size / 1e6:.0f} MB); {os.cpu_count()} CPUs")
    results: dict[str, list[dict]] = {}
    with tempfile.TemporaryDirectory(dir=ROOT / "build") as tmp:
        rules = draft_rules(Path(tmp), "72")
        cmds = commands(path, rules, Path(tmp), args.durable_n, set(filter(None, args.skip.split(","))))
        for r in range(args.repeat):
            print(f"round {r + 1}: load average {os.getloadavg()[0]:.2f} before")
            for name, (cmd, _) in cmds.items():
                run = timed(cmd, subprocess.DEVNULL)
                if run["rc"] != 0:
                    sys.exit(f"{name} failed: {run['stderr'][-2000:]}")
                run["load"] = os.getloadavg()[0]
                results.setdefault(name, []).append(run)
                print(f"  {name}: {run['wall_s']:.2f} s wall, {run['cpu_s']:.2f} s CPU, "
                      f"peak tree {run['peak_tree_rss_mb']:.0f} MB, largest process {run['max_process_rss_mb']:.0f} MB, "
                      f"load {run['load']:.2f}")
    floor = [r["wall_s"] for r in results["json.loads"]]
    floor_cpu = [r["cpu_s"] for r in results["json.loads"]]
    print(f"\n{'command':<16} {'median s':>9} {'min s':>7} {'records/s':>11} {'× json.loads':>13} "
          f"{'CPU ×':>7} {'peak MB':>8}")
    for name, runs in results.items():
        walls = [r["wall_s"] for r in runs]
        per = cmds[name][1] or args.n
        ratios = [(w / per) / (f / args.n) for w, f in zip(walls, floor)]  # time per record, to json.loads's
        cpu = [(r["cpu_s"] / per) / (f / args.n) for r, f in zip(runs, floor_cpu)]
        print(f"{name:<16} {statistics.median(walls):>9.2f} {min(walls):>7.2f} {per / statistics.median(walls):>11,.0f} "
              f"{statistics.median(ratios):>13.2f} {statistics.median(cpu):>7.2f} "
              f"{max(r['peak_tree_rss_mb'] for r in runs):>8.0f}")
    if args.stages:
        print("\nstages, one process, 20,000 records (parts of 2,000):")
        stages(path)


if __name__ == "__main__":
    main()
