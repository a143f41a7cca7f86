"""Compare one chunk evaluated by the batch path under two editions: the matrix counts and the movers.

The reasons a mover moves are read from the batch trace rows of both editions (gate results,
per-criterion level and points, exact score, band, caps applied), in the words of `impact.reasons`,
which reads the same from two durable_rules traces. Level conditions and band thresholds are read
from the compiled editions the plans were built from; nothing here restates a rule.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..batch import CONDITIONAL, GATE_NA, INELIGIBLE, NOT_AWARDED, Columns
from ..decide import number
from ..errors import Text, say

STATUS = {INELIGIBLE: "ineligible", NOT_AWARDED: "not_awarded"}
RESULT = {0: "fail", 1: "pass", 2: "unknown"}


@dataclass
class Row:
    """What `impact.reasons` reads from a trace, for one assessment under one edition."""
    gates: dict[str, str]
    criteria: dict[str, tuple[int, str]]
    score: float | None
    band: tuple | None
    caps: dict[str, int]  # cap id -> its maximum stars, of the caps applied


def states(cols: Columns) -> list[str]:
    """Each assessment's state: its stars when awarded, else its status."""
    return [state_of(STATUS.get(status) or ("conditional" if status == CONDITIONAL else "awarded"), stars or None)
            for status, stars in zip(cols.status.tolist(), cols.stars.tolist())]


def state_of(status: str, stars: int | None) -> str:
    """Stars when awarded; conditional (a gate fact unknown under the edition) with the stars it would get."""
    if status == "awarded":
        return str(stars)
    return f"conditional:{stars or 'none'}" if status == "conditional" else status


def compare(before: Columns, after: Columns, files: list[str]) -> tuple[Counter, list[tuple]]:
    """(before state, after state) counts, and (id, file, before, after, score before, score after, reasons)
    of every assessment whose state differs; `before` and `after` hold the same assessments in order."""
    sb, sa = states(before), states(after)
    counts = Counter(zip(sb, sa))
    moved = [i for i in range(len(sb)) if sb[i] != sa[i]]
    groups = _alike(before, after, moved)
    if groups is None:  # the editions differ in their gates, criteria or caps: each mover read alone
        return counts, [(before.ids[i], files[i], sb[i], sa[i], b.score, a.score, reasons(b, a))
                        for i, b, a in zip(moved, rows(before, moved), rows(after, moved))]
    first, which = groups
    said = [reasons(b, a) for b, a in zip(rows(before, first), rows(after, first))]
    return counts, [(before.ids[i], files[i], sb[i], sa[i], _score(before, i), _score(after, i), said[k])
                    for i, k in zip(moved, which)]


def _score(cols: Columns, i: int) -> float | None:
    """The score a Row of assessment `i` holds."""
    return None if cols.status[i] == INELIGIBLE else int(cols.score_cents[i]) / 100


def _alike(before: Columns, after: Columns, picked: list[int]) -> tuple[list[int], list[int]] | None:
    """Movers whose reasons are the same words, grouped: (the first of each group, each mover's group), or None
    when the two editions do not have the same gates, criteria and caps in the same order.

    `reasons` reads only what differs between the two rows (gates, criterion points and condition, caps), the
    scores, the bands and whether each side is ineligible: two movers alike in all that are said alike. What
    is equal on both sides is left out of the key, so that movers differing only there share their words."""
    pb, pa = before.plan, after.plan
    if not picked or [g.fact for g in pb.c.gates] != [g.fact for g in pa.c.gates] or \
            [c.id for c in pb.criteria] != [c.id for c in pa.criteria] or \
            [cap.id for cap, _ in pb.caps] != [cap.id for cap, _ in pa.caps]:
        return None
    idx, texts = np.asarray(picked, dtype=np.int64), {}
    sides = [_side(cols, idx, texts) for cols in (before, after)]
    parts = [np.stack([sides[0]["plain"], sides[1]["plain"]], axis=1).reshape(len(idx), -1)]
    for name in ("gates", "criteria", "caps"):
        b, a = sides[0][name], sides[1][name]
        same = (b == a).all(axis=2, keepdims=True) if b.ndim == 3 else (b == a)[..., None]
        both = np.concatenate([b.reshape(*b.shape[:2], -1), a.reshape(*a.shape[:2], -1)], axis=2)
        parts.append(np.where(same, -1, both).reshape(len(idx), -1))
    key = np.ascontiguousarray(np.concatenate(parts, axis=1))
    groups: dict[bytes, int] = {}  # a mover's key (its row's bytes) -> its group, in order of first mover
    which = [groups.setdefault(row.tobytes(), len(groups)) for row in key]
    first = dict(zip(which[::-1], range(len(which) - 1, -1, -1)))  # group -> its first mover
    return [picked[first[k]] for k in range(len(groups))], which


def _side(cols: Columns, idx: np.ndarray, texts: dict) -> dict[str, np.ndarray]:
    """What `reasons` reads of one side, as integers: ineligible, score and band (a number per band tuple),
    per gate its result, per criterion its points and condition (a number per text), per cap its maximum
    stars when applied (-1: not)."""
    plan, c = cols.plan, cols.plan.c
    ineligible = cols.status[idx] == INELIGIBLE
    bands = {band: _number(texts, ("band", _band(c, band or None))) for band in set(cols.band[idx].tolist())}
    band = np.where(ineligible, -1, np.fromiter(map(bands.get, cols.band[idx].tolist()), dtype=np.int64,
                                                count=len(idx)))
    plain = np.stack([ineligible.astype(np.int64), np.where(ineligible, 0, cols.score_cents[idx]), band], axis=1)
    levels = cols.level[idx]
    condition = np.zeros_like(levels, dtype=np.int64)
    for k, cr in enumerate(plan.criteria):
        for lv in set(levels[:, k].tolist()):
            condition[levels[:, k] == lv, k] = _number(texts, cr.levels[lv - 1].condition(cr.evidence))
    criteria = np.stack([cols.points[idx].astype(np.int64), condition], axis=2)
    caps = np.asarray([[cap.max_stars for cap, _ in plan.caps]] * len(idx), dtype=np.int64).reshape(len(idx), -1)
    applied = cols.cap_applied[idx].astype(bool) & ~ineligible[:, None] if plan.caps else np.zeros_like(caps, bool)
    return {"plain": plain, "gates": cols.gate_result[idx].astype(np.int64),
            "criteria": criteria, "caps": np.where(applied, caps, -1)}


def _number(texts: dict, value) -> int:
    """A number for each value (the same one for equal values), across both sides."""
    return texts.setdefault(value, len(texts))


def rows(cols: Columns, picked: list[int]) -> list[Row]:
    """The rows of some assessments of a chunk (their columns taken out of the arrays at once)."""
    plan, idx = cols.plan, np.asarray(picked, dtype=np.int64)
    c = plan.c
    fields = zip(cols.status[idx].tolist(), cols.gate_result[idx].tolist(), cols.level[idx].tolist(),
                 cols.points[idx].tolist(), cols.band[idx].tolist(), cols.score_cents[idx].tolist(),
                 cols.cap_applied[idx].tolist())
    out = []
    for status, results, levels, points, band, cents, applied in fields:
        gates = {g.fact: RESULT[r] for g, r in zip(c.gates, results) if r != GATE_NA}
        criteria = {cr.id: (p, cr.levels[lv - 1].condition(cr.evidence))
                    for cr, lv, p in zip(plan.criteria, levels, points)}
        if status == INELIGIBLE:
            out.append(Row(gates, criteria, None, None, {}))
            continue
        caps = {cap.id: cap.max_stars for (cap, _), on in zip(plan.caps, applied) if on}
        out.append(Row(gates, criteria, cents / 100, _band(c, band or None), caps))
    return out


def _band(c, band: int | None) -> tuple:
    """(stars, threshold, (next stars, its threshold) or None): the band reached and the one above it, in the
    edition's own thresholds (as the trace's band step says them)."""
    higher = [(s, t) for s, t in c.bands if band is None or s > band]
    nxt = (higher[-1][0], number(higher[-1][1])) if higher else None
    return (band, number(c.threshold(band)) if band else None, nxt)


WORDS = {
    "en": {"gate": "gate", "criterion": "criterion", "score": "score", "band": "band", "cap": "cap",
           "added": "added", "removed": "removed", "not applied": "not applied",
           "fail": "fail", "pass": "pass", "unknown": "unknown",
           "applied": "applied (at most {n})", "ineligible": "not reached (ineligible)", "no band": "no band",
           "below": "no band (score {s} < {t} for {n})", "needs": "; {n} needs >= {t}",
           "reached": "{n} (score {s} >= {t}{above})", "star": ("star", "stars"), "point": ("point", "points")},
    "id": {"gate": "syarat", "criterion": "kriteria", "score": "skor", "band": "pita", "cap": "batas",
           "added": "ditambahkan", "removed": "dihapus", "not applied": "tidak berlaku",
           "fail": "gagal", "pass": "lulus", "unknown": "tidak diketahui",
           "applied": "diterapkan (paling banyak {n})", "ineligible": "tidak tercapai (tidak memenuhi syarat)",
           "no band": "tanpa pita", "below": "tanpa pita (skor {s} < {t} untuk {n})", "needs": "; {n} perlu >= {t}",
           "reached": "{n} (skor {s} >= {t}{above})", "star": ("bintang", "bintang"), "point": ("poin", "poin")},
}


def reasons(before: Row, after: Row) -> list[Text]:
    """What differs between two rows of one assessment: gates, criterion levels, score, band, caps; each
    reason in both languages (a Text: English as a str, `say("id")` in Indonesian)."""
    said = [_reasons(before, after, lang) for lang in ("id", "en")]
    return [Text(i.replace("{", "{{").replace("}", "}}"), e.replace("{", "{{").replace("}", "}}"))
            for i, e in zip(*said)]


def _reasons(before: Row, after: Row, lang: str) -> list[str]:
    w = WORDS[lang]
    out: list[str] = []
    gb, ga = before.gates, after.gates
    for fact in list(gb) + [f for f in ga if f not in gb]:
        rb, ra = gb.get(fact), ga.get(fact)
        if rb != ra:
            out.append(f"{w['gate']} {fact}: {w[rb or 'not applied']} -> {w[ra or 'not applied']}")
    cb, ca = before.criteria, after.criteria
    for cid in list(cb) + [c for c in ca if c not in cb]:
        b, a = cb.get(cid), ca.get(cid)
        if b is None or a is None:
            now = a or b
            out.append(f"{w['criterion']} {cid}: {w['added' if b is None else 'removed']}, "
                       f"{_count(now[0], 'point', lang)} ({now[1]})")
        elif b != a:
            out.append(f"{w['criterion']} {cid}: {_count(b[0], 'point', lang)} ({b[1]}) -> "
                       f"{_count(a[0], 'point', lang)} ({a[1]})")
    if before.score != after.score:
        out.append(f"{w['score']}: {score_text(before.score, lang)} -> {score_text(after.score, lang)}")
    if before.band != after.band:
        out.append(f"{w['band']}: {band_text(before.band, before.score, lang)} -> "
                   f"{band_text(after.band, after.score, lang)}")
    kb, ka = before.caps, after.caps
    for cap in sorted(set(kb) | set(ka)):
        if kb.get(cap) != ka.get(cap):
            out.append(f"{w['cap']} {cap}: {_cap(kb.get(cap), lang)} -> {_cap(ka.get(cap), lang)}")
    return out


def _count(n: int, what: str, lang: str) -> str:
    one, many = WORDS[lang][what]
    return f"{n} {one if n == 1 else many}"


def _cap(max_stars: int | None, lang: str) -> str:
    w = WORDS[lang]
    return w["not applied"] if max_stars is None else w["applied"].format(n=_count(max_stars, "star", lang))


def band_text(band: tuple | None, score: float | None = None, lang: str = "en") -> str:
    """The band reached, with the score and the thresholds of that edition: the one met and the next one."""
    w = WORDS[lang]
    if band is None:
        return w["ineligible"]
    stars, threshold, nxt = band
    shown = score_text(score, lang)
    if not stars:
        return w["below"].format(s=shown, t=_num(nxt[1], lang), n=_count(nxt[0], "star", lang)) if nxt else w["no band"]
    above = w["needs"].format(n=_count(nxt[0], "star", lang), t=_num(nxt[1], lang)) if nxt else ""
    return w["reached"].format(n=_count(stars, "star", lang), s=shown, t=_num(threshold, lang), above=above)


def _num(value, lang: str) -> str:
    text = str(value)
    return text.replace(".", ",") if lang == "id" else text


def score_text(score: float | None, lang: str = "en", missing: str = "-") -> str:
    """A score as the reasons write it: at most two decimals, the decimal comma in Indonesian."""
    if score is None:
        return missing
    return _num(f"{score:.2f}".rstrip("0").rstrip("."), lang)


def durable_row(o: Any) -> Row:
    """The same view of a durable_rules Outcome (the reference the tests compare with)."""
    gates = {s["fact"]: s["result"] for s in o.trace if s.get("kind") == "gate"}
    criteria = {s["criterion"]: (s["points"], s["condition"]) for s in o.trace if s.get("kind") == "criterion"}
    step = next((s for s in o.trace if s.get("kind") == "band"), None)
    nxt = step.get("next") if step else None
    band = (step["stars"], step["min_score"], (nxt["stars"], nxt["min_score"]) if nxt else None) if step else None
    caps = {s["cap"]: s["max_stars"] for s in o.trace
            if s.get("kind") == "cap" and s["applied"]}
    return Row(gates, criteria, o.score, band, caps)


def why_not_evaluated(errors: list) -> dict[str, Text]:
    """Per assessment id, its problems in one line (missing facts named together), in both languages (a Text:
    English as a str)."""
    missing: dict[str, list[str]] = {}
    other: dict[str, list[str]] = {}
    for d in errors:
        ident, _, rest = (d.path or "").partition(": ")
        found = re.match(r'missing (gate fact|evidence) "(\w+)"', d.message)
        if found:
            section = "gates" if found.group(1) == "gate fact" else "evidence"
            missing.setdefault(ident, []).append(f"{section}.{found.group(2)}")
        else:
            other.setdefault(ident, []).append(Text("{where}: {message}", where=rest or d.path, message=d.message))
    out = {}
    for ident in list(missing) + [i for i in other if i not in missing]:
        said = []
        for lang, lacks in (("id", "tidak ada "), ("en", "missing ")):
            parts = [lacks + ", ".join(missing[ident])] if ident in missing else []
            said.append("; ".join(parts + [say(p, lang) for p in other.get(ident, [])]))
        out[ident] = Text(*(x.replace("{", "{{").replace("}", "}}") for x in said))
    return out
