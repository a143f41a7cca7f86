"""Bands and reachability: bands ordered and on the star scale, every star has a band, and every band
holds some score an assessment can get (counted exactly, by dynamic programming over the levels)."""
from __future__ import annotations

from collections import Counter
from fractions import Fraction

from ..errors import Diagnostic
from . import fixes
from .conditions import exact, fmt
from .messages import t
from .model import Edition
from .resolve import Resolved

SCORED = {"criteria", "groups", "score", "bands", "star_scale"}  # what the achievable scores depend on


def _bands(res: Resolved, ed: Edition) -> list[Diagnostic]:
    scale, out = ed.star_scale, []
    if scale.min > scale.max:
        out.append(res.diagnostic(("star_scale",), ("min",), t("scale_min_max", low=scale.min, high=scale.max),
                                   t("min_below_max_ok")))
    for i, band in enumerate(ed.bands):
        if not scale.min <= band.stars <= scale.max:
            out.append(res.diagnostic(("bands",), (i, "stars"), t("outside_scale", stars=band.stars),
                                      t("from_to", low=scale.min, high=scale.max)))
    for stars, n in Counter(b.stars for b in ed.bands).items():
        if n > 1:
            out.append(res.diagnostic(("bands",), (), t("bands_same_stars", n=n, stars=stars), t("one_band_per_star")))
    ordered = sorted(enumerate(ed.bands), key=lambda p: p[1].stars)
    for (_, low), (j, high) in zip(ordered, ordered[1:]):
        if low.stars < high.stars and exact(high.min_score) <= exact(low.min_score):
            out.append(res.diagnostic(("bands",), (j, "min_score"), t("bands_order", high_stars=high.stars,
                                      high=fmt(exact(high.min_score)), low=fmt(exact(low.min_score)), low_stars=low.stars),
                                      t("more_than", value=fmt(exact(low.min_score)))))
    return out


def achievable_scores(ed: Edition, weights: dict[str, Fraction] | None = None) -> set[Fraction]:
    """Every score some assessment can get, exactly: totals by dynamic programming over criteria."""
    def totals(criteria):
        sums = {0}
        for c in criteria:
            sums = {s + level.points for s in sums for level in c.levels}
        return sums
    if ed.score.method == "points_over_max":
        top = ed.max_points()
        return {Fraction(100 * n, top) for n in totals(ed.criteria)} if top else set()
    weights = weights or {g: exact(w) for g, w in ed.score.weights.items()}
    scores = {Fraction(0)}
    for g in ed.groups:
        part = {100 * weights[g.id] * Fraction(n, g.max_points) for n in totals([c for c in ed.criteria if c.group == g.id])}
        scores = {s + p for s in scores for p in part}
    return scores


def _weights_for_reach(ed: Edition) -> tuple[dict[str, Fraction] | None, bool]:
    """The weights to count reachable scores with, and whether they were scaled to sum to 1; (None, _) when
    the weights do not name the groups (that problem is reported by itself). A sum other than 1 is reported
    by itself too: counting with the weights scaled to 1 finds the stars unreachable for another reason."""
    if ed.score.method == "points_over_max":
        return {}, False
    weights = {g: exact(w) for g, w in (ed.score.weights or {}).items()}
    if set(weights) != {g.id for g in ed.groups} or any(w < 0 for w in weights.values()):
        return None, False
    total = sum(weights.values(), Fraction(0))
    if total == 0:
        return None, False
    return ({g: w / total for g, w in weights.items()}, True) if total != 1 else (weights, False)


def _reachable(res: Resolved, ed: Edition) -> list[Diagnostic]:
    if {"bands", "star_scale"} & res.broken or _bands(res, ed):
        return []  # unordered bands, or bands that could not be read: reachability would only repeat the cause
    bands = sorted(((exact(b.min_score), b.stars, i) for i, b in enumerate(ed.bands)), reverse=True)
    out, lows = [], {stars: (low, i) for low, stars, i in bands}
    stars_on_scale = range(ed.star_scale.min, ed.star_scale.max + 1)
    for stars in stars_on_scale:
        if stars not in lows:
            out.append(res.diagnostic(("bands",), (), t("no_band", stars=stars),
                                      t("band_every_star", low=ed.star_scale.min, high=ed.star_scale.max),
                                      fix=fixes.missing_bands(res)))
    weights, scaled = _weights_for_reach(ed)
    if weights is None or res.broken & SCORED:
        return out
    scores = achievable_scores(ed, weights or None)
    reached = {next((stars for low, stars, _ in bands if score >= low), None) for score in scores}
    high = max(scores, default=Fraction(0))
    for stars in stars_on_scale:
        if stars in reached or stars not in lows:
            continue
        low, i = lows[stars]
        out.append(res.diagnostic(("bands",), (i, "min_score"), t("unreachable", stars=stars, low=fmt(low), high=fmt(high),
                                                                  scaled=t("unreachable_scaled") if scaled else ""),
                                  t("unreachable_ok")))
    return out


