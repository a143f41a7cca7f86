"""Resolved edition -> compiled rule set: exact conditions, and their durable_rules definition.

The compiled objects are the single copy of the criteria the evaluation uses: the engine matches
the definitions generated here, and the trace's "not met" conditions are read from the same objects.
Three stages run in one engine session per assessment:
  1. fact `t: a` (commodity, gate facts, evidence): gate pass/fail rules (unknown when the fact is absent,
     which only a what-if allows: CRITERIA.md section 7), one level rule per criterion;
  2. fact `t: s` (eligibility, the score as an exact integer, cap evidence): band and cap rules;
  3. fact `t: c` (final stars, movement delta): consequence rules.
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from fractions import Fraction
from functools import cached_property, reduce

from ..rules import Edition, Gate, Interval, Resolved, exact
from .durable_adapter import DurableRuleset, Num


@dataclass(frozen=True)
class Level:
    rule: str
    index: int  # 1-based position in the criterion's levels
    points: int
    interval: Interval | None
    codes: tuple[str, ...] | None
    provenance: object

    evidence: str = "x"
    text: str = field(default="", compare=False)  # the condition on `evidence`, written once

    def __post_init__(self):
        object.__setattr__(self, "text", self._condition(self.evidence))

    def condition(self, name: str | None = None) -> str:
        return self.text if name in (None, self.evidence) else self._condition(name)

    def _condition(self, name: str) -> str:
        if self.interval is not None:
            return self.interval.text(name)
        return f"{name} = {self.codes[0]}" if len(self.codes) == 1 else f"{name} in [{', '.join(self.codes)}]"

    def matches(self, value) -> bool:
        return self.interval.contains(exact(value)) if self.interval is not None else value in self.codes


@dataclass(frozen=True)
class Criterion:
    id: str
    group: str
    aspect: str | None
    evidence: str
    type: str
    levels: tuple[Level, ...]
    domain: Interval | None
    model: object

    @cached_property
    def max_points(self) -> int:
        return max(lv.points for lv in self.levels)


@dataclass(frozen=True)
class GateRule:
    fact: str
    type: str
    requires: bool | Interval
    applies_to: frozenset[str] | None  # None: every commodity
    model: Gate

    def required_text(self) -> str:
        return "true" if self.requires is True else ("false" if self.requires is False else self.requires.text(self.fact))

    def passes(self, value) -> bool:
        return value is self.requires if isinstance(self.requires, bool) else self.requires.contains(exact(value))


@dataclass(frozen=True)
class CapCondition:
    evidence: str
    codes: tuple[str, ...] | None
    interval: Interval | None

    def holds(self, value) -> bool:
        return value in self.codes if self.codes is not None else self.interval.contains(exact(value))

    def text(self) -> str:
        if self.codes is not None:
            return f"{self.evidence} = {self.codes[0]}" if len(self.codes) == 1 else f"{self.evidence} in [{', '.join(self.codes)}]"
        return self.interval.text(self.evidence)


@dataclass(frozen=True)
class Cap:
    id: str
    max_stars: int
    requires: tuple[CapCondition, ...]
    model: object


@dataclass
class Compiled:
    edition: Edition
    hash: str
    gates: list[GateRule]
    criteria: list[Criterion]
    bands: list[tuple[int, Fraction]]  # (stars, threshold), highest first
    scale: int  # D: scores are compared as floor(score * D) against threshold * D
    caps: list[Cap]
    weights: dict[str, Fraction] | None
    definition: dict = field(repr=False)
    engine: DurableRuleset | None = field(default=None, repr=False)

    @property
    def id(self) -> str:
        return self.edition.edition

    def band_for(self, score: Fraction) -> int | None:
        return next((stars for stars, t in self.bands if score >= t), None)

    def threshold(self, stars: int) -> Fraction | None:
        return next((t for s, t in self.bands if s == stars), None)


def compile_edition(resolved: Resolved, with_engine: bool = True) -> Compiled:
    ed = resolved.model
    gates = [_gate(g) for g in ed.gates]
    criteria = [_criterion(c) for c in ed.criteria]
    bands = sorted(((b.stars, exact(b.min_score)) for b in ed.bands), key=lambda b: -b[0])
    scale = reduce(lambda a, b: a * b // math.gcd(a, b), (t.denominator for _, t in bands), 1)
    caps = [Cap(c.id, c.max_stars, tuple(CapCondition(r.evidence, tuple(r.in_) if r.in_ else None,
                                                      Interval.parse(r.when) if r.when else None)
                                         for r in c.requires), c) for c in ed.caps]
    weights = {k: exact(v) for k, v in ed.score.weights.items()} if ed.score.weights else None
    compiled = Compiled(ed, resolved.hash, gates, criteria, bands, scale, caps, weights, {})
    compiled.definition = definition(compiled)
    if with_engine:
        compiled.engine = DurableRuleset(ed.edition, compiled.definition)
    return compiled


def _gate(g: Gate) -> GateRule:
    requires = g.requires if isinstance(g.requires, bool) else Interval.parse(g.requires)
    applies = None if g.applies_to == "all" else frozenset(g.applies_to)
    return GateRule(g.fact, g.type, requires, applies, g)


def _criterion(c) -> Criterion:
    ev = c.evidence
    levels = tuple(Level(f"criterion/{c.id}/{i}", i, lv.points,
                         Interval.parse(lv.when) if lv.when else None,
                         tuple(lv.codes) if lv.codes else None, lv.provenance or c.provenance, ev.name)
                   for i, lv in enumerate(c.levels, start=1))
    domain = None if ev.type == "enum" else Interval.domain(ev.min, ev.max)
    return Criterion(c.id, c.group, c.aspect, ev.name, ev.type, levels, domain, c)


# ---- durable_rules definitions ---------------------------------------------------------------

def _interval_test(prop: str, iv: Interval) -> list[dict]:
    tests = []
    if iv.lo is not None and iv.lo == iv.hi:
        return [{prop: Num(iv.lo)}]
    if iv.lo is not None:
        tests.append({("$gte" if iv.lo_closed else "$gt"): {prop: Num(iv.lo)}})
    if iv.hi is not None:
        tests.append({("$lte" if iv.hi_closed else "$lt"): {prop: Num(iv.hi)}})
    return tests


def _negated_interval(prop: str, iv: Interval) -> dict:
    sides = []
    if iv.lo is not None:
        sides.append({("$lt" if iv.lo_closed else "$lte"): {prop: Num(iv.lo)}})
    if iv.hi is not None:
        sides.append({("$gt" if iv.hi_closed else "$gte"): {prop: Num(iv.hi)}})
    return sides[0] if len(sides) == 1 else {"$or": sides}


def _codes_test(prop: str, codes: tuple[str, ...]) -> dict:
    return {prop: codes[0]} if len(codes) == 1 else {"$or": [{prop: c} for c in codes]}


def _rule(stage: str, *tests: dict, pri: int) -> dict:
    return {"all": [{"m": {"$and": [{"t": stage}, *tests]}}], "pri": pri}


def _commodity_test(applies: frozenset[str] | None) -> list[dict]:
    return [] if applies is None else [_codes_test("commodity", tuple(sorted(applies)))]


def definition(c: Compiled) -> dict:
    """The durable_rules rule set (JSON form) for one compiled edition."""
    rules: dict[str, dict] = {}
    for n, g in enumerate(c.gates):
        prop, only = f"g_{g.fact}", _commodity_test(g.applies_to)
        if isinstance(g.requires, bool):
            ok, bad = [{prop: g.requires}], [{"$neq": {prop: g.requires}}]
        else:
            ok, bad = _interval_test(prop, g.requires), [_negated_interval(prop, g.requires)]
        rules[f"gate/{g.fact}/pass"] = _rule("a", *only, *ok, pri=n)
        rules[f"gate/{g.fact}/fail"] = _rule("a", *only, *bad, pri=n)
        rules[f"gate/{g.fact}/unknown"] = _rule("a", *only, {"$nex": {prop: 1}}, pri=n)  # what-if: fact absent
    base = len(c.gates)
    for n, cr in enumerate(c.criteria):
        prop = f"e_{cr.evidence}"
        for lv in cr.levels:
            test = _interval_test(prop, lv.interval) if lv.interval is not None else [_codes_test(prop, lv.codes)]
            rules[lv.rule] = _rule("a", *test, pri=base + n)
    for i, (stars, t) in enumerate(c.bands):
        above = [{"$lt": {"score_k": Num(c.bands[i - 1][1] * c.scale)}}] if i else []
        rules[f"band/{stars}"] = _rule("s", {"eligible": True}, {"$gte": {"score_k": Num(t * c.scale)}}, *above, pri=i)
    rules["band/none"] = _rule("s", {"eligible": True}, {"$lt": {"score_k": Num(c.bands[-1][1] * c.scale)}}, pri=len(c.bands))
    for n, cap in enumerate(c.caps):
        need = c.threshold(cap.max_stars + 1)
        reach = [{"$gte": {"score_k": Num(need * c.scale)}}] if need is not None else [{"eligible": False}]
        unmet = [_cap_negation(r) for r in cap.requires]
        met = [t for r in cap.requires for t in _cap_test(r)]
        rules[f"cap/{cap.id}/applies"] = _rule("s", {"eligible": True}, *reach,
                                               unmet[0] if len(unmet) == 1 else {"$or": unmet}, pri=100 + n)
        rules[f"cap/{cap.id}/met"] = _rule("s", {"eligible": True}, *met, pri=100 + n)
    rules.update(_consequence_rules(c))
    return rules


def _cap_test(r: CapCondition) -> list[dict]:
    prop = f"e_{r.evidence}"
    return [_codes_test(prop, r.codes)] if r.codes is not None else _interval_test(prop, r.interval)


def _cap_negation(r: CapCondition) -> dict:
    prop = f"e_{r.evidence}"
    if r.codes is not None:
        return {"$and": [{"$neq": {prop: code}} for code in r.codes]} if len(r.codes) > 1 else {"$neq": {prop: r.codes[0]}}
    return _negated_interval(prop, r.interval)


def _consequence_rules(c: Compiled) -> dict:
    cons, rules = c.edition.consequences, {}
    mappings = sorted(cons.pembina or [], key=lambda m: -m.min_stars)
    for i, m in enumerate(mappings):
        below = [{"$lt": {"stars": mappings[i - 1].min_stars}}] if i else []
        rules[f"consequence/pembina/{m.value}"] = _rule("c", {"$gte": {"stars": m.min_stars}}, *below, pri=i)
    for name in ("label_kemasan", "kandidat_go_global"):
        threshold = getattr(cons, name)
        if threshold is not None:
            rules[f"consequence/{name}"] = _rule("c", {"$gte": {"stars": threshold.min_stars}}, pri=20)
    if cons.movement is not None:
        rules["consequence/movement/naik"] = _rule("c", {"comparable": True}, {"$gt": {"delta": 0}}, pri=30)
        rules["consequence/movement/tetap"] = _rule("c", {"comparable": True}, {"delta": 0}, pri=30)
        rules["consequence/movement/turun"] = _rule("c", {"comparable": True}, {"$lt": {"delta": 0}}, pri=30)
    return rules
