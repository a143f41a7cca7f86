"""What the rules engine (durable_rules) cannot take, found by `rules check` at the item's file:line.

engine.decide.durable_adapter refuses a rule set past these bounds when it is compiled, with no line; here
the same bounds are checked on the edition as written, so that `rules check` refuses what `evaluate`,
`impact` and `publish` would refuse later:

  * every number the engine compares (level and gate conditions, cap conditions, band thresholds scaled to
    whole numbers as the engine compares them) has at most 15 significant digits and is a terminating
    decimal (the engine compares doubles);
  * a fact has at most 255 properties (one per gate fact and per evidence, plus the engine's own);
  * one property is tested in at most 512 distinct ways (past that the engine hangs).

The bounds are those of engine.decide.durable_adapter (MAX_SIGNIFICANT_DIGITS, MAX_PROPERTIES,
MAX_DISTINCT_TESTS); tests/test_limits.py checks that both say the same numbers. `res` is a resolved edition
(engine.rules.resolve.Resolved, which calls `refuse_past_engine_limits` as it loads a rule set; not imported here).
"""
from __future__ import annotations

import math
from fractions import Fraction
from functools import reduce
from typing import Iterator

from ..errors import Diagnostic, OvopError, Text
from .conditions import Interval, exact, fmt
from .messages import t
from .model import Edition

MAX_SIGNIFICANT_DIGITS = 15
MAX_PROPERTIES = 255
MAX_DISTINCT_TESTS = 512
OWN_PROPERTIES = ("t", "eligible", "score_k", "commodity", "stars", "comparable", "delta")

DIGITS_OK = Text("angka dengan paling banyak {n} digit bermakna, desimal yang berakhir (mesin aturan membandingkan "
                 "bilangan double)", "a number of at most {n} significant digits, a terminating decimal (the rules "
                 "engine compares doubles)", n=MAX_SIGNIFICANT_DIGITS)


def digits_problem(value: Fraction) -> Text | None:
    """Why the engine cannot compare `value` exactly, or None (as durable_adapter.decimal_text decides)."""
    if value.denominator == 1:
        digits = str(abs(value.numerator)).rstrip("0")
    else:
        text = fmt(value)
        if Fraction(text) != value:
            return Text("{v} bukan desimal yang berakhir; mesin aturan tidak dapat membandingkannya dengan tepat",
                        "{v} is not a terminating decimal; the rules engine cannot compare it exactly", v=text)
        digits = text.lstrip("-").replace(".", "").strip("0")
    if len(digits) <= MAX_SIGNIFICANT_DIGITS:
        return None
    return Text("{v} punya lebih dari {n} digit bermakna; mesin aturan membandingkan bilangan double dan tidak dapat "
                "memutuskannya dengan tepat", "{v} has more than {n} significant digits; the rules engine compares "
                "doubles and could not decide it exactly", v=fmt(value), n=MAX_SIGNIFICANT_DIGITS)


def refuse_past_engine_limits(rules) -> None:
    """OvopError naming every item of every edition past the engine's limits (commands that decide call it
    when they load the rules, so that none ends in an engine error with no line)."""
    found = [d for res in rules.editions.values() for d in check_engine_limits(res, res.model)]
    if found:
        raise OvopError(found)


def check_engine_limits(res, ed: Edition) -> list[Diagnostic]:
    """Every number, property and property's tests of `ed` past the engine's bounds, at its item."""
    out = _written(res)
    out += [res.diagnostic(key, sub, problem, DIGITS_OK)
            for key, sub, value in _numbers(ed) for problem in [digits_problem(value)] if problem]
    return out + _properties(res, ed) + _distinct_tests(res, ed)


def _written(res) -> list[Diagnostic]:
    """Every decimal of the edition's files written with more than 15 significant digits: read as a double, it
    would silently become another number (85.0000000000000001 is 85)."""
    out, seen = [], set()
    for located, _ in res.origins.values():
        if id(located) in seen or not located.texts:
            continue
        seen.add(id(located))
        for path, text in located.texts.items():
            try:
                problem = digits_problem(Fraction(text))
            except (ValueError, ZeroDivisionError):  # .inf, .nan: the schema words them
                continue
            if problem:
                out.append(located.diagnostic(path, t("in_edition", edition=res.id, message=problem), DIGITS_OK))
    return out


def _bounds(text: str) -> list[Fraction]:
    iv = _parsed(text)
    return [b for b in (iv.lo, iv.hi) if b is not None] if iv else []


def _numbers(ed: Edition) -> Iterator[tuple[tuple, tuple, Fraction]]:
    """(item key, field path, value) of every number the engine compares."""
    for g in ed.gates:
        if not isinstance(g.requires, bool):
            yield from ((("gates", g.fact), ("requires",), b) for b in _bounds(g.requires))
    for c in ed.criteria:
        for i, lv in enumerate(c.levels):
            if lv.when:
                yield from ((("criteria", c.id), ("levels", i, "when"), b) for b in _bounds(lv.when))
    for cap in ed.caps:
        for i, r in enumerate(cap.requires):
            if r.when:
                yield from ((("caps", cap.id), ("requires", i, "when"), b) for b in _bounds(r.when))
    try:
        thresholds = [exact(b.min_score) for b in ed.bands]
    except (TypeError, ValueError):  # pragma: no cover - the schema refuses them
        return
    scale = reduce(lambda a, b: a * b // math.gcd(a, b), (t.denominator for t in thresholds), 1)
    for i, t in enumerate(thresholds):  # compared as floor(score * scale) >= t * scale
        yield ("bands",), (i, "min_score"), t * scale


def _properties(res, ed: Edition) -> list[Diagnostic]:
    names: dict[str, tuple] = {p: ("edition",) for p in OWN_PROPERTIES}
    for g in ed.gates:
        names.setdefault(f"g_{g.fact}", ("gates", g.fact))
    for c in ed.criteria:
        names.setdefault(f"e_{c.evidence.name}", ("criteria", c.id))
    for cap in ed.caps:
        for r in cap.requires:
            names.setdefault(f"e_{r.evidence}", ("caps", cap.id))
    if len(names) <= MAX_PROPERTIES:
        return []
    key = list(names.values())[MAX_PROPERTIES]  # the first item past the bound
    message = Text("{n} properti fakta ({gates} fakta syarat, {evidence} bukti, {own} milik mesin): lebih dari yang "
                   "diizinkan mesin aturan", "{n} fact properties ({gates} gate facts, {evidence} evidence, {own} of "
                   "the engine's own): more than the rules engine allows", n=len(names), gates=len(ed.gates),
                   evidence=len(names) - len(ed.gates) - len(OWN_PROPERTIES), own=len(OWN_PROPERTIES))
    allowed = Text("paling banyak {m} properti: paling banyak {k} fakta syarat dan bukti bersama",
                   "at most {m} properties: at most {k} gate facts and evidence together", m=MAX_PROPERTIES,
                   k=MAX_PROPERTIES - len(OWN_PROPERTIES))
    return [res.diagnostic(key, (), message, allowed)]


def _tests_of(iv: Interval, negated: bool = False) -> set[tuple]:
    """The engine's tests of an interval (engine.decide.compile: _interval_test, _negated_interval)."""
    if negated:
        return ({("<" if iv.lo_closed else "<=", iv.lo)} if iv.lo is not None else set()) | \
               ({(">" if iv.hi_closed else ">=", iv.hi)} if iv.hi is not None else set())
    if iv.lo is not None and iv.lo == iv.hi:
        return {("=", iv.lo)}
    return ({(">=" if iv.lo_closed else ">", iv.lo)} if iv.lo is not None else set()) | \
           ({("<=" if iv.hi_closed else "<", iv.hi)} if iv.hi is not None else set())


def _parsed(text: str | None) -> Interval | None:
    try:
        return Interval.parse(text) if text else None
    except Exception:  # a condition that does not parse is reported by the level checks
        return None


def _distinct_tests(res, ed: Edition) -> list[Diagnostic]:
    """At most MAX_DISTINCT_TESTS distinct tests of one evidence, by its levels and the caps on it."""
    tests: dict[str, set] = {}
    where: dict[str, tuple] = {}
    for c in ed.criteria:
        found = tests.setdefault(c.evidence.name, set())
        where.setdefault(c.evidence.name, ("criteria", c.id))
        for lv in c.levels:
            iv = _parsed(lv.when)
            found |= {("=", code) for code in lv.codes or ()} | (_tests_of(iv) if iv else set())
    for cap in ed.caps:
        for r in cap.requires:
            found = tests.setdefault(r.evidence, set())
            where.setdefault(r.evidence, ("caps", cap.id))
            iv = _parsed(r.when)
            found |= {(op, code) for code in r.in_ or () for op in ("=", "!=")}
            found |= (_tests_of(iv) | _tests_of(iv, negated=True)) if iv else set()
    out = []
    for name, found in tests.items():
        if len(found) > MAX_DISTINCT_TESTS:
            out.append(res.diagnostic(where[name], ("levels",) if where[name][0] == "criteria" else ("requires",), Text(
                "bukti {e} diuji dengan {n} cara berbeda: lebih dari yang dapat ditangani mesin aturan",
                "evidence {e} is tested in {n} distinct ways: more than the rules engine can take", e=name,
                n=len(found)), Text("paling banyak {m} uji berbeda untuk satu bukti", "at most {m} distinct tests of "
                                    "one evidence", m=MAX_DISTINCT_TESTS)))
    return out
