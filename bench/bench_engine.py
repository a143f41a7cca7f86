"""Benchmark: assessments per second through the full durable_rules engine with traces (one core),
and the wall time of `ovop evaluate` on one file. Prints numbers; results go in docs/benchmarks.md."""
from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from engine.inputs.assessment import load_assessments  # noqa: E402
from engine.decide.evaluate import Evaluator  # noqa: E402
from engine.rules.resolve import load_rules  # noqa: E402


def throughput(n: int = 5000) -> None:
    rs = load_rules(ROOT / "rules")
    files = sorted((ROOT / "datasets").rglob("*.yaml"))
    pool = load_assessments([f for f in files if "published" not in f.name], rs)
    evaluator = Evaluator(rs)
    for a in pool:
        evaluator.evaluate(a)  # compile every edition first
    start = time.perf_counter()
    for i in range(n):
        evaluator.evaluate(pool[i % len(pool)])
    elapsed = time.perf_counter() - start
    print(f"engine: {n} assessments with traces in {elapsed:.2f} s = {n / elapsed:,.0f} assessments/s "
          f"({len(pool)} distinct assessments, 5 editions)")


def cli_wall(runs: int = 10) -> None:
    cmd = [str(ROOT / ".venv" / "bin" / "ovop"), "evaluate", "datasets/samples/2024.yaml"]
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(cmd, cwd=ROOT, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    print(f"ovop evaluate (one file, 4 assessments): median {statistics.median(times):.3f} s, "
          f"max {max(times):.3f} s over {runs} runs")


if __name__ == "__main__":
    throughput()
    cli_wall()
