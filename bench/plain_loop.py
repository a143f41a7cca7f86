"""The benchmark's plain-Python executor: one loop over the Compiled rule set, exact Fractions, no trace.

It reads the same Compiled objects as the other executors (levels, bands, caps, weights,
consequences) and returns only the decision fields: status, stars, band_stars, score (exact).
"""
from __future__ import annotations

from fractions import Fraction

from engine.decide.compile import Compiled
from engine.rules.conditions import exact


def evaluate(c: Compiled, a: dict) -> tuple[str, int | None, int | None, Fraction | None]:
    commodity = a["ikm"]["commodity"]
    eligible = all(g.passes(a["gates"][g.fact]) for g in c.gates
                   if g.applies_to is None or commodity in g.applies_to)
    points: dict[str, int] = {}
    evidence = a["evidence"]
    for cr in c.criteria:
        value = evidence[cr.evidence]
        x = value if isinstance(value, str) else exact(value)
        level = next(lv for lv in cr.levels if (lv.interval.contains(x) if lv.interval is not None else x in lv.codes))
        points[cr.group] = points.get(cr.group, 0) + level.points
    score = _score(c, points)
    if not eligible:
        return "ineligible", None, None, None
    band = c.band_for(score)
    stars = band
    for cap in c.caps:
        need = c.threshold(cap.max_stars + 1)
        if band and need is not None and score >= need and not all(r.holds(evidence[r.evidence]) for r in cap.requires):
            stars = min(stars, cap.max_stars)
    return ("awarded" if stars else "not_awarded"), stars, band, score


def _score(c: Compiled, points: dict[str, int]) -> Fraction:
    groups = c.edition.groups
    if c.weights:
        return 100 * sum(c.weights[g.id] * Fraction(points.get(g.id, 0), g.max_points) for g in groups)
    return Fraction(100 * sum(points.values()), sum(g.max_points for g in groups))
