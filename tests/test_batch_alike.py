"""A draft decided on its base's columns (`decide(plan, inputs, like=...)`, as `ovop impact` does): what the two
plans work out alike (`alike`: gates; levels and score) is taken from the base's decisions, the rest worked out;
the decisions are those the draft makes alone, whatever differs between the plans."""
from __future__ import annotations

import dataclasses
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from engine.batch import BatchEvaluator, Columns, alike, columns_of, decide, same_columns
from engine.batch.plan import Plan
from engine.rules.resolve import load_rules
from engine.synth.generate import synthesize

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def base():
    ruleset = load_rules(ROOT / "rules")
    return ruleset, BatchEvaluator(ruleset).plan("2024")


def _variant(plan: Plan, **changes) -> Plan:
    return Plan(dataclasses.replace(plan.c, **changes), plan.star_scale_of)


def _variants(plan: Plan) -> dict[str, tuple[Plan, tuple[bool, bool]]]:
    """Drafts of the base's plan, each with what it shares with the base (gates alike, levels alike)."""
    c = plan.c
    bands = [(stars, t + Fraction(1, 2) if stars == 2 else t) for stars, t in c.bands]
    first = c.criteria[0]
    points = dataclasses.replace(first, levels=tuple(dataclasses.replace(lv, points=lv.points + 1)
                                                      for lv in first.levels))
    gate = next(g for g in c.gates if isinstance(g.requires, bool))
    flipped = dataclasses.replace(gate, requires=not gate.requires)
    return {"same": (_variant(plan), (True, True)),
            "band": (_variant(plan, bands=bands), (True, True)),
            "no cap": (_variant(plan, caps=[]), (True, True)),
            "points": (_variant(plan, criteria=[points] + c.criteria[1:]), (True, False)),
            "gate": (_variant(plan, gates=[flipped if g is gate else g for g in c.gates]), (False, True)),
            "both": (_variant(plan, bands=bands, criteria=[points] + c.criteria[1:],
                              gates=[flipped if g is gate else g for g in c.gates]), (False, False))}


def _equal(a: Columns, b: Columns) -> None:
    for f in dataclasses.fields(Columns):
        x, y = getattr(a, f.name), getattr(b, f.name)
        if isinstance(x, np.ndarray):
            assert np.array_equal(x, y) and x.dtype == y.dtype, f.name
    assert a.ids == b.ids


@pytest.mark.parametrize("name", ["same", "band", "no cap", "points", "gate", "both"])
def test_a_draft_on_its_bases_columns_decides_as_alone(base, name):
    ruleset, plan = base
    draft, shares = _variants(plan)[name]
    assert alike(draft, plan) == shares
    assert same_columns(plan, draft)
    items = synthesize(ruleset, "2024", 600, seed=3)
    inputs = columns_of(plan, items)
    before = decide(plan, inputs)
    alone = decide(draft, inputs)
    _equal(decide(draft, inputs, like=before), alone)
    if name == "band":  # the variants move someone: the test looks at decisions that differ
        assert not np.array_equal(alone.stars, before.stars)
    if name in ("points", "both"):
        assert not np.array_equal(alone.score_n, before.score_n)
    if name == "gate":
        assert not np.array_equal(alone.gate_result, before.gate_result)


def test_plans_that_read_other_columns_are_not_given_the_same(base):
    ruleset, plan = base
    other = BatchEvaluator(ruleset).plan("2018")
    assert not same_columns(plan, other) and alike(plan, other) == (False, False)
    gate = next(g for g in plan.c.gates if isinstance(g.requires, bool))
    unread = _variant(plan, gates=[g for g in plan.c.gates if g is not gate])
    assert not same_columns(plan, unread)
