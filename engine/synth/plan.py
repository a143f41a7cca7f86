"""The plan of a synthetic sample: each record's outcome class and which firm it is.

Classes are dealt by quota from the edition's target shape in blocks of PLAN_BLOCK records, each
block shuffled with its own seeded generator, so a sample of millions streams in constant memory and
any prefix of blocks has the target shape. For an edition that reports movement, the holders of the
previous edition's sample (same seed) come back as re-assessments, block by block.
"""
from __future__ import annotations

from dataclasses import dataclass
from random import Random
from typing import Iterator

from ..rules import RuleSet
from .data import DEFAULT_N, INELIGIBLE, NOT_AWARDED, TARGETS

PLAN_BLOCK = 1000
MAX_REASSESSED = 0.6  # share of a block that may be re-assessments
REASSESS_WEIGHT = {INELIGIBLE: 0.25, NOT_AWARDED: 0.6}  # holders mostly stay eligible
MOVEMENT_NOISE = 0.9


@dataclass(frozen=True)
class Slot:
    cls: int                 # INELIGIBLE, NOT_AWARDED or the final stars
    origin: str              # the edition whose sample first had this firm
    index: int               # the firm's number within that sample
    previous: tuple[str, int] | None = None


def quota(weights: dict[int, int], n: int) -> list[int]:
    """n classes in proportion to `weights`, by largest remainder (ties: higher class first)."""
    total = sum(weights.values())
    exact = {k: n * w / total for k, w in weights.items()}
    counts = {k: int(v) for k, v in exact.items()}
    order = sorted(weights, key=lambda k: (-(exact[k] - counts[k]), -k))
    for k in order[: n - sum(counts.values())]:
        counts[k] += 1
    return [k for k in sorted(weights, reverse=True) for _ in range(counts[k])]


def class_blocks(edition: str, n: int, seed: int) -> Iterator[list[int]]:
    """The planned classes of an edition's sample, one shuffled block at a time."""
    weights = TARGETS.get(edition) or {NOT_AWARDED: 1}
    for b, start in enumerate(range(0, n, PLAN_BLOCK)):
        block = quota(weights, min(PLAN_BLOCK, n - start))
        Random(f"synth:{seed}:{edition}:plan:{b}").shuffle(block)
        yield block


def previous_edition(ruleset: RuleSet, edition: str) -> str | None:
    """The edition a movement is measured against: the parent, when it reports movement on the same scale."""
    model = ruleset.get(edition).model
    parent = ruleset.editions.get(model.extends or "")
    if model.consequences.movement is None or parent is None:
        return None
    return parent.id if parent.model.star_scale.max == model.star_scale.max else None


def default_previous_n(edition: str, previous: str, n: int) -> int:
    """The previous sample's size in proportion to the committed ones (159 in 2024 <-> 80 in 2022)."""
    return round(n * DEFAULT_N.get(previous, n) / DEFAULT_N.get(edition, n))


def plan(ruleset: RuleSet, edition: str, n: int, seed: int, previous_n: int | None = None) -> Iterator[Slot]:
    prev = previous_edition(ruleset, edition)
    prev_blocks = iter(())
    if prev is not None:
        size = default_previous_n(edition, prev, n) if previous_n is None else previous_n
        prev_blocks = class_blocks(prev, size, seed)
    for b, block in enumerate(class_blocks(edition, n, seed)):
        slots = [Slot(c, edition, b * PLAN_BLOCK + j) for j, c in enumerate(block)]
        prev_block = next(prev_blocks, None)
        if prev_block:
            rng = Random(f"synth:{seed}:{edition}:reassess:{b}")
            _reassess(rng, slots, prev_block, prev, b * PLAN_BLOCK)
        yield from slots


def _reassess(rng: Random, slots: list[Slot], prev_block: list[int], prev: str, offset: int) -> None:
    """Give some slots to the previous block's holders, pairing better results with better previous stars."""
    holders = [(offset + j, c) for j, c in enumerate(prev_block) if c > 0]
    holders = holders[: int(MAX_REASSESSED * len(slots))]
    keys = [rng.random() ** (1 / REASSESS_WEIGHT.get(s.cls, 1.0)) for s in slots]
    chosen = sorted(range(len(slots)), key=lambda j: -keys[j])[: len(holders)]
    chosen.sort(key=lambda j: (slots[j].cls, j))
    ranked = sorted(holders, key=lambda h: (h[1] + rng.gauss(0, MOVEMENT_NOISE), h[0]))
    for j, (index, stars) in zip(chosen, ranked):
        slots[j] = Slot(slots[j].cls, prev, index, (prev, stars))
