"""Population-scale re-scoring: a second executor compiled from the same rule set as the durable path.

`BatchEvaluator(ruleset)` compiles each edition once (`compile_edition(..., with_engine=False)`, the
same `Compiled` objects the durable_rules path is generated from) and evaluates chunks of assessments
with numpy, exactly (see batch_plan). It gives the outcome fields and the per-gate and per-criterion
trace rows; the durable path (engine.decide.evaluate.Evaluator) stays the reference, with full traces.

    be = BatchEvaluator(ruleset)
    rows = be.evaluate_many(assessments)              # list of outcome-field dicts, input order
    for rows in be.evaluate_stream(iterable, 10_000):  # chunk by chunk, memory flat
        ...
    check_sample(assessments, 50, seed=1, ruleset=ruleset)   # [] when the durable path agrees

Assessments are dicts in the assessors' format (as written, or from engine.synth) or Assessment
objects. Agreement with the durable path is an invariant (tests/test_batch.py).
"""
from __future__ import annotations

from itertools import islice
from random import Random
from typing import Any, Iterable, Iterator

from ..decide import compile_edition
from ..inputs import collector_paused
from ..rules import RuleSet
from .execute import (
    AWARDED,
    CONDITIONAL,
    GATE_FAIL,
    GATE_NA,
    GATE_PASS,
    GATE_UNKNOWN,
    INELIGIBLE,
    MOVEMENT_NONE,
    NAIK,
    NOT_AWARDED,
    TETAP,
    TURUN,
    BatchInputError,
    Columns,
    run,
)
from .plan import Plan

FIELDS = ("status", "stars", "band_stars", "capped", "score", "gates_failed", "gates_unknown", "pembina", "label_kemasan",
          "kandidat_go_global", "movement")
STATUS = {INELIGIBLE: "ineligible", NOT_AWARDED: "not_awarded", AWARDED: "awarded", CONDITIONAL: "conditional"}
RESULT = {GATE_PASS: "pass", GATE_FAIL: "fail", GATE_UNKNOWN: "unknown"}
MOVEMENT = {MOVEMENT_NONE: None, TURUN: "turun", TETAP: "tetap", NAIK: "naik"}

__all__ = ["BatchEvaluator", "BatchInputError", "Columns", "check_sample", "outcome_fields", "FIELDS"]


class BatchEvaluator:
    """Compiled editions of one rule set as array plans; each built once, on first use."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self._plans: dict[str, Plan] = {}

    def plan(self, edition: str) -> Plan:
        if edition not in self._plans:
            compiled = compile_edition(self.ruleset.get(edition), with_engine=False)
            self._plans[edition] = Plan(compiled, self._scale_of)
        return self._plans[edition]

    def _scale_of(self, edition: str) -> int | None:
        res = self.ruleset.editions.get(edition)
        return res.model.star_scale.max if res else None

    def evaluate_columns(self, assessments: list, edition: str) -> Columns:
        """One edition's chunk, columnar (every assessment must be of `edition`)."""
        return run(self.plan(edition), [as_dict(a) for a in assessments])

    def evaluate_many(self, assessments: Iterable) -> list[dict[str, Any]]:
        """Outcome fields and trace rows of every assessment, in input order (editions may be mixed)."""
        with collector_paused():
            return self._many([as_dict(a) for a in assessments])

    def _many(self, items: list[dict]) -> list[dict[str, Any]]:
        by_edition: dict[str, list[int]] = {}
        for i, a in enumerate(items):
            by_edition.setdefault(a["edition"], []).append(i)
        if len(by_edition) == 1:
            return _rows(run(self.plan(items[0]["edition"]), items))
        out: list = [None] * len(items)
        for edition, positions in by_edition.items():
            for i, row in zip(positions, _rows(run(self.plan(edition), [items[i] for i in positions]))):
                out[i] = row
        return out

    def evaluate_stream(self, assessments: Iterable, chunk: int = 10_000) -> Iterator[list[dict[str, Any]]]:
        """`evaluate_many` chunk by chunk: at most `chunk` assessments (and their results) held at once."""
        it = iter(assessments)
        while True:
            block = list(islice(it, chunk))
            if not block:
                return
            yield self.evaluate_many(block)


def as_dict(a) -> dict:
    """An assessment as the dict the batch path reads (dicts pass through unchanged)."""
    if isinstance(a, dict):
        return a
    out = {"id": a.id, "edition": a.edition, "ikm": {"commodity": a.ikm.commodity},
           "gates": a.gates, "evidence": a.evidence}
    if a.previous is not None:
        out["previous"] = {"edition": a.previous.edition, "stars": a.previous.stars}
    return out


def rows(cols: Columns) -> list[dict[str, Any]]:
    """Columns as one dict per assessment: the outcome fields, `gates` and `criteria` trace rows.

    The cyclic garbage collector is paused meanwhile: the rows hold no cycles, and its passes over
    a growing heap of new containers would otherwise cost more than building them."""
    with collector_paused():
        return _rows(cols)


def _rows(cols: Columns) -> list[dict[str, Any]]:
    plan = cols.plan
    edition, crit = plan.c.id, plan.criterion_ids
    pembina = [m.value for m in plan.pembina] + [None]  # index -1: none
    gate_rows = _gate_patterns([g.fact for g in plan.c.gates])
    out = []
    columns = zip(cols.ids, cols.status.tolist(), cols.band.tolist(), cols.stars.tolist(), cols.score_cents.tolist(),
                  map(tuple, cols.gate_result.tolist()), cols.level.tolist(), cols.points.tolist(),
                  cols.pembina.tolist(), cols.label.tolist(), cols.go_global.tolist(), cols.movement.tolist())
    for ident, status, band, stars, cents, gates, levels, points, pem, label, glob, move in columns:
        failed, unknown, passed = gate_rows(gates)
        out.append({
            "id": ident, "edition": edition, "status": STATUS[status], "stars": stars or None,
            "band_stars": band or None, "capped": bool(band and stars != band),
            "score": cents / 100 if status != INELIGIBLE else None, "gates_failed": list(failed),
            "gates_unknown": list(unknown), "pembina": pembina[pem], "label_kemasan": label, "kandidat_go_global": glob, "movement": MOVEMENT[move],
            "gates": list(passed), "criteria": list(zip(crit, levels, points)),
        })
    return out


def _gate_patterns(facts: list[str]):
    """Gate results -> (failed facts, unknown facts, gate rows), worked out once per distinct pattern of results."""
    seen: dict[tuple, tuple] = {}

    def of(results: tuple) -> tuple:
        if results not in seen:
            seen[results] = (tuple(f for f, r in zip(facts, results) if r == GATE_FAIL),
                             tuple(f for f, r in zip(facts, results) if r == GATE_UNKNOWN),
                             tuple((f, RESULT[r]) for f, r in zip(facts, results) if r != GATE_NA))
        return seen[results]
    return of


def outcome_fields(outcome) -> dict[str, Any]:
    """A durable-path Outcome in the batch path's shape: the same fields, the same trace rows."""
    out = {"id": outcome.id, "edition": outcome.edition, **{k: getattr(outcome, k) for k in FIELDS}}
    out["gates"] = [(s["fact"], s["result"]) for s in outcome.trace if s["kind"] == "gate"]
    out["criteria"] = [(s["criterion"], s["level"], s["points"]) for s in outcome.trace if s["kind"] == "criterion"]
    return out


def differences(batch: dict, durable: dict) -> list[dict[str, Any]]:
    """Every field on which two outcome-field dicts disagree."""
    return [{"id": durable["id"], "field": k, "batch": batch.get(k), "durable": durable[k]}
            for k in durable if batch.get(k) != durable[k]]


def check_sample(assessments: list, n: int, seed: int = 0, *, ruleset: RuleSet,
                 batch: list[dict] | None = None, strict: bool = False) -> list[dict[str, Any]]:
    """Re-evaluate a random sample of `n` assessments through durable_rules and compare with the batch path.

    Returns the differences ([] when both paths agree); with strict=True raises AssertionError on any.
    `batch` may pass the batch results already computed for `assessments` (same order)."""
    from ..decide import Evaluator
    from ..inputs import Assessment
    items = [as_dict(a) for a in assessments]
    picked = sorted(Random(seed).sample(range(len(items)), min(n, len(items))))
    if batch is None:
        batch = BatchEvaluator(ruleset).evaluate_many([items[i] for i in picked])
    else:
        batch = [batch[i] for i in picked]
    evaluator, found = Evaluator(ruleset), []
    for i, mine in zip(picked, batch):
        a = assessments[i] if not isinstance(assessments[i], dict) else Assessment.model_validate(items[i])
        found += differences(mine, outcome_fields(evaluator.evaluate(a)))
    if strict and found:
        raise AssertionError(f"batch and durable paths disagree: {found[:5]}")
    return found
