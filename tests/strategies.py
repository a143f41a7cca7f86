"""Hypothesis strategies: valid assessments of any edition, with values on and around level boundaries."""
from __future__ import annotations

from fractions import Fraction

from hypothesis import strategies as st

from engine.inputs.assessment import Assessment
from engine.decide.compile import compile_edition


def _numbers_in(interval, integer: bool, domain) -> list:
    iv = interval.intersect(domain) if domain is not None else interval
    if integer:
        iv = iv.integral()
    points = [p for p in (iv.lo, iv.hi) if p is not None]
    candidates = set()
    for p in points:
        for d in (Fraction(0), Fraction(1, 100), Fraction(-1, 100), Fraction(1), Fraction(-1), Fraction(1, 100000)):
            candidates.add(p + d)
    if iv.lo is None and iv.hi is not None:
        candidates.add(iv.hi - 7)
    if iv.hi is None and iv.lo is not None:
        candidates.add(iv.lo + 1000)
    good = sorted(v for v in candidates if iv.contains(v) and (not integer or v.denominator == 1))
    return [int(v) if v.denominator == 1 else float(v) for v in good if v >= 0]


def value_choices(criterion) -> list[list]:
    """For each level of a criterion, the values that reach it (boundaries first)."""
    out = []
    for lv in criterion.levels:
        if lv.codes is not None:
            out.append(list(lv.codes))
        else:
            out.append(_numbers_in(lv.interval, criterion.type == "integer", criterion.domain))
    return out


@st.composite
def assessments(draw, ruleset, edition: str | None = None, eligible: bool | None = None):
    edition = edition or draw(st.sampled_from(sorted(ruleset.editions)))
    compiled = compile_edition(ruleset.editions[edition], with_engine=False)
    model = compiled.edition
    commodity = draw(st.sampled_from([c.code for c in model.commodities]))
    gates = {}
    for g in model.gates_for(commodity):
        passing = True if eligible else draw(st.sampled_from([True, True, True, False]))
        if g.type == "boolean":
            gates[g.fact] = passing
        else:
            gates[g.fact] = draw(st.integers(5, 40)) if passing else draw(st.integers(0, 4))
    evidence = {}
    for cr in compiled.criteria:
        levels = value_choices(cr)
        level = draw(st.integers(0, len(levels) - 1))
        evidence[cr.evidence] = draw(st.sampled_from(levels[level]))
    n = draw(st.integers(1, 9999))
    return Assessment.model_validate({
        "id": f"{edition}-HYP-{n:04d}", "edition": edition,
        "ikm": {"name": "Contoh", "province": "Jawa Barat", "regency": "Kabupaten Garut", "commodity": commodity,
                "product": "contoh"},
        "gates": gates, "evidence": evidence})


def fixed_assessment(ruleset, edition: str, level: int = -1) -> Assessment:
    """A valid eligible assessment with every criterion at one level (default: the top), boundary values."""
    compiled = compile_edition(ruleset.editions[edition], with_engine=False)
    model = compiled.edition
    commodity = model.commodities[0].code
    gates = {g.fact: (True if g.type == "boolean" else 10) for g in model.gates_for(commodity)}
    evidence = {cr.evidence: value_choices(cr)[level][0] for cr in compiled.criteria}
    return Assessment.model_validate({
        "id": f"{edition}-FIX-0001", "edition": edition,
        "ikm": {"name": "Contoh", "province": "Jawa Barat", "regency": "Kabupaten Garut", "commodity": commodity,
                "product": "contoh"}, "gates": gates, "evidence": evidence})
