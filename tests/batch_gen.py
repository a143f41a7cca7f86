"""Hypothesis strategies for valid assessments of any edition, read from the compiled criteria.

Numbers are drawn on and around every level boundary (the boundary, +-1, +-0.1, +-0.01 for decimal
evidence) and anywhere in the domain; codes from the levels' codes; gates true or false, integer gates
around their thresholds; any commodity of the edition; sometimes a previous result of any edition.
"""
from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from engine.decide.compile import Compiled
from engine.rules.conditions import Interval, fmt

STEPS = (Fraction(0), Fraction(1), Fraction(-1), Fraction(1, 10), Fraction(-1, 10), Fraction(1, 100), Fraction(-1, 100))


def written(value: Fraction, integer: bool):
    """A number as an assessor would write it: an int when whole (always for integer evidence), else a decimal."""
    if value.denominator == 1:
        return int(value)
    return float(fmt(value))


def boundary_values(intervals: list[Interval], domain: Interval, integer: bool) -> list:
    points = {b for iv in intervals for b in (iv.lo, iv.hi) if b is not None}
    points |= {b for b in (domain.lo, domain.hi) if b is not None}
    values = {p + s for p in points for s in STEPS}
    keep = sorted(v for v in values if domain.contains(v) and (not integer or v.denominator == 1))
    return [written(v, integer) for v in keep]


def number_strategy(intervals: list[Interval], domain: Interval, integer: bool):
    near = st.sampled_from(boundary_values(intervals, domain, integer))
    lo = int(domain.lo) if domain.lo is not None else 0
    hi = int(domain.hi) if domain.hi is not None else lo + 500
    anywhere = st.integers(lo, hi) if integer else st.integers(lo * 100, hi * 100).map(
        lambda k: written(Fraction(k, 100), False))
    big = st.integers(10**14, 10**15 - 1) if integer and domain.hi is None else st.nothing()  # durable: <= 15 digits
    return st.one_of(near, near, anywhere, big)


def evidence_strategy(c: Compiled):
    fields = {}
    for cr in c.criteria:
        if cr.type == "enum":
            fields[cr.evidence] = st.sampled_from(sorted({code for lv in cr.levels for code in lv.codes}))
        else:
            fields[cr.evidence] = number_strategy([lv.interval for lv in cr.levels], cr.domain, cr.type == "integer")
    return st.fixed_dictionaries(fields)


def gate_strategy(c: Compiled, commodity: str):
    fields = {}
    for g in c.gates:
        if g.applies_to is not None and commodity not in g.applies_to:
            continue
        if isinstance(g.requires, bool):
            fields[g.fact] = st.booleans()
        else:
            domain = Interval.domain(g.model.min, g.model.max)
            fields[g.fact] = st.sampled_from(boundary_values([g.requires], domain, True))
    return st.fixed_dictionaries(fields)


@st.composite
def assessment(draw, c: Compiled, editions: list[str], n: int):
    commodity = draw(st.sampled_from([m.code for m in c.edition.commodities]))
    out = {"id": f"{c.id}-H-{n:04d}", "edition": c.id,
           "ikm": {"name": "H", "province": "P", "regency": "R", "commodity": commodity, "product": "X"},
           "gates": draw(gate_strategy(c, commodity)), "evidence": draw(evidence_strategy(c))}
    if draw(st.booleans()):
        out["previous"] = {"edition": draw(st.sampled_from(editions + ["1999"])), "stars": draw(st.integers(0, 5))}
    return out


def population(c: Compiled, editions: list[str], max_size: int = 12):
    return st.integers(1, max_size).flatmap(
        lambda k: st.tuples(*[assessment(c, editions, i) for i in range(k)]).map(list))
