"""Value picking for the synthetic generator: a value inside a level or gate condition, boundaries included.

Values land on a closed boundary, just beside an open one, or anywhere inside, so that a synthetic
sample exercises the edges of every level ("x < 80" gets 79.9, "80 <= x" gets 80).
"""
from __future__ import annotations

import functools
import math
from fractions import Fraction
from random import Random

from ..rules import Criterion, Edition, Gate, Interval, exact
from .data import DECIMAL_EVIDENCE, SPAN

ON_BOUNDARY = 0.2
NEAR_BOUNDARY = 0.12
DECIMAL_SHARE = 0.3
GATE_SPAN = 40


def as_number(value: Fraction, integer: bool) -> int | float:
    """A Fraction as it will be written: a whole number as int, else a one-decimal float."""
    if value.denominator == 1:
        return int(value)
    if integer:
        raise ValueError(f"{value} is not whole")
    return float(round(value, 1))


def pick_in(rng: Random, iv: Interval, integer: bool, span: int, decimals: bool) -> int | float:
    """A value of `iv` (already cut to the evidence's domain): on, near or between its bounds."""
    iv = iv.integral() if integer else iv
    lo = iv.lo if iv.lo is not None else Fraction(0)
    hi = iv.hi if iv.hi is not None else max(lo + 1, Fraction(span))
    r = rng.random()
    step = Fraction(1) if integer else Fraction(rng.choice((1, 5)), 10)
    if r < ON_BOUNDARY:
        ends = [e for e, closed in ((iv.lo, iv.lo_closed), (iv.hi, iv.hi_closed)) if e is not None and closed]
        candidates = ends or [lo + step, hi - step]
    elif r < ON_BOUNDARY + NEAR_BOUNDARY:
        candidates = [lo + step, hi - step]
    else:
        candidates = [_between(rng, lo, hi, integer or not decimals)]
    value = rng.choice(candidates)
    for _ in range(8):
        if iv.contains(value):
            return as_number(value, integer)
        value = _between(rng, lo, hi, integer or not decimals)
    return as_number(iv.nearest(integer), integer)


def _between(rng: Random, lo: Fraction, hi: Fraction, whole: bool) -> Fraction:
    if whole or rng.random() >= DECIMAL_SHARE:
        a, b = math.ceil(lo), math.floor(hi)
        return Fraction(rng.randint(a, b)) if a <= b else lo
    tenths = rng.randint(math.ceil(lo * 10), math.floor(hi * 10))
    return Fraction(tenths, 10)


def ordered_levels(criterion: Criterion) -> list:
    return sorted(criterion.levels, key=lambda lv: lv.points)


@functools.lru_cache(maxsize=None)
def _parse(when: str) -> Interval:
    return Interval.parse(when)


def evidence_value(rng: Random, criterion: Criterion, level_index: int):
    """A value of the criterion's evidence that reaches its `level_index`-th level (by points)."""
    codes, iv, integer, span, decimals = _level_spec(criterion, level_index)
    if codes is not None:
        return rng.choice(codes)
    return pick_in(rng, iv, integer, span, decimals)


_SPECS: dict[tuple[int, int], tuple] = {}  # (id(criterion), level) -> (criterion, spec): worked out once


def _level_spec(criterion: Criterion, level_index: int) -> tuple:
    """The codes, or the interval cut to the domain, of a level, and how its values are written."""
    known = _SPECS.get((id(criterion), level_index))
    if known is not None and known[0] is criterion:
        return known[1]
    level = ordered_levels(criterion)[level_index]
    ev = criterion.evidence
    iv = None if level.codes is not None else _parse(level.when).intersect(Interval.domain(ev.min, ev.max))
    spec = (level.codes, iv, ev.type == "integer", SPAN.get(ev.name, 20), ev.name in DECIMAL_EVIDENCE)
    _SPECS[(id(criterion), level_index)] = (criterion, spec)  # the criterion is kept: its id is not reused
    return spec


def gate_value(rng: Random, gate: Gate, passes: bool):
    """A gate fact that meets (or fails) the gate's requirement."""
    if gate.requires is True or gate.requires is False:
        return gate.requires if passes else not gate.requires
    domain = Interval.domain(gate.min, gate.max)
    iv = Interval.parse(gate.requires)
    if not passes:
        iv = _complement(iv)
    return pick_in(rng, iv.intersect(domain), gate.type == "integer", GATE_SPAN, False)


def _complement(iv: Interval) -> Interval:
    """The values below a lower-bounded condition, or above an upper-bounded one."""
    if iv.lo is not None:
        return Interval(None, False, iv.lo, not iv.lo_closed)
    return Interval(iv.hi, not iv.hi_closed, None, False)


def score(model: Edition, points: dict[str, int]) -> Fraction:
    """The exact score of a choice of points per criterion, as CRITERIA.md §2 defines it."""
    if model.score.method == "points_over_max":
        return Fraction(100 * sum(points.values()), model.max_points())
    by_group: dict[str, int] = {}
    for c in model.criteria:
        by_group[c.group] = by_group.get(c.group, 0) + points[c.id]
    maxima = {g.id: g.max_points for g in model.groups}
    return 100 * sum(exact(w) * Fraction(by_group.get(g, 0), maxima[g]) for g, w in model.score.weights.items())


def score_range(model: Edition, stars: int) -> tuple[Fraction, Fraction]:
    """[low, high) of the scores that give `stars` by band (0: below the lowest band)."""
    bands = sorted(model.bands, key=lambda b: b.min_score)
    floors = [Fraction(0)] + [exact(b.min_score) for b in bands]
    tops = [exact(b.min_score) for b in bands] + [Fraction(101)]
    index = 0 if stars == 0 else 1 + [b.stars for b in bands].index(stars)
    return floors[index], tops[index]


_SCORERS: dict[int, tuple] = {}  # id(model) -> (model, table): worked out once per edition


def scorer(model: Edition) -> tuple[dict[str, tuple[int, ...]], dict[str, int], int]:
    """The exact score as integers: score = sum(coef[c] * points[c][level]) / D, with per criterion its
    points by level (ordered as `ordered_levels`) and its coefficient (the same value as `score`)."""
    known = _SCORERS.get(id(model))
    if known is not None and known[0] is model:
        return known[1]
    points = {c.id: tuple(lv.points for lv in ordered_levels(c)) for c in model.criteria}
    if model.score.method == "points_over_max":
        per_group = {c.group: Fraction(100, model.max_points()) for c in model.criteria}
    else:
        maxima = {g.id: g.max_points for g in model.groups}
        per_group = {g: 100 * exact(w) / maxima[g] for g, w in model.score.weights.items()}
    d = math.lcm(*(f.denominator for f in per_group.values())) if per_group else 1
    coef = {c.id: int(per_group.get(c.group, 0) * d) for c in model.criteria}
    _SCORERS[id(model)] = (model, (points, coef, d))
    return points, coef, d
