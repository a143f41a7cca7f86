"""`ovop publish --check N`: a seeded random sample of the published assessments, evaluated again through
durable_rules; the publish fails on any difference in an outcome field or a trace step row."""
from __future__ import annotations

from random import Random
from typing import Callable

from ..errors import Diagnostic, OvopError
from . import rows as pr
from .schema import BY_NAME, TRACE_COLUMNS
from .steps import RuleIds, durable_rows

OUTCOME_COLUMNS = BY_NAME["outcomes"].column_names


class Sampler:
    """`n` of the published assessments, picked with a seeded random generator: when the population's size is
    known beforehand (`total`), a sample of its positions (`wanted` says which of a chunk's are picked);
    otherwise reservoir sampling (algorithm R) over the stream (`offer` each)."""

    def __init__(self, n: int, seed: int, total: int | None = None):
        self.n, self.rng, self.slots = max(0, n), Random(seed), []
        self.picked = None if total is None else set(self.rng.sample(range(total), min(self.n, total)))

    def wanted(self, start: int, count: int) -> range | list[int]:
        """The positions of a chunk (start .. start + count - 1) to offer."""
        if self.picked is None:
            return range(start, start + count) if self.n else []
        return [k for k in range(start, start + count) if k in self.picked]

    def offer(self, index: int, rows: Callable[[], tuple]) -> None:
        """`rows()` gives (the input, its outcome row tuple, its trace rows); called only when kept."""
        if self.n == 0:
            return
        if self.picked is not None:
            if index in self.picked:
                self.slots.append((index, rows()))
            return
        if index < self.n:
            self.slots.append((index, rows()))
            return
        j = self.rng.randrange(index + 1)
        if j < self.n:
            self.slots[j] = (index, rows())

    def verify(self, ruleset, ids: RuleIds) -> int:
        """Evaluate the kept assessments through durable_rules; OvopError listing the differences."""
        if not self.slots:
            return 0
        from ..decide import Evaluator
        from ..inputs import Assessment
        evaluator, found = Evaluator(ruleset), []
        for _, (item, outcome, trace) in sorted(self.slots, key=lambda s: s[0]):
            a = Assessment.model_validate(item) if isinstance(item, dict) else item
            o = evaluator.evaluate(a)
            expected = pr.outcome_row(a, o, outcome[1])
            found += [f"{outcome[0]}: {c}: batch {v!r}, durable_rules {expected[c]!r}"
                      for c, v in zip(OUTCOME_COLUMNS, outcome) if v != expected[c]]
            found += _trace_differences(outcome[0], trace, durable_rows(o, outcome[1], ids))
        if found:
            raise OvopError(Diagnostic("publish --check", message=f"the batch path and durable_rules disagree on "
                                       f"{len(found)} fields of {len(self.slots)} sampled assessments; nothing was "
                                       f"published:\n  " + "\n  ".join(found[:20])))
        return len(self.slots)


def _trace_differences(key: str, batch: list[tuple], durable: list[tuple]) -> list[str]:
    if len(batch) != len(durable):
        return [f"{key}: trace_steps: batch {len(batch)} steps, durable_rules {len(durable)} steps"]
    names = TRACE_COLUMNS
    return [f"{key}: trace_steps[{d[1]}].{c}: batch {x!r}, durable_rules {y!r}"
            for b, d in zip(batch, durable) for c, x, y in zip(names, b, d) if x != y]
