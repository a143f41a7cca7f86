"""Evaluate assessments against compiled editions: the engine decides, this module keeps the record.

Per assessment, one engine session runs three stages (see compile.py); what fired becomes the trace.
Arithmetic between stages (subtotals, the score) is exact, with Fractions.
"""
from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

from ..errors import Diagnostic, OvopError
from ..rules import RuleSet, exact, fmt
from . import whatittakes
from .compile import Compiled, compile_edition
from .durable_adapter import EngineError
from .outcome import Outcome, number, provenance, round_half_up

_sessions = itertools.count(1)


class Evaluator:
    """Compiled editions of one rule set, side by side; each compiled once, on first use."""

    def __init__(self, ruleset: RuleSet):
        self.ruleset = ruleset
        self._compiled: dict[str, Compiled] = {}

    def compiled(self, edition: str) -> Compiled:
        if edition not in self._compiled:
            try:
                self._compiled[edition] = compile_edition(self.ruleset.get(edition))
            except EngineError as exc:
                raise OvopError(Diagnostic(self.ruleset.get(edition).files[-1], message=str(exc))) from None
        return self._compiled[edition]

    def evaluate(self, assessment) -> Outcome:
        c = self.compiled(assessment.edition)
        try:
            return _evaluate(c, assessment, self._scale_of)
        except EngineError as exc:
            raise OvopError(Diagnostic("engine", message=f"{assessment.id}: {exc}")) from None

    def ahead(self, assessment, outcome: Outcome) -> dict | None:
        """Up to three ranked ways to the next star (or, if ineligible, what it would get with its gates fixed)."""
        return whatittakes.ranked(self.compiled(assessment.edition), assessment, outcome)

    def evaluate_all(self, assessments) -> list[Outcome]:
        return [self.evaluate(a) for a in assessments]

    def _scale_of(self, edition: str) -> int | None:
        res = self.ruleset.editions.get(edition)
        return res.model.star_scale.max if res else None


def _evaluate(c: Compiled, a, scale_of) -> Outcome:
    run = _run_engine(c, a, scale_of)
    status = "ineligible" if run.failed else ("conditional" if run.unknown else ("awarded" if run.stars else "not_awarded"))
    trace = run.gates + [_criterion_step(c, a, cr, lv) for cr, lv in run.levels] + run.subtotals
    if not run.failed:
        trace += [_score_step(c, run.levels, run.score), _band_step(c, run.band, run.score)] + run.caps
    trace += _consequence_steps(c, run.conseq, run.stars)
    trace = [{"step": n, **step} for n, step in enumerate(trace, start=1)]
    outcome = Outcome.model_construct(  # every field built here with its type: validating them again costs ~10%
        id=a.id, edition=c.id, status=status, stars=run.stars, band_stars=run.band,
        capped=bool(run.band and run.stars != run.band), score=None if run.failed else round_half_up(run.score),
        gates_failed=run.failed, gates_unknown=run.unknown, pembina=run.conseq.get("pembina"), label_kemasan=bool(run.conseq.get("label_kemasan")),
        kandidat_go_global=bool(run.conseq.get("kandidat_go_global")), movement=run.conseq.get("movement"),
        ruleset_hash=c.hash, trace=trace)
    outcome.what_it_takes = whatittakes.compute(c, a, outcome, run.levels, run.score)
    return outcome


@dataclass
class _Run:
    """What the engine decided in one session, stage by stage."""
    gates: list[dict]
    failed: list[str]
    levels: list[tuple]
    subtotals: list[dict]
    score: Fraction
    band: int | None = None
    caps: list[dict] = field(default_factory=list)
    stars: int | None = None
    conseq: dict[str, Any] = field(default_factory=dict)
    unknown: list[str] = field(default_factory=list)  # gate facts absent (what-if): scored as if they pass


def _run_engine(c: Compiled, a, scale_of) -> _Run:
    """One engine session, three stages; the session's state is deleted whatever happens."""
    sid, engine = f"s{next(_sessions)}", c.engine
    try:
        fired = engine.assert_fact({**_stage1(c, a), "sid": sid})
        gates = _gate_steps(c, a, fired)
        levels = _levels(c, a, fired)
        subtotals, score = _score(c, levels)
        run = _Run(gates, [s["fact"] for s in gates if s["result"] == "fail"], levels, subtotals, score,
                   unknown=[s["fact"] for s in gates if s["result"] == "unknown"])
        fired = engine.assert_fact(_stage2(c, a, sid, score, not run.failed))
        if not run.failed:
            run.band = _band(c, fired)
            run.caps = _cap_steps(c, a, fired, run.band)
            run.stars = min([run.band] + [s["max_stars"] for s in run.caps if s["applied"]]) if run.band else None
        comparable, delta = _movement_input(c, a, run.stars, scale_of)
        fired = engine.assert_fact({"sid": sid, "id": "c", "t": "c", "stars": run.stars or 0,
                                    "comparable": comparable, "delta": delta})
        run.conseq = _consequences(c, fired)
        return run
    finally:
        engine.delete(sid)


def _stage1(c: Compiled, a) -> dict[str, Any]:
    fact: dict[str, Any] = {"id": "a", "t": "a", "commodity": a.ikm.commodity}
    for g in c.gates:
        if g.fact in a.gates:
            fact[f"g_{g.fact}"] = _engine_value(a.gates[g.fact])
    for cr in c.criteria:
        fact[f"e_{cr.evidence}"] = _engine_value(a.evidence[cr.evidence])
    return fact


def _engine_value(value):
    return value if isinstance(value, (bool, str)) else exact(value)


def _stage2(c: Compiled, a, sid: str, score: Fraction, eligible: bool) -> dict[str, Any]:
    fact = {"sid": sid, "id": "s", "t": "s", "eligible": eligible, "score_k": (score * c.scale).__floor__()}
    for cap in c.caps:
        for r in cap.requires:
            fact[f"e_{r.evidence}"] = _engine_value(a.evidence[r.evidence])
    return fact


def _gate_steps(c: Compiled, a, fired: list[str]) -> list[dict]:
    steps = []
    for g in c.gates:
        result = next((r for r in ("pass", "fail", "unknown") if f"gate/{g.fact}/{r}" in fired), None)
        if result is None:
            continue  # the gate does not apply to this commodity
        steps.append({"kind": "gate", "rule": f"gate/{g.fact}", "provenance": provenance(c.edition, g.model.provenance),
                      "fact": g.fact, "required": g.required_text(), "actual": number(a.gates.get(g.fact)),
                      "result": result, "fired": f"gate/{g.fact}/{result}"})
    return steps


def _levels(c: Compiled, a, fired: list[str]) -> list[tuple]:
    fired_set, out = set(fired), []
    for cr in c.criteria:
        matched = [lv for lv in cr.levels if lv.rule in fired_set]
        if len(matched) != 1:
            raise EngineError(f"criterion {cr.id}: {len(matched)} levels fired for {cr.evidence} = "
                              f"{a.evidence.get(cr.evidence)!r} (expected exactly one)")
        out.append((cr, matched[0]))
    return out


def _criterion_step(c: Compiled, a, cr, lv) -> dict:
    value = a.evidence[cr.evidence]
    above = [{"level": h.index, "points": h.points, "condition": h.condition(cr.evidence)}
             for h in cr.levels if h.points > lv.points]
    return {"kind": "criterion", "rule": lv.rule, "provenance": provenance(c.edition, lv.provenance),
            "criterion": cr.id, "group": cr.group, "aspect": cr.aspect, "evidence": cr.evidence,
            "value": number(value), "level": lv.index, "condition": lv.condition(cr.evidence),
            "points": lv.points, "max_points": cr.max_points, "not_met": above}


def _score(c: Compiled, levels) -> tuple[list[dict], Fraction]:
    steps, per_group = [], {}
    for g in c.edition.groups:
        pts = sum(lv.points for cr, lv in levels if cr.group == g.id)
        per_group[g.id] = (pts, g.max_points)
        aspects = [{"aspect": asp.id, "points": sum(lv.points for cr, lv in levels if cr.group == g.id and cr.aspect == asp.id),
                    "max_points": asp.max_points} for asp in g.aspects]
        step = {"kind": "subtotal", "rule": f"group/{g.id}", "provenance": provenance(c.edition, g.provenance),
                "group": g.id, "points": pts, "max_points": g.max_points}
        if aspects:
            step["aspects"] = aspects
        steps.append(step)
    if c.weights:
        score = 100 * sum(c.weights[g] * Fraction(p, m) for g, (p, m) in per_group.items())
    else:
        score = Fraction(100 * sum(p for p, _ in per_group.values()), sum(m for _, m in per_group.values()))
    return steps, score


def _score_step(c: Compiled, levels, score: Fraction) -> dict:
    groups = {g.id: (sum(lv.points for cr, lv in levels if cr.group == g.id), g.max_points) for g in c.edition.groups}
    if c.weights:
        terms = " + ".join(f"{fmt(c.weights[g])} × {p}/{m}" for g, (p, m) in groups.items())
        arithmetic = f"100 × ({terms}) = {fmt(score)}"
    else:
        total, maximum = sum(p for p, _ in groups.values()), sum(m for _, m in groups.values())
        arithmetic = f"100 × {total} / {maximum} = {fmt(score)}"
    exact_text = f"{score.numerator}/{score.denominator}" if score.denominator != 1 else str(score.numerator)
    return {"kind": "score", "rule": "score", "provenance": provenance(c.edition, c.edition.score.provenance),
            "method": c.edition.score.method, "arithmetic": arithmetic, "exact": exact_text,
            "score": round_half_up(score)}


def _band(c: Compiled, fired: list[str]) -> int | None:
    bands = [r for r in fired if r.startswith("band/")]
    if len(bands) != 1:
        raise EngineError(f"{len(bands)} bands fired (expected exactly one)")
    return None if bands[0] == "band/none" else int(bands[0].split("/")[1])


def _band_step(c: Compiled, band: int | None, score: Fraction) -> dict:
    higher = [(s, t) for s, t in c.bands if band is None or s > band]
    nxt = {"stars": higher[-1][0], "min_score": number(higher[-1][1])} if higher else None
    model = next((b for b in c.edition.bands if b.stars == band), c.edition.bands[-1])
    return {"kind": "band", "rule": f"band/{band if band else 'none'}", "provenance": provenance(c.edition, model.provenance),
            "stars": band, "min_score": number(c.threshold(band)) if band else None, "score": round_half_up(score),
            "next": nxt}


def _cap_steps(c: Compiled, a, fired: list[str], band: int | None) -> list[dict]:
    steps = []
    for cap in c.caps:
        applied = f"cap/{cap.id}/applies" in fired
        conds = [{"condition": r.text(), "actual": number(a.evidence[r.evidence]), "met": r.holds(a.evidence[r.evidence])}
                 for r in cap.requires]
        if applied:
            reason = "requirements_not_met"
        elif f"cap/{cap.id}/met" in fired:
            reason = "requirements_met"
        else:
            reason = "band_within_cap"
        steps.append({"kind": "cap", "rule": f"cap/{cap.id}", "provenance": provenance(c.edition, cap.model.provenance),
                      "cap": cap.id, "max_stars": cap.max_stars, "applied": applied, "reason": reason,
                      "requires": conds, "band_stars": band})
    return steps


def _movement_input(c: Compiled, a, stars: int | None, scale_of) -> tuple[bool, int]:
    prev = getattr(a, "previous", None)
    if c.edition.consequences.movement is None or prev is None:
        return False, 0
    comparable = scale_of(prev.edition) == c.edition.star_scale.max
    return comparable, (stars or 0) - prev.stars if comparable else 0


def _consequences(c: Compiled, fired: list[str]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for rule in fired:
        parts = rule.split("/")
        if parts[0] != "consequence":
            continue
        out[parts[1]] = parts[2] if len(parts) > 2 else True
    return out


def _consequence_steps(c: Compiled, conseq: dict, stars: int | None) -> list[dict]:
    cons, steps = c.edition.consequences, []
    if cons.pembina:
        chosen = next((m for m in cons.pembina if m.value == conseq.get("pembina")), None)
        steps.append({"kind": "consequence", "rule": f"consequence/pembina/{chosen.value}" if chosen else "consequence/pembina",
                      "provenance": provenance(c.edition, (chosen or cons.pembina[-1]).provenance), "name": "pembina",
                      "value": conseq.get("pembina"), "condition": f"stars >= {chosen.min_stars}" if chosen else "no stars"})
    for name in ("label_kemasan", "kandidat_go_global"):
        th = getattr(cons, name)
        if th is not None:
            steps.append({"kind": "consequence", "rule": f"consequence/{name}", "provenance": provenance(c.edition, th.provenance),
                          "name": name, "value": bool(conseq.get(name)), "condition": f"stars >= {th.min_stars}"})
    if cons.movement is not None:
        steps.append({"kind": "consequence", "rule": "consequence/movement", "provenance": provenance(c.edition, cons.movement.provenance),
                      "name": "movement", "value": conseq.get("movement"),
                      "condition": "previous result on the same star scale"})
    return steps
