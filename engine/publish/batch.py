"""Rows of the published database from the batch executor's columns: outcomes and compact trace steps.

One `EditionRows` per edition holds the rule ids of every trace step it can take; `chunk_rows` runs the
batch plan over a chunk of one edition's assessments and gives the outcome rows (schema order) and
each outcome's trace as the JSON packing stores (engine.publish.packing: every step, gate, criterion,
subtotal, score, band, cap, consequence, in the order engine.decide.evaluate numbers them), joined from the
edition's remembered step texts. engine.publish.steps.durable_rows builds the same rows from a durable
Outcome; tests/test_publish_batch.py compares the two field by field, and `ovop publish --check N`
compares a sample at every publish.
"""
from __future__ import annotations

import json
from fractions import Fraction
from typing import Any

import numpy as np

from ..batch import GATE_FAIL, GATE_NA, GATE_PASS, INELIGIBLE, MOVEMENT, STATUS, BatchEvaluator, cap_states, run
from ..decide import number
from .rows import dumps, text
from .steps import RuleIds

RESULT = {GATE_PASS: "pass", GATE_FAIL: "fail"}
CAP_REASON = ("band_within_cap", "requirements_met", "requirements_not_met")


class EditionRows:
    """The rule ids and constants of one edition's trace steps."""

    def __init__(self, be: BatchEvaluator, edition: str, ids: RuleIds):
        self.plan = plan = be.plan(edition)
        c, e = plan.c, edition
        self.edition, self.hash = e, c.hash
        self.facts = [g.fact for g in c.gates]
        self.gate_rule = [ids.id(e, f"gate/{g.fact}") for g in c.gates]
        self.level_rule = [{lv.index: ids.id(e, lv.rule) for lv in cr.levels} for cr in c.criteria]
        self.evidence = [cr.evidence for cr in c.criteria]
        groups = [g.id for g in c.edition.groups]
        self.group_rule = [ids.id(e, f"group/{g}") for g in groups]
        self.group_matrix = np.array([[int(cr.group == g) for g in groups] for cr in c.criteria],
                                     dtype=np.int64).reshape(len(c.criteria), len(groups))
        self.score_rule = ids.id(e, "score")
        self.band_rule = {s: ids.id(e, f"band/{s}") for s, _ in c.bands} | {0: ids.id(e, "band/none")}
        self.cap_rule = [ids.id(e, f"cap/{cap.id}") for cap in c.caps]
        self.cap_ids = [cap.id for cap in c.caps]
        cons = c.edition.consequences
        self.pembina = [(m.value, ids.id(e, f"consequence/pembina/{m.value}")) for m in plan.pembina]
        self.pembina_none = ids.id(e, "consequence/pembina") if cons.pembina else None
        self.flags = [(name, ids.id(e, f"consequence/{name}")) for name in ("label_kemasan", "kandidat_go_global")
                      if getattr(cons, name) is not None]
        self.movement_rule = ids.id(e, "consequence/movement") if cons.movement is not None else None
        self._texts: dict = {}
        self._scores: dict = {}
        self.known: dict = {}  # a step's key -> its JSON text (chunk_rows)

    def constant(self, key: tuple, rule: int, value, result, points) -> str:
        """The JSON text of a step that depends on `key` only."""
        s = self.known.get(key)
        if s is None:
            s = self.known[key] = _STEP.encode([rule, value, result, points])
        return s

    def value_text(self, v: Any) -> str | None:
        """text(number(v)), the durable trace's text of a value; for a float without an exponent that is its repr
        (an integral float loses its ".0", as number() makes it an int)."""
        if v.__class__ is float:
            r = repr(v)
            if "e" not in r and "n" not in r:
                return r[:-2] if r.endswith(".0") else r
        key = (v.__class__, v)
        found = self._texts.get(key)
        if found is None:
            found = self._texts[key] = text(number(v))
        return found

    def score_texts(self, score_n: int, cents: int) -> tuple[str, str]:
        found = self._scores.get(score_n)
        if found is None:
            f = Fraction(score_n, self.plan.q)
            exact_text = f"{f.numerator}/{f.denominator}" if f.denominator != 1 else str(f.numerator)
            found = self._scores[score_n] = (exact_text, text(cents / 100))
        return found


def chunk_rows(er: EditionRows, items: list[dict], ns: list[int]) -> tuple[list[tuple], list[bytes], int]:
    """(outcome fields per assessment, each assessment's trace as packing's JSON, the number of steps) of one
    edition's chunk.

    Outcome fields are the columns from `status` to `movement`, plus band_key and cap_key; `ns` are the
    outcomes' numbers `n`, one per assessment (a trace's steps are numbered by their position, from 1)."""
    cols = run(er.plan, items)
    eligible = cols.status != INELIGIBLE
    caps = cap_states(er.plan, items, cols.score_n, eligible)
    cap_codes = (np.stack([met.astype(np.int8) + 2 * applied.astype(np.int8) for applied, met in caps], axis=1)
                 if caps else np.zeros((len(items), 0), dtype=np.int8)).tolist()
    subtotals = (cols.points @ er.group_matrix).tolist()
    fields, traces, steps = [], [], 0
    columns = zip(items, cols.gate_result.tolist(), cols.level.tolist(), cols.points.tolist(), subtotals,
                  cols.status.tolist(), cols.band.tolist(), cols.stars.tolist(), cols.score_n.tolist(),
                  cols.score_cents.tolist(), cols.pembina.tolist(), cols.label.tolist(), cols.go_global.tolist(),
                  cols.movement.tolist(), cap_codes)
    gates_failed: dict[tuple, str] = {}
    for a, gates, levels, points, subs, status, band, stars, score_n, cents, pem, label, glob, move, capc in columns:
        failed = gates_failed.get(tuple(gates))
        if failed is None:
            failed = gates_failed[tuple(gates)] = dumps([f for f, r in zip(er.facts, gates) if r == GATE_FAIL])
        applied = next((cid for cid, code in zip(er.cap_ids, capc) if code >= 2), None)
        e = er.edition
        fields.append((STATUS[status], stars or None, band or None, int(bool(band and stars != band)),
                       cents / 100 if status != INELIGIBLE else None, failed,
                       er.pembina[pem][0] if pem >= 0 else None, int(label), int(glob), MOVEMENT[move],
                       f"{e}/band/{band}" if band else None, f"{e}/cap/{applied}" if applied else None))
        parts = _trace(er, a, gates, levels, points, subs, status != INELIGIBLE, band, score_n, cents, pem, label,
                       glob, move, capc)
        steps += len(parts)
        traces.append(("[" + ",".join(parts) + "]").encode("utf-8"))
    return fields, traces, steps


_STEP = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)  # packing's trace text, one step at a time
MAX_STEPS = 200_000  # step texts remembered per edition (then forgotten)


def _trace(er: EditionRows, a, gates, levels, points, subs, eligible, band, score_n, cents, pem, label, glob, move,
           capc) -> list[str]:
    """The JSON text of each step, `[rule, value, result, points]`, from the edition's remembered step texts
    (a value is keyed by its text when a float: 0.0 and -0.0 are equal keys but different texts)."""
    known, vt, out = er.known, er.value_text, []
    if len(known) > MAX_STEPS:
        known.clear()
    facts = a["gates"]
    for j, r in enumerate(gates):
        if r != GATE_NA:
            v = facts[er.facts[j]]
            key = (0, j, r, vt(v)) if v.__class__ is float else (0, j, r, v.__class__, v)
            s = known.get(key)
            if s is None:
                s = known[key] = _STEP.encode([er.gate_rule[j], vt(v), RESULT[r], None])
            out.append(s)
    evidence = a["evidence"]
    for j, (lv, pts) in enumerate(zip(levels, points)):
        v = evidence[er.evidence[j]]
        key = (1, j, lv, pts, vt(v)) if v.__class__ is float else (1, j, lv, pts, v.__class__, v)
        s = known.get(key)
        if s is None:
            s = known[key] = _STEP.encode([er.level_rule[j][lv], v if v.__class__ is str else vt(v), None, pts])
        out.append(s)
    out += [er.constant((2, g, pts), rule, None, None, pts) for g, (rule, pts) in enumerate(zip(er.group_rule, subs))]
    if eligible:
        s = known.get((3, score_n))
        if s is None:
            exact_text, rounded = er.score_texts(score_n, cents)
            s = known[(3, score_n)] = _STEP.encode([er.score_rule, exact_text, rounded, None])
        out.append(s)
        out.append(er.constant((4, band), er.band_rule[band], None, None, None))
        out += [er.constant((5, c, code), rule, None, CAP_REASON[code], None)
                for c, (rule, code) in enumerate(zip(er.cap_rule, capc))]
    if er.pembina_none is not None:
        out.append(er.constant((6, pem), er.pembina[pem][1], er.pembina[pem][0], None, None) if pem >= 0
                   else er.constant((6, pem), er.pembina_none, None, None, None))
    for (name, rule), flag in zip(er.flags, _flags(er, label, glob)):
        out.append(er.constant((7, name, bool(flag)), rule, "true" if flag else "false", None, None))
    if er.movement_rule is not None:
        out.append(er.constant((8, move), er.movement_rule, MOVEMENT[move], None, None))
    return out


def _flags(er: EditionRows, label, glob) -> list:
    values = {"label_kemasan": label, "kandidat_go_global": glob}
    return [values[name] for name, _ in er.flags]
