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

from fractions import Fraction
from itertools import repeat
from typing import Any

import numpy as np

from ..batch import (EXACT_FLOAT_LIMIT, GATE_FAIL, GATE_NA, GATE_PASS, INELIGIBLE, MOVEMENT, STATUS, BatchEvaluator,
                     cap_states, columns_of, run)
from ..decide import number
from .packing import TRACE_JSON
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

    def level_text(self, j: int, lv: int, pts: int, v) -> str:
        """The JSON text of criterion j's step at level lv (pts points) for value v."""
        key = (1, j, lv, pts, *self._value_key(v))
        s = self.known.get(key)
        if s is None:
            s = self.known[key] = TRACE_JSON.encode([self.level_rule[j][lv], v if v.__class__ is str else
                                                     self.value_text(v), None, pts])
        return s

    def gate_text(self, j: int, r: int, v) -> str:
        """The JSON text of gate j's step with result r for the fact's value v."""
        key = (0, j, r, *self._value_key(v))
        s = self.known.get(key)
        if s is None:
            s = self.known[key] = TRACE_JSON.encode([self.gate_rule[j], self.value_text(v), RESULT[r], None])
        return s

    def _value_key(self, v) -> tuple:
        """A value as a memo key: a float by its text (0.0 and -0.0 are equal keys but different texts), anything
        else with its class (True and 1 are equal keys)."""
        return (self.value_text(v),) if v.__class__ is float else (v.__class__, v)

    def constant(self, key: tuple, rule: int, value, result, points) -> str:
        """The JSON text of a step that depends on `key` only."""
        s = self.known.get(key)
        if s is None:
            s = self.known[key] = TRACE_JSON.encode([rule, value, result, points])
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


def chunk_rows(er: EditionRows, items: list[dict] | None, ns: list[int], inputs=None,
               gate_of=None) -> tuple[list[tuple], list[bytes], int]:
    """(outcome fields per assessment, each assessment's trace as packing's JSON, the number of steps) of one
    edition's chunk.

    Outcome fields are the columns from `status` to `movement`, plus band_key and cap_key; `ns` are the
    outcomes' numbers `n`, one per assessment (a trace's steps are numbered by their position, from 1). A reader
    with the columns already gives `inputs` (their `raw`: the evidence values as given) and `gate_of(i, fact)`,
    assessment i's value of a gate fact, in place of the records."""
    if inputs is None:
        inputs = columns_of(er.plan, items)
        gate_of = lambda i, fact: items[i]["gates"][fact]  # noqa: E731
    cols = run(er.plan, inputs)
    eligible = cols.status != INELIGIBLE
    caps = cap_states(er.plan, inputs, cols.score_n, eligible)
    cap_codes = [(met.astype(np.int8) + 2 * applied.astype(np.int8)).tolist() for applied, met in caps]
    status, band, stars = cols.status.tolist(), cols.band.tolist(), cols.stars.tolist()
    cents, pem = cols.score_cents.tolist(), cols.pembina.tolist()
    label, glob, move = cols.label.tolist(), cols.go_global.tolist(), cols.movement.tolist()
    gates = cols.gate_result.tolist()
    applied = [next((cid for cid, code in zip(er.cap_ids, c) if code >= 2), None) for c in zip(*cap_codes)] \
        if caps else [None] * len(ns)
    gates_failed: dict[tuple, str] = {}
    fields, e = [], er.edition
    for g, st, b, s, c, p, lb, gl, mv, ap in zip(gates, status, band, stars, cents, pem, label, glob, move, applied):
        failed = gates_failed.get(tuple(g))
        if failed is None:
            failed = gates_failed[tuple(g)] = dumps([f for f, r in zip(er.facts, g) if r == GATE_FAIL])
        fields.append((STATUS[st], s or None, b or None, int(bool(b and s != b)), c / 100 if st != INELIGIBLE else None,
                       failed, er.pembina[p][0] if p >= 0 else None, int(lb), int(gl), MOVEMENT[mv],
                       f"{e}/band/{b}" if b else None, f"{e}/cap/{ap}" if ap else None))
    steps = _steps(er, gate_of, inputs, cols, eligible, cap_codes, subtotals=(cols.points @ er.group_matrix))
    traces = [("[" + ",".join(filter(None, t)) + "]").encode("utf-8") for t in zip(*steps)]
    return fields, traces, sum(len(col) - col.count(None) for col in steps)


MAX_STEPS = 200_000  # step texts remembered per edition (then forgotten)


def _groups(levels: np.ndarray, coded) -> tuple[np.ndarray, np.ndarray] | None:
    """Assessments with the same level and the same value (code, or number: the same text) in groups: (the first
    of each group, each assessment's group); None where a value cannot be grouped by its column (not a code,
    an integer past floats, a negative zero: its text differs from zero's)."""
    if not isinstance(coded, np.ndarray) or not len(coded):
        return None
    if coded.dtype == np.float64:
        if ((coded == 0) & np.signbit(coded)).any():
            return None
        values = np.unique(coded, return_inverse=True)[1]
    elif (coded < 0).any():
        return None
    else:
        values = coded
    _, first, inverse = np.unique(levels * (int(values.max()) + 1) + values, return_index=True, return_inverse=True)
    return first, inverse


def _gate_groups(results: np.ndarray, state: np.ndarray, value: np.ndarray | None):
    """Assessments with the same gate result and the same value (its state: absent, true, false, other; and a
    number's value: the same text) in groups, as `_groups`; None where a value cannot be grouped by its columns
    (another value of a gate without numbers, an integer past floats, a negative zero)."""
    if not len(results):
        return None
    key = (results.astype(np.int64) + 1) * 4 + state.astype(np.int64) + 1
    if value is None:
        if (state == 2).any():
            return None
    else:
        if ((value == 0) & np.signbit(value)).any() or np.abs(value).max() >= EXACT_FLOAT_LIMIT:
            return None
        key = key * len(value) + np.unique(value, return_inverse=True)[1]
    _, first, inverse = np.unique(key, return_index=True, return_inverse=True)
    return first, inverse


def _steps(er: EditionRows, gate_of, inputs, cols, eligible: np.ndarray, cap_codes: list,
           subtotals) -> list[list]:
    """The JSON text `[rule, value, result, points]` of every step, one list per step of the edition's trace
    order (gates, criteria, subtotals, score, band, caps, consequences), None where an assessment has no such
    step; texts are remembered per edition (a value is keyed by its text when a float: 0.0 and -0.0 are equal
    keys but different texts)."""
    out: list[list] = []
    if len(er.known) > MAX_STEPS:
        er.known.clear()
    for j, fact in enumerate(er.facts):
        results = cols.gate_result[:, j]
        group = _gate_groups(results, inputs.gate_state[fact], inputs.gate_value.get(fact))
        if group is None:
            out.append([er.gate_text(j, r, gate_of(i, fact)) if r != GATE_NA else None
                        for i, r in enumerate(results.tolist())])
            continue
        first, inverse = group
        texts = [er.gate_text(j, r, gate_of(i, fact)) if r != GATE_NA else None
                 for i, r in zip(first.tolist(), results[first].tolist())]
        out.append(np.array(texts, dtype=object)[inverse].tolist())
    for j, name in enumerate(er.evidence):
        levels, points, raw = cols.level[:, j], cols.points[:, j], inputs.raw[name]
        group = _groups(levels, inputs.evidence[name])
        if group is None:
            out.append(list(map(er.level_text, repeat(j), levels.tolist(), points.tolist(), raw)))
            continue
        first, inverse = group
        texts = [er.level_text(j, lv, pts, raw[i]) for i, lv, pts in
                 zip(first.tolist(), levels[first].tolist(), points[first].tolist())]
        out.append(np.array(texts, dtype=object)[inverse].tolist())
    for g, rule in enumerate(er.group_rule):
        out.append(_by_value(subtotals[:, g], lambda pts: er.constant((2, g, pts), rule, None, None, pts)))
    cents = dict(zip(cols.score_n.tolist(), cols.score_cents.tolist()))  # a function of score_n
    out.append(_by_value(cols.score_n, lambda score_n: er.constant((3, score_n), er.score_rule,
                                                                   *er.score_texts(score_n, cents[score_n]), None),
                         eligible))
    out.append(_by_value(cols.band, lambda b: er.constant((4, b), er.band_rule[b], None, None, None), eligible))
    for c, (rule, codes) in enumerate(zip(er.cap_rule, cap_codes)):
        out.append(_by_value(codes, lambda code: er.constant((5, c, code), rule, None, CAP_REASON[code], None),
                             eligible))
    if er.pembina_none is not None:
        out.append(_by_value(cols.pembina, lambda p: er.constant((6, p), er.pembina[p][1], er.pembina[p][0], None, None)
                             if p >= 0 else er.constant((6, p), er.pembina_none, None, None, None)))
    flags = {"label_kemasan": cols.label, "kandidat_go_global": cols.go_global}
    for name, rule in er.flags:
        out.append(_by_value(flags[name], lambda f: er.constant((7, name, bool(f)), rule, "true" if f else "false",
                                                                None, None)))
    if er.movement_rule is not None:
        out.append(_by_value(cols.movement, lambda m: er.constant((8, m), er.movement_rule, MOVEMENT[m], None, None)))
    return out


def _by_value(column, text, where: np.ndarray | None = None) -> list:
    """text(value) for each value of an integer column (worked out once per distinct value); None where `where`
    is False."""
    column = np.asarray(column)
    values, inverse = np.unique(column, return_inverse=True)
    texts = np.array([text(v) for v in values.tolist()] + [None], dtype=object)
    if where is not None:
        inverse = np.where(where, inverse, len(values))
    return texts[inverse].tolist()
