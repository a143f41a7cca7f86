"""Seeded synthetic assessments (CRITERIA.md §6 format) for testing, benchmarks and the published demo.

Nothing here describes a real firm: places are real, names are invented and tagged "SYN<yy>-<n>".
The same (edition, n, seed) always gives the same records, byte for byte once written.

How a record is made: a plan gives each record an outcome class (ineligible, not awarded, or a star
count) by quota from the edition's target shape (synth_data.TARGETS), block by block. A latent
maturity then draws every criterion level, and a short walk moves levels until the exact score falls
in the class's band; caps are met (or, now and then, deliberately missed so the cap applies).
Evidence values are drawn inside each level, often on or beside its boundaries.

For an edition that reports movement (2024 against 2022), holders of the previous edition's sample
come back as re-assessments with `previous: {edition, stars}` and the same name and place.

    python -m engine.synth --all      # rewrite datasets/synthetic/<edition>.yaml for every edition
"""
from __future__ import annotations

import argparse
import io
import os
import tempfile
from pathlib import Path
from random import Random
from typing import Iterator

from ruamel.yaml import YAML

from ..rules import Edition, RuleSet
from .data import ADJECTIVES, DEFAULT_N, FAMILY_WEIGHTS, FAMILY_WORD, FORMS, INELIGIBLE, PLACES, PRODUCTS, TARGETS
from .plan import Slot, plan
from .values import evidence_value, gate_value, ordered_levels, score_range, scorer

DEFAULT_SEED = 7
DEFAULT_DIR = Path("datasets/synthetic")
CAPPED_SHARE = 0.2
LEVEL_NOISE = 0.75


def synthesize(ruleset: RuleSet, edition: str, n: int, seed: int = DEFAULT_SEED,
               previous_n: int | None = None) -> list[dict]:
    """`n` synthetic assessments of `edition` as plain dicts, in the assessors' format."""
    return [a for chunk in stream(ruleset, edition, n, seed, previous_n=previous_n) for a in chunk]


def stream(ruleset: RuleSet, edition: str, n: int, seed: int = DEFAULT_SEED, chunk: int = 1000,
           previous_n: int | None = None) -> Iterator[list[dict]]:
    """The same records as `synthesize`, yielded in lists of at most `chunk` (the output does not depend on it)."""
    model = ruleset.get(edition).model
    width = max(4, len(str(n)))
    batch: list[dict] = []
    for i, slot in enumerate(plan(ruleset, edition, n, seed, previous_n)):
        batch.append(record(model, slot, i, seed, width))
        if len(batch) == chunk:
            yield batch
            batch = []
    if batch:
        yield batch


def record(model: Edition, slot: Slot, i: int, seed: int, width: int) -> dict:
    """One assessment: identity, gates and evidence for its planned outcome class."""
    edition = model.edition
    rng = Random(f"synth:{seed}:{edition}:record:{i}")
    ikm = identity(seed, slot.origin, slot.index, model)
    out = {"id": f"{edition}-SYN-{i + 1:0{width}d}", "edition": edition, "ikm": ikm,
           "gates": gates(rng, model, ikm["commodity"], slot.cls == INELIGIBLE),
           "evidence": evidence(rng, model, slot.cls)}
    if slot.previous is not None:
        out["previous"] = {"edition": slot.previous[0], "stars": slot.previous[1]}
    return out


def identity(seed: int, origin: str, index: int, model: Edition) -> dict:
    """A made-up firm in a real place; the same (seed, origin, index) is the same firm in every edition."""
    rng = Random(f"synth:{seed}:ikm:{origin}:{index}")
    family = rng.choices(list(FAMILY_WEIGHTS), weights=list(FAMILY_WEIGHTS.values()))[0]
    product, code_2013, code_2018 = rng.choice(PRODUCTS[family])
    province = rng.choice(sorted(PLACES))
    regency = rng.choice(PLACES[province])
    name = f"{rng.choice(FORMS)} {rng.choice(ADJECTIVES)} {rng.choice(FAMILY_WORD[family])} SYN{origin[2:4]}-{index + 1:04d}"
    codes = {c.code for c in model.commodities}
    commodity = code_2018 if code_2018 in codes else code_2013
    return {"name": name, "province": province, "regency": regency, "commodity": commodity, "product": product}


def gates(rng: Random, model: Edition, commodity: str, ineligible: bool) -> dict:
    """Every gate fact the edition needs; an ineligible record fails one or more of them."""
    needed = model.gates_for(commodity)
    failing: set[str] = set()
    if ineligible:
        k = min(len(needed), rng.choices((1, 2, 3), weights=(70, 25, 5))[0])
        failing = {g.fact for g in rng.sample(needed, k)}
    return {g.fact: gate_value(rng, g, g.fact not in failing) for g in needed}


def evidence(rng: Random, model: Edition, cls: int) -> dict:
    """Evidence whose exact score lands in the band of `cls` (an ineligible record gets any class)."""
    if cls == INELIGIBLE:
        cls = rng.choice(sorted(k for k in TARGETS.get(model.edition, {0: 1}) if k != INELIGIBLE) or [0])
    band, locked = _band_and_caps(rng, model, cls)
    low, high = score_range(model, band)
    target = low + (high - low) * rng.random() if high <= 100 else low + (100 - low) * rng.random()
    maturity = 3 * float(target) / 100
    index = {c.id: c for c in model.criteria}
    levels = {c.id: locked.get(c.evidence.name, _level(rng, maturity)) for c in model.criteria}
    free = [c.id for c in model.criteria if c.evidence.name not in locked]
    _walk(rng, model, levels, free, low, high)
    return {index[cid].evidence.name: evidence_value(rng, index[cid], lv) for cid, lv in levels.items()}


def _level(rng: Random, maturity: float) -> int:
    """A level index (0, 1, 2) around the maturity (average points), with noise."""
    return min(2, max(0, round(maturity + rng.gauss(0, LEVEL_NOISE)) - 1))


def _band_and_caps(rng: Random, model: Edition, stars: int) -> tuple[int, dict[str, int]]:
    """The band to aim at and the cap evidence levels to fix, so that the final stars are `stars`."""
    locked: dict[str, int] = {}
    band = stars
    top = max(b.stars for b in model.bands)
    for cap in model.caps:
        if stars > cap.max_stars:
            for cond in cap.requires:
                locked[cond.evidence] = _cap_level(model, cond.evidence, cond.in_, meets=True)
        elif stars == cap.max_stars and stars < top and rng.random() < CAPPED_SHARE:
            band = rng.randint(stars + 1, top)
            cond = rng.choice(cap.requires)
            locked[cond.evidence] = _cap_level(model, cond.evidence, cond.in_, meets=False)
    return band, locked


def _cap_level(model: Edition, name: str, codes: list[str] | None, meets: bool) -> int:
    """The highest level whose codes meet (or all miss) a cap condition."""
    criterion = next(c for c in model.criteria if c.evidence.name == name)
    levels = ordered_levels(criterion)
    fits = [i for i, lv in enumerate(levels) if bool(set(lv.codes or ()) & set(codes or ())) == meets]
    return max(fits)


def _walk(rng: Random, model: Edition, levels: dict[str, int], free: list[str], low, high) -> None:
    """Raise or lower free levels one step at a time until low <= score < high (score = N / D, exact)."""
    points, coef, d = scorer(model)
    low, high = low * d, high * d
    for _ in range(200):
        value = sum(coef[cid] * points[cid][lv] for cid, lv in levels.items())
        if value < low:
            options = [cid for cid in free if levels[cid] < 2]
            step = 1
        elif value >= high:
            options = [cid for cid in free if levels[cid] > 0]
            step = -1
        else:
            return
        if not options:
            return
        levels[rng.choice(options)] += step


def header(edition: str, n: int, seed: int) -> str:
    return (f"# SYNTHETIC assessments, OVOP edition {edition}: invented firms, not real results.\n"
            f"# Seeded and reproducible; regenerate with:\n"
            f"#   ovop datasets synth --edition {edition} --n {n} --seed {seed}\n"
            f"# (or `python -m engine.synth --all` for every edition). Places are real provinces and\n"
            f"# regencies; every firm name is made up and tagged SYN<yy>-<n>. No real firm is described.\n")


def write(path: Path, chunks, head: str) -> Path:
    """Write a YAML list chunk by chunk to a temporary file, then move it into place (atomic)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    yaml.sort_base_mapping_type_on_output = False
    yaml.width = 4096
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as f:
            f.write(head)
            for chunk in chunks:
                buf = io.StringIO()
                yaml.dump(chunk, buf)
                f.write(buf.getvalue())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise
    return path


def write_edition(ruleset: RuleSet, edition: str, n: int, seed: int, out: Path) -> Path:
    return write(out, stream(ruleset, edition, n, seed), header(edition, n, seed))


def write_all(ruleset: RuleSet, directory: Path = DEFAULT_DIR, seed: int = DEFAULT_SEED) -> list[Path]:
    """Rewrite the committed sample of every edition (default sizes, one seed)."""
    return [write_edition(ruleset, e, DEFAULT_N[e], seed, Path(directory) / f"{e}.yaml")
            for e in DEFAULT_N if e in ruleset.editions]


def outcome_counts(ruleset: RuleSet, path: Path) -> dict[str, int]:
    """Load a written sample as assessors' input and count its outcomes: "5★" ... "1★", not awarded, ineligible."""
    from ..decide import Evaluator
    from ..inputs import load_assessments
    evaluator = Evaluator(ruleset)
    counts: dict[str, int] = {}
    top = 0
    for a in load_assessments([Path(path)], ruleset):
        o = evaluator.evaluate(a)
        top = max(top, ruleset.get(a.edition).model.star_scale.max)
        key = f"{o.stars}★" if o.status == "awarded" else o.status
        counts[key] = counts.get(key, 0) + 1
    order = [f"{s}★" for s in range(top, 0, -1)] + ["not_awarded", "ineligible"]
    return {k: counts.get(k, 0) for k in order}


def main(argv: list[str] | None = None) -> None:
    from ..rules import load_rules
    parser = argparse.ArgumentParser(prog="python -m engine.synth", description=__doc__.splitlines()[0])
    parser.add_argument("--all", action="store_true", help="rewrite every edition's committed sample")
    parser.add_argument("--rules", default="rules")
    parser.add_argument("--out-dir", default=str(DEFAULT_DIR))
    args = parser.parse_args(argv)
    if not args.all:
        parser.error("use --all (or `ovop datasets synth` for one edition)")
    for path in write_all(load_rules(args.rules), Path(args.out_dir)):
        print(f"wrote {path}")


if __name__ == "__main__":
    main()
