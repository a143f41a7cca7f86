"""Run one edition's plan over a chunk of assessments (records, or their coded columns: engine.batch.columns).

Every decision is an integer or exact comparison (see batch_plan). The result is columnar: one array
per outcome field and an (assessments x gates) and (assessments x criteria) matrix for the trace rows.
"""
from __future__ import annotations

from dataclasses import dataclass, fields, replace
from functools import lru_cache

import numpy as np

from .columns import Inputs, codes_of, columns_of
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

    @staticmethod
    def joined(parts: list["Columns"]) -> "Columns":
        """The outcomes of several chunks of one plan, one after another."""
        first = parts[0]
        arrays = {f.name: np.concatenate([getattr(p, f.name) for p in parts]) for f in fields(first)
                  if isinstance(getattr(first, f.name), np.ndarray)}
        return replace(first, ids=[i for p in parts for i in p.ids], **arrays)

    def take(self, idx) -> "Columns":
        """The outcomes of some assessments of the chunk (indices, in the order given)."""
        idx = np.asarray(idx, dtype=np.int64)
        arrays = {f.name: getattr(self, f.name)[idx] for f in fields(self)
                  if isinstance(getattr(self, f.name), np.ndarray)}
        return replace(self, ids=[self.ids[i] for i in idx.tolist()], **arrays)


def run(plan: Plan, items: list[dict] | Inputs) -> Columns:
    """The plan over one chunk: records, or their coded columns (`Inputs`, engine.batch.columns)."""
    return decide(plan, items if isinstance(items, Inputs) else columns_of(plan, items))


def decide(plan: Plan, inp: Inputs, like: Columns | None = None) -> Columns:
    """The decisions of one chunk from its coded columns: numpy throughout. `like`: another plan's decisions on
    these very `inp` (a draft's base, in an impact run); the gates, or the levels and score, that the two plans
    work out alike (`alike`) are taken from it (its arrays, not copies: neither is changed after)."""
    n = len(inp)
    gates_alike, levels_alike = alike(plan, like.plan) if like is not None else (False, False)
    gate_result = like.gate_result if gates_alike else _gates(plan, inp)
    eligible = ~(gate_result == GATE_FAIL).any(axis=1) if gate_result.size else np.ones(n, dtype=bool)
    level, points, score_n, cents = ((like.level, like.points, like.score_n, like.score_cents) if levels_alike
                                     else _scored(plan, inp))
    band = np.zeros(n, dtype=np.int64)
    for stars, need in reversed(plan.band_need):
        band[score_n >= need] = stars
    band[~eligible] = 0
    stars, cap_applied = _capped(plan, inp, band, score_n, eligible)
    unknown = (gate_result == GATE_UNKNOWN).any(axis=1) if gate_result.size else np.zeros(n, dtype=bool)
    status = np.where(~eligible, INELIGIBLE, np.where(unknown, CONDITIONAL, np.where(stars > 0, AWARDED, NOT_AWARDED)))
    return Columns(plan, inp.ids, gate_result, level, points, status, band, stars, score_n,
                   cents, _pembina(plan, stars), _at_least(stars, plan.label), _at_least(stars, plan.go_global),
                   _movement(plan, inp, stars), cap_applied)


def _scored(plan: Plan, inp: Inputs) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Each criterion's level number and points, the score (numerator over plan.q) and its hundredths."""
    n = len(inp)
    level_pos = _levels(plan, inp)
    score_n = np.zeros(n, dtype=plan.dtype)
    for j, coef in enumerate(plan.coef_points):
        score_n += coef[level_pos[:, j]]
    q = plan.q
    cents = (200 * score_n + q) // (2 * q)
    # column-major (each criterion's column contiguous): filled a column at a time, no strided copies
    level = np.empty((n, len(plan.criteria)), dtype=np.int64, order="F")
    points = np.empty((n, len(plan.criteria)), dtype=np.int64, order="F")
    for j in range(len(plan.criteria)):
        np.take(plan.level_numbers[j], level_pos[:, j], out=level[:, j])
        np.take(plan.level_points[j], level_pos[:, j], out=points[:, j])
    return level, points, score_n, cents


@lru_cache(maxsize=64)  # a Plan hashes and compares by identity
def alike(a: Plan, b: Plan) -> tuple[bool, bool]:
    """Whether two plans work out the same gate results, and the same levels, points and score, from the same
    coded columns: the same compiled gates over the same commodity codes; the same compiled criteria (levels,
    intervals, codes, points, groups), code lists and score constants. Bands, caps and consequences may differ."""
    ca, cb = codes_of(a), codes_of(b)
    gates = ca.commodities == cb.commodities and a.c.gates == b.c.gates
    levels = (a.criteria == b.criteria and ca.evidence == cb.evidence and a.q == b.q and a.dtype == b.dtype
              and len(a.coef_points) == len(b.coef_points)
              and all(np.array_equal(x, y) for x, y in zip(a.coef_points, b.coef_points))
              and ca.levels.keys() == cb.levels.keys()
              and all(np.array_equal(ca.levels[j], cb.levels[j]) for j in ca.levels))
    return gates, levels


def _gates(plan: Plan, inp: Inputs) -> np.ndarray:
    gates, n = plan.c.gates, len(inp)
    out = np.full((n, len(gates)), GATE_NA, dtype=np.int8)
    if not gates:
        return out
    codes = codes_of(plan)
    for j, g in enumerate(gates):
        state = inp.gate_state[g.fact]
        applies = codes.applies[g.fact][inp.commodity]  # index -1: a commodity none of the lists
        present = (state != -1) & applies
        if isinstance(g.requires, bool):
            ok = state == (1 if g.requires else 0)
        else:
            ok = classify_numbers(inp.gate_value[g.fact], [g.requires]) == 0
        out[:, j] = np.where(present, np.where(ok, GATE_PASS, GATE_FAIL), np.where(applies, GATE_UNKNOWN, GATE_NA))
    return out


def _levels(plan: Plan, inp: Inputs) -> np.ndarray:
    n, names = len(inp), plan.evidence
    if not names:
        return np.zeros((n, 0), dtype=np.int64)
    codes = codes_of(plan)
    pos = np.empty((n, len(names)), dtype=np.int64, order="F")  # a column per criterion, contiguous
    for j, (cr, name) in enumerate(zip(plan.criteria, names)):
        values = inp.evidence[name]
        pos[:, j] = codes.levels[j][values] if j in codes.levels else plan.classify(j, values)
        if (pos[:, j] == NO_LEVEL).any():
            bad = int(np.argmax(pos[:, j] == NO_LEVEL))
            raise BatchInputError(f"{inp.ids[bad]}: criterion {cr.id}: {cr.evidence} = {inp.raw[name][bad]!r} "
                                  f"matches no level")
    return pos


def _capped(plan: Plan, inp: Inputs, band: np.ndarray, score_n: np.ndarray,
            eligible: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    stars = band.copy()
    applied = np.zeros((len(inp), len(plan.caps)), dtype=bool)
    for k, ((cap, _), (applies, _)) in enumerate(zip(plan.caps, cap_states(plan, inp, score_n, eligible))):
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


def _movement(plan: Plan, inp: Inputs, stars: np.ndarray) -> np.ndarray:
    if not plan.movement:
        return np.full(len(inp), MOVEMENT_NONE, dtype=np.int64)
    return np.where(inp.prev_ok, np.sign(stars - inp.prev_stars), MOVEMENT_NONE).astype(np.int64)


def cap_states(plan: Plan, items: list[dict] | Inputs, score_n: np.ndarray,
               eligible: np.ndarray) -> list[tuple[np.ndarray, np.ndarray]]:
    """Per cap, as the trace reports it: (applied, requirements met) for every assessment."""
    out = []
    for cap, need in plan.caps:
        met = _requirements_met(plan, cap, items)
        reach = score_n >= need if need is not None else np.zeros(len(items), dtype=bool)
        out.append((eligible & reach & ~met, eligible & met))
    return out


def _requirements_met(plan: Plan, cap, items: list[dict] | Inputs) -> np.ndarray:
    met = np.ones(len(items), dtype=bool)
    for r in cap.requires:
        if isinstance(items, Inputs):
            values = items.evidence[r.evidence]
            met &= (codes_of(plan).holds(r.evidence, r.codes)[values] if r.codes is not None
                    else classify_numbers(values, [r.interval]) == 0)
            continue
        values = [a["evidence"][r.evidence] for a in items]
        if r.codes is not None:
            met &= classify_codes(values, [r.codes]) == 0
        else:
            met &= classify_numbers(values, [r.interval]) == 0
    return met
