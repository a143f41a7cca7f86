"""Run one edition's plan over a chunk of assessments (dicts in the assessors' format): columns out.

Every decision is an integer or exact comparison (see batch_plan). The result is columnar: one array
per outcome field and an (assessments x gates) and (assessments x criteria) matrix for the trace rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from itertools import repeat
from operator import is_, is_not, itemgetter

import numpy as np

from .plan import NO_LEVEL, Plan, classify_codes, classify_numbers

GATE_NA, GATE_FAIL, GATE_PASS, GATE_UNKNOWN = -1, 0, 1, 2  # unknown: the fact is absent (what-if only)
INELIGIBLE, NOT_AWARDED, AWARDED, CONDITIONAL = 0, 1, 2, 3
MOVEMENT_NONE, TURUN, TETAP, NAIK = -2, -1, 0, 1


class BatchInputError(ValueError):
    """An assessment the batch path cannot classify (a value outside every level: invalid input)."""


@dataclass
class Columns:
    """The outcomes of one chunk of one edition, field by field."""
    plan: Plan
    ids: list
    gate_result: np.ndarray  # (n, gates): GATE_NA / GATE_FAIL / GATE_PASS / GATE_UNKNOWN
    level: np.ndarray  # (n, criteria): 1-based level number
    points: np.ndarray  # (n, criteria)
    status: np.ndarray
    band: np.ndarray  # 0: no band
    stars: np.ndarray  # 0: no stars
    score_n: np.ndarray  # score = score_n / plan.q
    score_cents: np.ndarray  # round half-up of 100 * score
    pembina: np.ndarray  # index into plan.pembina, -1: none
    label: np.ndarray
    go_global: np.ndarray
    movement: np.ndarray
    cap_applied: np.ndarray | None = None  # (n, caps): the cap lowered (or would lower) the band

    def __len__(self) -> int:
        return len(self.ids)


def run(plan: Plan, items: list[dict]) -> Columns:
    n = len(items)
    gate_result = _gates(plan, items)
    eligible = ~(gate_result == GATE_FAIL).any(axis=1) if gate_result.size else np.ones(n, dtype=bool)
    level_pos = _levels(plan, items)
    score_n = np.zeros(n, dtype=plan.dtype)
    for j, coef in enumerate(plan.coef_points):
        score_n += coef[level_pos[:, j]]
    band = np.zeros(n, dtype=np.int64)
    for stars, need in reversed(plan.band_need):
        band[score_n >= need] = stars
    band[~eligible] = 0
    stars, cap_applied = _capped(plan, items, band, score_n, eligible)
    q = plan.q
    cents = (200 * score_n + q) // (2 * q)
    unknown = (gate_result == GATE_UNKNOWN).any(axis=1) if gate_result.size else np.zeros(n, dtype=bool)
    status = np.where(~eligible, INELIGIBLE, np.where(unknown, CONDITIONAL, np.where(stars > 0, AWARDED, NOT_AWARDED)))
    level = np.stack([plan.level_numbers[j][level_pos[:, j]] for j in range(len(plan.criteria))], axis=1) \
        if plan.criteria else np.zeros((n, 0), dtype=np.int64)
    points = np.stack([plan.level_points[j][level_pos[:, j]] for j in range(len(plan.criteria))], axis=1) \
        if plan.criteria else np.zeros((n, 0), dtype=np.int64)
    return Columns(plan, [a["id"] for a in items], gate_result, level, points, status, band, stars, score_n,
                   cents, _pembina(plan, stars), _at_least(stars, plan.label), _at_least(stars, plan.go_global),
                   _movement(plan, items, stars), cap_applied)


def _gates(plan: Plan, items: list[dict]) -> np.ndarray:
    gates, n = plan.c.gates, len(items)
    out = np.full((n, len(gates)), GATE_NA, dtype=np.int8)
    if not gates:
        return out
    commodities = [a["ikm"]["commodity"] for a in items]
    facts = [a["gates"] for a in items]
    for j, g in enumerate(gates):
        values = [f.get(g.fact) for f in facts]
        present = np.fromiter(map(is_not, values, repeat(None)), dtype=bool, count=n)
        applies = np.ones(n, dtype=bool) if g.applies_to is None else \
            np.fromiter(map(g.applies_to.__contains__, commodities), dtype=bool, count=n)
        present &= applies
        if isinstance(g.requires, bool):
            ok = np.fromiter(map(is_, values, repeat(g.requires)), dtype=bool, count=n)
        else:
            ok = _interval_holds(values, present, g.requires)
        out[:, j] = np.where(present, np.where(ok, GATE_PASS, GATE_FAIL), np.where(applies, GATE_UNKNOWN, GATE_NA))
    return out


def _interval_holds(values: list, present: np.ndarray, interval) -> np.ndarray:
    usable = [v if p and not isinstance(v, bool) else 0 for v, p in zip(values, present.tolist())]
    return classify_numbers(usable, [interval]) == 0


def _levels(plan: Plan, items: list[dict]) -> np.ndarray:
    n, names = len(items), plan.evidence
    if not names:
        return np.zeros((n, 0), dtype=np.int64)
    rows = list(map(itemgetter(*names), (a["evidence"] for a in items)))
    columns = list(zip(*rows)) if len(names) > 1 else [rows]
    pos = np.empty((n, len(names)), dtype=np.int64)
    for j, (cr, values) in enumerate(zip(plan.criteria, columns)):
        pos[:, j] = plan.classify(j, values)
        if (pos[:, j] == NO_LEVEL).any():
            bad = int(np.argmax(pos[:, j] == NO_LEVEL))
            raise BatchInputError(f"{items[bad]['id']}: criterion {cr.id}: {cr.evidence} = {values[bad]!r} "
                                  f"matches no level")
    return pos


def _capped(plan: Plan, items: list[dict], band: np.ndarray, score_n: np.ndarray,
            eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    stars = band.copy()
    applied = np.zeros((len(items), len(plan.caps)), dtype=bool)
    for k, ((cap, _), (applies, _)) in enumerate(zip(plan.caps, cap_states(plan, items, score_n, eligible))):
        applied[:, k] = applies
        stars = np.where(applies, np.minimum(stars, cap.max_stars), stars)
    return np.where(band > 0, stars, 0), applied


def _pembina(plan: Plan, stars: np.ndarray) -> np.ndarray:
    out = np.full(len(stars), -1, dtype=np.int64)
    for i in reversed(range(len(plan.pembina))):
        out[stars >= plan.pembina[i].min_stars] = i
    return out


def _at_least(stars: np.ndarray, min_stars: int | None) -> np.ndarray:
    return np.zeros(len(stars), dtype=bool) if min_stars is None else stars >= min_stars


def _movement(plan: Plan, items: list[dict], stars: np.ndarray) -> np.ndarray:
    out = np.full(len(items), MOVEMENT_NONE, dtype=np.int64)
    if not plan.movement:
        return out
    for i, a in enumerate(items):
        prev = a.get("previous")
        if prev is not None and plan.star_scale_of(prev["edition"]) == plan.scale_max:
            out[i] = np.sign(int(stars[i]) - prev["stars"])
    return out


def cap_states(plan: Plan, items: list[dict], score_n: np.ndarray, eligible: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per cap, as the trace reports it: (applied, requirements met) for every assessment."""
    out = []
    for cap, need in plan.caps:
        met = _requirements_met(cap, items)
        reach = score_n >= need if need is not None else np.zeros(len(items), dtype=bool)
        out.append((eligible & reach & ~met, eligible & met))
    return out


def _requirements_met(cap, items: list[dict]) -> np.ndarray:
    met = np.ones(len(items), dtype=bool)
    for r in cap.requires:
        values = [a["evidence"][r.evidence] for a in items]
        if r.codes is not None:
            met &= classify_codes(values, [r.codes]) == 0
        else:
            met &= classify_numbers(values, [r.interval]) == 0
    return met
