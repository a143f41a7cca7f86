"""The batch path agrees with the durable_rules path: an invariant, checked on random valid assessments."""
from __future__ import annotations

import math
import tracemalloc
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from batch_gen import population
from engine.inputs.assessment import Assessment
from engine.batch.evaluator import BatchEvaluator, BatchInputError, check_sample, outcome_fields
from engine.batch.plan import classify_numbers, segments_of
from engine.rules.conditions import Interval, exact
from engine.decide.evaluate import Evaluator
from engine.rules.resolve import load_rules

ROOT = Path(__file__).resolve().parent.parent
RULES = load_rules(ROOT / "rules")
EDITIONS = sorted(RULES.editions)
BATCH = BatchEvaluator(RULES)
DURABLE = Evaluator(RULES)


def durable_fields(items: list[dict]) -> list[dict]:
    return [outcome_fields(DURABLE.evaluate(Assessment.model_validate(a))) for a in items]


def compiled(edition: str):
    return BATCH.plan(edition).c


@pytest.mark.parametrize("edition", EDITIONS)
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_batch_agrees_with_durable(edition, data):
    items = data.draw(population(compiled(edition), EDITIONS))
    assert BATCH.evaluate_many(items) == durable_fields(items)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(data=st.data())
def test_mixed_editions_keep_input_order(data):
    items = []
    for edition in data.draw(st.lists(st.sampled_from(EDITIONS), min_size=2, max_size=6)):
        items += data.draw(population(compiled(edition), EDITIONS, max_size=3))
    items = [{**a, "id": f"M-{i}"} for i, a in enumerate(items)]
    assert BATCH.evaluate_many(items) == durable_fields(items)


def synthetic(edition: str, n: int, seed: int = 5) -> list[dict]:
    from engine.synth.generate import synthesize
    return synthesize(RULES, edition, n, seed)


@pytest.mark.parametrize("edition", EDITIONS)
def test_check_sample_agrees_on_synthetic_population(edition):
    items = synthetic(edition, 400)
    assert check_sample(items, 60, seed=3, ruleset=RULES) == []


def test_check_sample_reports_a_difference():
    items = synthetic("2024", 50)
    batch = BATCH.evaluate_many(items)
    batch[7] = {**batch[7], "stars": 99, "criteria": batch[7]["criteria"][:-1]}
    found = check_sample(items, 50, seed=0, ruleset=RULES, batch=batch)
    assert {d["field"] for d in found} == {"stars", "criteria"} and {d["id"] for d in found} == {items[7]["id"]}
    with pytest.raises(AssertionError):
        check_sample(items, 50, seed=0, ruleset=RULES, batch=batch, strict=True)


def test_assessment_objects_and_dicts_give_the_same_rows():
    items = synthetic("2022", 30)
    objects = [Assessment.model_validate(a) for a in items]
    assert BATCH.evaluate_many(objects) == BATCH.evaluate_many(items)


def test_exact_classification_on_and_beside_boundaries():
    ivs = [Interval.parse("x < 0.3"), Interval.parse("0.3 <= x < 80"), Interval.parse("x >= 80")]
    values = [0.1 + 0.2, 0.3, 0.29999999999999999, 79.99999999999999, 80, 80.0, -0.0, 2**53 + 1, 10**30, 79.9]
    expected = [next(i for i, iv in enumerate(ivs) if iv.contains(exact(v))) for v in values]
    assert classify_numbers(values, ivs).tolist() == expected
    assert expected[0] == 1 and expected[3] == 1 and expected[4] == 2  # 0.30000000000000004 >= 0.3


def test_value_outside_every_level_is_refused():
    item = synthetic("2018", 1)[0]
    name = next(cr.evidence for cr in compiled("2018").criteria if cr.type == "enum")
    bad = {**item, "evidence": {**item["evidence"], name: "no_such_code"}}
    with pytest.raises(BatchInputError, match=name):
        BATCH.evaluate_many([bad])


def test_score_is_rounded_half_up_exactly():
    plan = BATCH.plan("2013")
    items = synthetic("2013", 200)
    cols = BATCH.evaluate_columns(items, "2013")
    for n_, cents in zip(cols.score_n.tolist(), cols.score_cents.tolist()):
        score = Fraction(n_, plan.q)
        assert cents == int(score * 100 + Fraction(1, 2))


def cheap_stream(template: dict, count: int):
    """`count` assessments made from one template: only the id changes."""
    for i in range(count):
        yield {**template, "id": f"S-{i}"}


def peak_of_stream(template: dict, count: int) -> tuple[int, int]:
    tracemalloc.start()
    try:
        seen = 0
        for chunk in BATCH.evaluate_stream(cheap_stream(template, count), chunk=2500):
            seen += len(chunk)
        return seen, tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_streaming_memory_does_not_grow_with_count():
    template = synthetic("2024", 1)[0]
    small_n, small_peak = peak_of_stream(template, 25_000)
    big_n, big_peak = peak_of_stream(template, 100_000)
    assert (small_n, big_n) == (25_000, 100_000)
    assert big_peak < 1.3 * small_peak, (small_peak, big_peak)


BOUNDS = st.sampled_from(["0", "0.1", "0.3", "2.5", "25", "70", "80", "99.99", "100", "-1.5", "1e-5", "123456789012345",
                          "0.000000000000001", "1/3", "12345678901234567"])


@settings(max_examples=150, deadline=None)
@given(bounds=st.lists(BOUNDS, min_size=1, max_size=5), closed=st.lists(st.booleans(), min_size=10, max_size=10),
       picks=st.lists(st.tuples(st.integers(0, 4), st.integers(-3, 3), st.floats(-1e6, 1e6, allow_nan=False)),
                      min_size=1, max_size=40))
def test_float_segments_classify_as_the_exact_comparisons(bounds, closed, picks):
    """Segments (float comparisons with the bounds) give the first interval holding each value's exact value,
    beside and on every bound (a few ulps either way), and the exact path takes bounds it cannot compare."""
    points = sorted({Fraction(b) for b in bounds})
    ivs = [Interval(None, False, points[0], closed[0])]
    ivs += [Interval(a, closed[k + 1], b, closed[k + 2]) for k, (a, b) in enumerate(zip(points, points[1:]))]
    ivs += [Interval(points[-1], closed[-1], None, False), Interval(points[0], True, points[0], True)]
    values = []
    for k, ulps, free in picks:
        v = float(points[k % len(points)])
        for _ in range(abs(ulps)):
            v = math.nextafter(v, math.inf if ulps > 0 else -math.inf)
        values += [v, free, round(free, 2), int(free)]
    expected = [next((i for i, iv in enumerate(ivs) if iv.contains(exact(v))), -1) for v in values]
    assert classify_numbers(values, ivs).tolist() == expected
    assert classify_numbers(np.asarray(values, dtype=np.float64), ivs).tolist() == expected
    short = all(b not in ("1/3", "12345678901234567") for b in bounds)
    assert (segments_of(ivs) is not None) == short  # the float path where it is exact, the exact one elsewhere
