"""Executors side by side, one process, one synthetic population: assessments per second and ratios.

    .venv/bin/python bench/bench_executors.py [--edition 2024] [--n 20000] [--durable-n 2000] [--seed 11]

  batch (rows)     engine.batch.evaluator.BatchEvaluator.evaluate_many: outcome fields + per-gate and per-criterion rows
  batch (columns)  the same decisions as arrays (the trace rows as level/points matrices)
  durable_rules    engine.decide.evaluate.Evaluator: the reference path, full traces
  plain Python     bench/plain_loop.py: a loop over the Compiled rule set, exact Fractions, no trace
  ZEN              GoRules ZEN graphs generated from the Compiled rule set (bench/zen_graph.py)

Before any timing, every executor must agree with the batch path on every assessment it runs
(durable: every outcome field and trace row; plain: status, stars, band, exact score; ZEN: status,
stars, band). Timings are the best of --repeat runs; each executor runs on one core.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from fractions import Fraction
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]

import numpy as np  # noqa: E402

import plain_loop  # noqa: E402
from engine.inputs.assessment import Assessment  # noqa: E402
from engine.batch.evaluator import BatchEvaluator, outcome_fields  # noqa: E402
from engine.batch.plan import classify_numbers  # noqa: E402
from engine.rules.conditions import exact  # noqa: E402
from engine.decide.evaluate import Evaluator  # noqa: E402
from engine.rules.resolve import load_rules  # noqa: E402
from engine.synth.generate import synthesize  # noqa: E402


def best(fn, repeat: int) -> float:
    times = []
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t)
    return min(times)


def check_durable(batch: BatchEvaluator, durable: Evaluator, items: list[dict], objects: list) -> None:
    mine = batch.evaluate_many(items)
    theirs = [outcome_fields(durable.evaluate(a)) for a in objects]
    bad = sum(1 for x, y in zip(mine, theirs) if x != y)
    if bad:
        raise SystemExit(f"durable_rules disagrees with the batch path on {bad} of {len(items)}")


def check_plain(batch: BatchEvaluator, items: list[dict], edition: str) -> None:
    cols = batch.evaluate_columns(items, edition)
    q = cols.plan.q
    for i, a in enumerate(items):
        status, stars, band, score = plain_loop.evaluate(cols.plan.c, a)
        expect = (["ineligible", "not_awarded", "awarded"][cols.status[i]], int(cols.stars[i]) or None,
                  int(cols.band[i]) or None, Fraction(int(cols.score_n[i]), q) if cols.status[i] else None)
        if (status, stars, band, score) != expect:
            raise SystemExit(f"plain loop disagrees on {a['id']}: {(status, stars, band, score)} != {expect}")


def zen_decision(batch: BatchEvaluator, edition: str):
    try:
        import zen
    except ImportError:
        return None
    from zen_graph import graph
    return zen.ZenEngine().create_decision(json.dumps(graph(batch.plan(edition))))


def check_zen(decision, rows: list[dict], contexts: list[str]) -> None:
    for row, ctx in zip(rows, contexts):
        r = decision.evaluate(ctx)["result"]
        got = (r["status"], int(r["stars"]) or None, int(r["band_stars"]) or None)
        if got != (row["status"], row["stars"], row["band_stars"]):
            raise SystemExit(f"ZEN disagrees on {row['id']}: {got}")


def classification(items: list[dict], batch: BatchEvaluator, edition: str, repeat: int) -> tuple[float, float]:
    """Seconds to classify every numeric evidence column: distinct values (np.unique) vs one Fraction per value."""
    plan = batch.plan(edition)
    cols = [(plan.intervals[j], [a["evidence"][cr.evidence] for a in items])
            for j, cr in enumerate(plan.criteria) if plan.intervals[j] is not None]

    def per_value():
        for ivs, values in cols:
            np.array([next(k for k, iv in enumerate(ivs) if iv.contains(exact(v))) for v in values])
    return best(lambda: [classify_numbers(v, ivs) for ivs, v in cols], repeat), best(per_value, repeat)


def main(argv=None) -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--edition", default="2024")
    p.add_argument("--n", type=int, default=20_000)
    p.add_argument("--durable-n", type=int, default=2_000)
    p.add_argument("--seed", type=int, default=11)
    p.add_argument("--repeat", type=int, default=3)
    args = p.parse_args(argv)
    rs = load_rules(HERE.parent / "rules")
    t = time.perf_counter()
    items = synthesize(rs, args.edition, args.n, args.seed)
    print(f"population: {len(items)} synthetic assessments of {args.edition} (seed {args.seed}), "
          f"made in {time.perf_counter() - t:.1f} s")
    batch, durable = BatchEvaluator(rs), Evaluator(rs)
    small = items[:args.durable_n]
    objects = [Assessment.model_validate(a) for a in small]
    check_durable(batch, durable, small, objects)
    check_plain(batch, items, args.edition)
    rows = batch.evaluate_many(items)
    decision, contexts = zen_decision(batch, args.edition), [json.dumps(a) for a in items]
    if decision is not None:
        check_zen(decision, rows, contexts)
    print(f"agreement: durable_rules ({len(small)}), plain Python ({len(items)})"
          + (f", ZEN ({len(items)})" if decision else ", ZEN not installed: skipped") + ": all identical")
    c = batch.plan(args.edition).c
    timings = {
        "batch (rows)": (len(items), best(lambda: batch.evaluate_many(items), args.repeat)),
        "batch (columns)": (len(items), best(lambda: batch.evaluate_columns(items, args.edition), args.repeat)),
        "durable_rules": (len(small), best(lambda: [durable.evaluate(a) for a in objects], 1)),
        "plain Python": (len(items), best(lambda: [plain_loop.evaluate(c, a) for a in items], args.repeat)),
    }
    if decision is not None:
        timings["ZEN"] = (len(items), best(lambda: [decision.evaluate(x) for x in contexts], args.repeat))
    report(timings)
    unique_s, per_value_s = classification(items, batch, args.edition, args.repeat)
    print(f"numeric classification, {len(items)} assessments: distinct values {unique_s * 1000:.1f} ms, "
          f"one Fraction per value {per_value_s * 1000:.1f} ms ({per_value_s / unique_s:.0f}x)")


def report(timings: dict) -> None:
    base = timings["durable_rules"][0] / timings["durable_rules"][1]
    print(f"{'executor':<18}{'n':>8}{'seconds':>10}{'assessments/s':>16}{'x durable':>11}")
    for name, (n, s) in timings.items():
        print(f"{name:<18}{n:>8}{s:>10.3f}{n / s:>16,.0f}{n / s / base:>11.1f}")


if __name__ == "__main__":
    main()
