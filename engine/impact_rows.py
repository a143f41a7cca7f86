"""Compare one chunk evaluated by the batch path under two editions: the matrix counts and the movers.

The reasons a mover moves are read from the batch trace rows of both editions (gate results,
per-criterion level and points, exact score, band, caps applied), in the words of `impact.reasons`,
which reads the same from two durable_rules traces. Level conditions and band thresholds are read
from the compiled editions the plans were built from; nothing here restates a rule.
"""
from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from .batch_run import AWARDED, GATE_NA, INELIGIBLE, NOT_AWARDED, Columns
from .outcome import number

STATUS = {INELIGIBLE: "ineligible", NOT_AWARDED: "not_awarded"}
RESULT = {0: "fail", 1: "pass"}


@dataclass
class Row:
    """What `impact.reasons` reads from a trace, for one assessment under one edition."""
    gates: dict[str, str]
    criteria: dict[str, tuple[int, str]]
    score: float | None
    band: tuple | None
    caps: dict[str, str]


def states(cols: Columns) -> list[str]:
    """Each assessment's state: its stars when awarded, else its status."""
    return [str(stars) if status == AWARDED else STATUS[status]
            for status, stars in zip(cols.status.tolist(), cols.stars.tolist())]


def compare(before: Columns, after: Columns, files: list[str]) -> tuple[Counter, list[tuple]]:
    """(before state, after state) counts, and (id, file, before, after, score before, score after, reasons)
    of every assessment whose state differs; `before` and `after` hold the same assessments in order."""
    sb, sa = states(before), states(after)
    counts = Counter(zip(sb, sa))
    moves = [(before.ids[i], files[i], sb[i], sa[i], row(before, i).score, row(after, i).score,
              reasons(row(before, i), row(after, i)))
             for i in range(len(sb)) if sb[i] != sa[i]]
    return counts, moves


def row(cols: Columns, i: int) -> Row:
    plan = cols.plan
    c, status = plan.c, int(cols.status[i])
    gates = {g.fact: RESULT[r] for g, r in zip(c.gates, cols.gate_result[i].tolist()) if r != GATE_NA}
    criteria = {}
    for cr, level, points in zip(plan.criteria, cols.level[i].tolist(), cols.points[i].tolist()):
        criteria[cr.id] = (points, cr.levels[level - 1].condition(cr.evidence))
    if status == INELIGIBLE:
        return Row(gates, criteria, None, None, {})
    band = int(cols.band[i])
    caps = {cap.id: f"applied (at most {cap.max_stars} stars)"
            for (cap, _), applied in zip(plan.caps, cols.cap_applied[i].tolist()) if applied}
    return Row(gates, criteria, int(cols.score_cents[i]) / 100,
               (band or None, number(c.threshold(band)) if band else None), caps)


def reasons(before: Row, after: Row) -> list[str]:
    """What differs between two rows of one assessment: gates, criterion levels, score, band, caps."""
    out: list[str] = []
    gb, ga = before.gates, after.gates
    for fact in list(gb) + [f for f in ga if f not in gb]:
        rb, ra = gb.get(fact), ga.get(fact)
        if rb != ra:
            out.append(f"gate {fact}: {rb or 'not applied'} -> {ra or 'not applied'}")
    cb, ca = before.criteria, after.criteria
    for cid in list(cb) + [c for c in ca if c not in cb]:
        b, a = cb.get(cid), ca.get(cid)
        if b is None or a is None:
            out.append(f"criterion {cid}: {'added' if b is None else 'removed'}")
        elif b != a:
            out.append(f"criterion {cid}: {b[0]} points ({b[1]}) -> {a[0]} points ({a[1]})")
    if before.score != after.score:
        out.append(f"score: {before.score} -> {after.score}")
    if before.band != after.band:
        out.append(f"band: {band_text(before.band)} -> {band_text(after.band)}")
    kb, ka = before.caps, after.caps
    for cap in sorted(set(kb) | set(ka)):
        if kb.get(cap) != ka.get(cap):
            out.append(f"cap {cap}: {kb.get(cap) or 'not applied'} -> {ka.get(cap) or 'not applied'}")
    return out


def band_text(band: tuple | None) -> str:
    if band is None:
        return "not reached (ineligible)"
    stars, threshold = band
    return f"{stars} stars (score >= {threshold})" if stars else "no band"


def durable_row(o: Any) -> Row:
    """The same view of a durable_rules Outcome (the reference the tests compare with)."""
    gates = {s["fact"]: s["result"] for s in o.trace if s.get("kind") == "gate"}
    criteria = {s["criterion"]: (s["points"], s["condition"]) for s in o.trace if s.get("kind") == "criterion"}
    step = next((s for s in o.trace if s.get("kind") == "band"), None)
    band = (step["stars"], step["min_score"]) if step else None
    caps = {s["cap"]: f"applied (at most {s['max_stars']} stars)" for s in o.trace
            if s.get("kind") == "cap" and s["applied"]}
    return Row(gates, criteria, o.score, band, caps)
