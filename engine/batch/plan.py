"""One compiled edition as array operations: the batch path's plan, read from the same `Compiled` object.

Nothing here restates a rule. Levels, intervals, codes, bands, caps, weights and consequences are read
from `Compiled` (and its edition model) when the plan is built; the plan only turns them into lookup
arrays and exact integer constants.

Exactness:
  * A numeric column is classified by `Segments` (float comparisons with the bounds, exact when every bound
    is a decimal of at most 15 significant digits: see there); otherwise once per distinct value: `np.unique` groups the values
    (as float64 keys, which is exact for Python floats and for integers below 2**53), each distinct
    value becomes the exact Fraction of the number as written (as `conditions.exact` does) and is
    matched against the level intervals with Fraction comparisons; the level index is mapped back.
    Integers of 2**53 or more fall back to one exact comparison per value.
  * The score is never a float. With weights w_g = W_g / Dw (common denominator Dw) and
    L = lcm of the group maxima m_g, score = N / Q with N = sum_g 100 * W_g * (L / m_g) * points_g and
    Q = Dw * L (unweighted: N = 100 * sum points, Q = sum maxima). A band threshold t is reached
    when N >= ceil(t * Q), an integer comparison. N fits int64 for every edition we know; when its
    largest possible value would not, the arrays use Python integers (dtype=object) instead.
  * The reported score is round-half-up to 2 decimals of N / Q, computed as (200 N + Q) // (2 Q).
"""
from __future__ import annotations

import math
from fractions import Fraction
from functools import reduce
from itertools import repeat

import numpy as np

from ..decide import Compiled
from ..rules import Interval, exact

EXACT_FLOAT_LIMIT = 2.0**53
INT64_SAFE = 2**62
NO_LEVEL = -1
KNOWN_LIMIT = 100_000  # distinct values remembered per column, then forgotten (memory stays flat)


def lcm(values) -> int:
    return reduce(lambda a, b: a * b // math.gcd(a, b), values, 1)


def classify_numbers(values, intervals: list[Interval], known: dict | None = None,
                     segments: "Segments | None | bool" = True) -> np.ndarray:
    """For each value, the position of the first interval holding its exact value (-1: none).

    `values` is a list or a float64 array; `known` (float key -> position) remembers the distinct values of
    earlier chunks of one column (the exact path, for bounds that `Segments` cannot compare as floats);
    `segments`: the intervals' `segments_of`, worked out already (True: look them up)."""
    arr = np.asarray(values, dtype=np.float64)
    if arr.size and np.abs(arr).max() >= EXACT_FLOAT_LIMIT:
        cache: dict = {}
        items = values.tolist() if isinstance(values, np.ndarray) else values
        return np.fromiter((_memo(cache, v, intervals) for v in items), dtype=np.int64, count=len(values))
    segments = segments_of(intervals) if segments is True else segments
    if segments is not None and np.isfinite(arr).all():
        return segments.classify(arr)
    uniques, inverse = np.unique(arr, return_inverse=True)
    known = {} if known is None else known
    if len(known) > KNOWN_LIMIT:
        known.clear()
    found = np.array([_known(known, u, intervals) for u in uniques.tolist()], dtype=np.int64)
    return found[inverse.reshape(-1)] if found.size else found


class Segments:
    """First-hit classification over intervals by float comparisons: the bounds cut the line into points and
    open segments, each of which one interval (or none) holds first, worked out exactly once.

    Exact for every finite float u (whose exact value is its shortest decimal, `conditions.exact`) and every
    integer below 2**53, when each bound is a decimal of at most 15 significant digits: two distinct such
    decimals are distinct doubles, so u == float(b) only when exact(u) == b, and rounding keeps the order."""

    def __init__(self, intervals: list[Interval], points: list[Fraction]):
        self.bounds = np.array([float(p) for p in points], dtype=np.float64)
        self.at = np.array([_first(p, intervals) for p in points], dtype=np.int64)
        inner = [(a + b) / 2 for a, b in zip(points, points[1:])]
        reps = [points[0] - 1, *inner, points[-1] + 1] if points else [Fraction(0)]
        self.between = np.array([_first(r, intervals) for r in reps], dtype=np.int64)

    def classify(self, arr: np.ndarray) -> np.ndarray:
        if not len(self.bounds):
            return np.full(len(arr), self.between[0], dtype=np.int64)
        idx = np.searchsorted(self.bounds, arr, side="left")  # bounds[idx - 1] < v <= bounds[idx]
        hit = np.minimum(idx, len(self.bounds) - 1)
        return np.where(self.bounds[hit] == arr, self.at[hit], self.between[idx])


_SEGMENTS: dict[tuple, Segments | None] = {}


def segments_of(intervals: list[Interval]) -> Segments | None:
    """The intervals' `Segments`, or None when a bound is not a decimal of at most 15 significant digits."""
    key = tuple(intervals)
    if key not in _SEGMENTS:
        points = sorted({b for iv in intervals for b in (iv.lo, iv.hi) if b is not None})
        _SEGMENTS[key] = Segments(intervals, points) if all(map(_short_decimal, points)) else None
        if len(_SEGMENTS) > 4096:  # pragma: no cover - rule sets have far fewer
            _SEGMENTS.clear()
    return _SEGMENTS[key]


def _short_decimal(b: Fraction) -> bool:
    """A decimal of at most 15 significant digits, within the range of normal doubles (or 0)."""
    if b == 0:
        return True
    if not 1e-290 < abs(b) < 1e290:
        return False
    d = b.denominator
    for p in (2, 5):
        while d % p == 0:
            d //= p
    if d != 1:
        return False
    scaled = b
    while scaled.denominator != 1:
        scaled *= 10
    return len(str(abs(scaled.numerator)).rstrip("0")) <= 15


def _known(known: dict, u: float, intervals: list[Interval]) -> int:
    pos = known.get(u)
    if pos is None:
        x = Fraction(int(u)) if u.is_integer() else exact(u)
        pos = known[u] = _first(x, intervals)
    return pos


def _memo(cache: dict, value, intervals: list[Interval]) -> int:
    key = (type(value), value)
    if key not in cache:
        cache[key] = _first(exact(value), intervals)
    return cache[key]


def _first(x: Fraction, intervals: list[Interval]) -> int:
    return next((i for i, iv in enumerate(intervals) if iv.contains(x)), NO_LEVEL)


def classify_codes(values: list, code_sets: list[tuple[str, ...]]) -> np.ndarray:
    """For each code, the position of the first code set holding it (-1: none)."""
    index: dict = {}
    for i, codes in enumerate(code_sets):
        for code in codes:
            index.setdefault(code, i)
    try:
        return np.fromiter(map(index.get, values, repeat(NO_LEVEL)), dtype=np.int64, count=len(values))
    except TypeError:  # an unhashable value (a list, a mapping) is no code
        return np.array([index.get(v, NO_LEVEL) if isinstance(v, str) else NO_LEVEL for v in values], dtype=np.int64)


class Plan:
    """Lookup arrays and exact integer constants of one compiled edition."""

    def __init__(self, c: Compiled, star_scale_of):
        self.c = c
        ed = c.edition
        self.criteria = c.criteria
        self.criterion_ids = [cr.id for cr in c.criteria]
        self.evidence = [cr.evidence for cr in c.criteria]
        self.level_numbers = [np.array([lv.index for lv in cr.levels], dtype=np.int64) for cr in c.criteria]
        self.level_points = [np.array([lv.points for lv in cr.levels], dtype=np.int64) for cr in c.criteria]
        self.intervals = [[lv.interval for lv in cr.levels] if cr.levels[0].interval is not None else None
                          for cr in c.criteria]
        self.code_sets = [[lv.codes for lv in cr.levels] for cr in c.criteria]
        self.known: list[dict] = [{} for _ in c.criteria]
        self.segments = [None if iv is None else segments_of(iv) for iv in self.intervals]
        self._score_constants(c)
        self.band_need = [(stars, self._need(t)) for stars, t in c.bands]
        self.caps = [(cap, self._need(c.threshold(cap.max_stars + 1))) for cap in c.caps]
        cons = ed.consequences
        self.pembina = sorted(cons.pembina or [], key=lambda m: -m.min_stars)
        self.label = cons.label_kemasan.min_stars if cons.label_kemasan is not None else None
        self.go_global = cons.kandidat_go_global.min_stars if cons.kandidat_go_global is not None else None
        self.movement = cons.movement is not None
        self.scale_max = ed.star_scale.max
        self.star_scale_of = star_scale_of

    def classify(self, j: int, values: list) -> np.ndarray:
        """0-based level position of every value of criterion j's evidence (-1: no level)."""
        if self.intervals[j] is not None:
            return classify_numbers(values, self.intervals[j], self.known[j], self.segments[j])
        return classify_codes(values, self.code_sets[j])

    def _score_constants(self, c: Compiled) -> None:
        groups = c.edition.groups
        if c.weights:
            dw = lcm(w.denominator for w in c.weights.values())
            big_l = lcm(g.max_points for g in groups)
            per_group = {g.id: 100 * int(c.weights[g.id] * dw) * (big_l // g.max_points) for g in groups}
            self.q = dw * big_l
        else:
            per_group = {g.id: 100 for g in groups}
            self.q = sum(g.max_points for g in groups)
        largest = sum(per_group[cr.group] * cr.max_points for cr in c.criteria) * 200 + self.q
        self.dtype = np.int64 if largest < INT64_SAFE else object
        self.coef_points = [np.array([per_group[cr.group] * p for p in pts.tolist()], dtype=self.dtype)
                            for cr, pts in zip(c.criteria, self.level_points)]

    def _need(self, t: Fraction | None) -> int | None:
        """The least N with N / Q >= t."""
        return None if t is None else math.ceil(t * self.q)
