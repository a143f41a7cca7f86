"""Who a draft edition moves: the same assessments evaluated under a base edition and a draft.

Each assessment is re-targeted at both editions (commodity codes mapped by rules/commodity_map.yaml);
one that cannot be (a fact the edition needs is missing, a commodity has no code in its list) is
listed with the reason, never dropped silently. For each assessment that moves, the criteria, gates,
band and caps that made the difference are read from the two traces.

Both editions are evaluated by the batch path (engine.batch.evaluator); the reasons are read from its trace
rows (engine.impact.rows). `check=N` re-evaluates a seeded sample of N assessments through
durable_rules under each edition and lists every difference (`Impact.differences`). JSON Lines
files (`.jsonl`, one assessment per line) go through the population path (engine.impact.stream):
chunks of lines, a fast check, worker processes, memory flat.
"""
from __future__ import annotations

import copy
import dataclasses
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..batch import BatchEvaluator, check_sample
from ..decide import Outcome
from ..errors import Diagnostic, OvopError, say
from ..inputs import Assessment, Catalogue, check_file, duplicates, item_label, read
from ..rules import RuleSet, limits, load_commodity_map
from . import stream as impact_stream
from .assume import apply as with_assumed
from .assume import new_names
from .rows import compare, durable_row, state_of, why_not_evaluated
from .rows import reasons as row_reasons

DATASETS = Path("datasets")
SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".csv")
CHUNK = 10_000
MAX_ROWS = 200  # rows of a text table; --json lists everything
POPULATION = 50_000  # lines of JSON Lines from which several worker processes are used
WINDOW = 1 << 24  # bytes of a file mapped at a time to count its lines


@dataclass
class Move:
    id: str
    file: str
    before: str
    after: str
    score_before: float | None
    score_after: float | None
    reasons: list[str]

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        return dict(self.__dict__, reasons=[say(r, lang) for r in self.reasons])


@dataclass
class Impact:
    base: str
    draft: str
    states: list[str]
    matrix: dict[str, dict[str, int]]
    evaluated: int
    moves: list[Move] = field(default_factory=list)
    skipped: list[dict[str, str]] = field(default_factory=list)
    checked: int = 0
    differences: list[dict[str, Any]] = field(default_factory=list)
    files: list[str] = field(default_factory=list)  # the files evaluated, in order
    declared: dict[tuple[str, str], str] = field(default_factory=dict)  # (file, id) -> the file's edition (not .jsonl)
    assumed: dict[str, Any] = field(default_factory=dict)  # "evidence.NAME" | "gates.NAME" -> value, draft only
    new_names: list[str] = field(default_factory=list)  # evidence and gate facts the draft adds

    def to_json(self, lang: str = "en") -> dict[str, Any]:
        """The result as JSON; the movers' reasons in `lang` (id, en)."""
        return {"base": self.base, "draft": self.draft, "evaluated": self.evaluated, "states": self.states,
                "matrix": self.matrix, "moves": [m.to_json(lang) for m in self.moves], "not_retargeted": self.skipped,
                "not_retargeted_by_reason": by_reason(self.skipped), "assumed": self.assumed,
                "new_names": self.new_names,
                **({"checked": self.checked, "differences": self.differences} if self.checked else {})}


def default_datasets(root: Path = DATASETS) -> list[tuple[str, Any]]:
    """Every assessment file under datasets/, read (files of other kinds are left out)."""
    paths = [p for p in sorted(root.rglob("*")) if p.suffix.lower() in SUFFIXES]
    sources = read_all(paths)
    return [(p, s) for p, s in sources if _is_assessments(s.located.data)]


def _is_assessments(data: Any) -> bool:
    items = data if isinstance(data, list) else [data]
    return bool(items) and all(isinstance(i, dict) and "ikm" in i for i in items)


def state(o: Outcome) -> str:
    return state_of(o.status, o.stars)


def read_all(paths: list[Path]) -> list[tuple[str, Any]]:
    """Each file read once (both editions check the same reading); unreadable files are an error."""
    sources, errors = [], []
    for path in paths:
        try:
            sources.append((str(path), read(Path(path), str(path))))
        except OvopError as exc:
            errors += exc.diagnostics
    if errors:
        raise OvopError(errors)
    return sources


def impact(ruleset: RuleSet, draft: str, base: str, paths: list[Path], sources: list | None = None, *,
           check: int = 0, seed: int = 0, workers: int | None = None, advance=None,
           executor: str = "batch", assumed: dict[str, Any] | None = None) -> Impact:
    """Evaluate every assessment of `paths` under `base` and `draft`; the transition matrix and the movers.

    `assumed` ("evidence.NAME" or "gates.NAME" -> value, from `assume.parse`) fills answers the draft needs
    that an assessment lacks, under the draft only.
    executor="durable" evaluates through durable_rules instead (the reference, for tests)."""
    lines = [Path(p) for p in paths if Path(p).suffix.lower() == ".jsonl"]
    if sources is None:
        sources = read_all([p for p in paths if Path(p).suffix.lower() != ".jsonl"])
    declared = refuse_duplicates(ruleset, sources)
    states = _states(ruleset, base) + [s for s in _states(ruleset, draft) if s not in _states(ruleset, base)]
    result = Impact(base, draft, states, {r: {c: 0 for c in states} for r in states}, 0,
                    files=[str(s) for s, _ in sources] + [str(p) for p in lines], declared=declared,
                    assumed=dict(assumed or {}),
                    new_names=list(new_names(ruleset.get(base).model, ruleset.get(draft).model)))
    under_base, skipped = retarget(ruleset, sources, base)
    under_draft, skipped_draft = retarget(ruleset, sources, draft, result.assumed)
    gone = {(s["file"], s["id"]) for s in skipped + skipped_draft}
    keys = [k for k in under_base if k not in gone and k in under_draft]
    pairs = ([under_base[k] for k in keys], [under_draft[k] for k in keys])
    if executor == "durable":
        _durable(ruleset, result, keys, pairs)
    else:
        _batch(ruleset, result, keys, pairs)
    skipped += skipped_draft
    samples = {base: pairs[0], draft: pairs[1]}
    if lines:
        samples = _population(ruleset, result, lines, workers, advance, check, seed, samples, skipped)
    order = {str(p): i for i, p in enumerate([s for s, _ in sources] + [str(p) for p in lines])}
    result.moves.sort(key=lambda m: order.get(m.file, 0))
    result.skipped = sorted(skipped, key=lambda s: (s["file"], s["id"], s["edition"]))
    if check:
        _check(ruleset, result, samples, check, seed)
    return result


def refuse_duplicates(ruleset: RuleSet, sources: list[tuple[str, Any]]) -> dict[tuple[str, str], str]:
    """Two assessments with one id in one edition are an error, as `ovop evaluate` says it (across all files);
    else (file, id) -> the edition each assessment states."""
    keys, declared = [], {}
    for path, source in sources:
        data = source.located.data
        roots = [((i,), f"item {i + 1}") for i in range(len(data))] if isinstance(data, list) else [((), "")]
        for root, item in roots:
            raw = data[root[0]] if root else data
            if not (isinstance(raw, dict) and isinstance(raw.get("id"), str) and isinstance(raw.get("edition"), str)
                    and raw["edition"] in ruleset.editions):
                continue
            line, col = source.located.position(root + ("id",))
            keys.append((raw["edition"], raw["id"], Diagnostic(source.file, line, col, f"{item_label(raw, item)}: id")))
            declared[(str(path), raw["id"])] = raw["edition"]
    errors = duplicates(keys)
    if errors:
        raise OvopError(errors)
    return declared


def _durable(ruleset: RuleSet, result: Impact, keys: list, pairs: tuple[list, list]) -> None:
    from ..decide import Evaluator
    evaluator = Evaluator(ruleset)
    for key, a, d in zip(keys, *pairs):
        before, after = evaluator.evaluate(a), evaluator.evaluate(d)
        count(result, state(before), state(after), 1)
        if state(before) != state(after):
            result.moves.append(Move(a.id, key[0], state(before), state(after), before.score, after.score,
                                     row_reasons(durable_row(before), durable_row(after))))


def _batch(ruleset: RuleSet, result: Impact, keys: list, pairs: tuple[list, list]) -> None:
    be = BatchEvaluator(ruleset)
    for start in range(0, len(keys), CHUNK):
        cut = slice(start, start + CHUNK)
        before = be.evaluate_columns(pairs[0][cut], result.base)
        after = be.evaluate_columns(pairs[1][cut], result.draft)
        counts, moves = compare(before, after, [k[0] for k in keys[cut]])
        _add(result, counts, moves)


def count(result: Impact, before: str, after: str, n: int) -> None:
    """Add n to a cell of the matrix; a conditional state (what-if, CRITERIA.md section 7) gets its row and column
    when it first occurs."""
    for s in (before, after):
        if s not in result.states:
            result.states.append(s)
            for row in result.matrix.values():
                row[s] = 0
            result.matrix[s] = {c: 0 for c in result.states}
    result.matrix[before][after] += n
    result.evaluated += n


def _add(result: Impact, counts, moves: list[tuple]) -> None:
    for (b, a), n in counts.items():
        count(result, b, a, n)
    result.moves += [Move(*m) for m in moves]


def _population(ruleset: RuleSet, result: Impact, paths: list[Path], workers: int | None, advance,
                check: int, seed: int, samples: dict, skipped: list) -> dict:
    """JSON Lines files through engine.impact.stream; the --check sample drawn from them as well."""
    for path in paths:
        if path.exists() and not path.is_file():  # a FIFO, a device, a folder: named as what it is
            limits.open_regular(path).close()
        if not path.is_file():
            raise OvopError(Diagnostic(str(path), message="cannot read: no such file",
                                       allowed="a readable .jsonl file"))
    if workers is None:
        size = sum(p.stat().st_size for p in paths)
        workers = 1 if size < POPULATION * 1000 else max(1, min(4, os.cpu_count() or 1))
    part, evaluated = impact_stream.run(ruleset, result.base, result.draft, paths, workers, advance,
                                        assumed=result.assumed)
    _add(result, part.counts, part.moves)
    skipped += part.skipped
    if not check:
        return samples
    drawn = impact_stream.sample(ruleset, result.base, result.draft, evaluated, check, seed)
    return {e: samples[e] + drawn[e] for e in samples}


def _check(ruleset: RuleSet, result: Impact, samples: dict[str, list], n: int, seed: int) -> None:
    """Re-evaluate the same seeded sample under each edition through durable_rules."""
    for edition in (result.base, result.draft):
        items = samples[edition]
        result.checked = min(n, len(items))
        result.differences += [dict(d, edition=edition) for d in check_sample(items, n, seed, ruleset=ruleset)]


def _states(ruleset: RuleSet, edition: str) -> list[str]:
    scale = ruleset.get(edition).model.star_scale
    return ["ineligible", "not_awarded"] + [str(s) for s in range(scale.min, scale.max + 1)]


def retarget(ruleset: RuleSet, sources: list[tuple[str, Any]], edition: str,
             assumed: dict[str, Any] | None = None) -> tuple[dict[tuple, Assessment], list[dict]]:
    """(file, id) -> assessment re-targeted at `edition` (with the `assumed` answers where one is missing);
    and those that cannot be, with the reason."""
    target = ruleset.get(edition).model
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    found: dict[tuple, Assessment] = {}
    skipped: list[dict] = []
    for path, source in sources:
        items, errors = check_file(_assuming(source, assumed), catalogue, target, cmap, [])
        for a in items:
            found[(str(path), a.id)] = a
        for ident, why in why_not_evaluated(errors).items():
            skipped.append({"file": str(path), "id": ident, "edition": edition, "reason": why})
    return found, skipped


def _assuming(source: Any, assumed: dict[str, Any] | None) -> Any:
    """The source with the assumed answers added to each assessment that lacks them (positions kept)."""
    if not assumed:
        return source
    data = source.located.data
    data = with_assumed(data, assumed) if isinstance(data, list) else with_assumed([data], assumed)[0]
    located = copy.copy(source.located)
    located.data = data
    return dataclasses.replace(source, located=located)


def by_reason(skipped: list[dict]) -> list[dict]:
    """The assessments not re-targeted, counted by edition and reason (most first), with the first ids."""
    groups: dict[tuple[str, str], list[str]] = {}
    for s in skipped:
        groups.setdefault((s["edition"], s["reason"]), []).append(s["id"])
    rows = [{"edition": e, "reason": r, "count": len(ids), "examples": ids[:3]} for (e, r), ids in groups.items()]
    return sorted(rows, key=lambda row: (-row["count"], row["edition"], row["reason"]))


def reasons(before: Outcome, after: Outcome) -> list[str]:
    """What differs between two durable_rules traces of one assessment: gates, criterion levels, band, caps."""
    return row_reasons(durable_row(before), durable_row(after))


def count_lines(path: Path) -> int:
    """Newlines of a file (for the progress bar's total), counted by numpy on windows of a map of it (no copy;
    one window resident at a time)."""
    import mmap

    import numpy as np
    with limits.open_regular(path) as f:
        size, n = os.fstat(f.fileno()).st_size, 0
        for at in range(0, size, WINDOW):
            with mmap.mmap(f.fileno(), min(WINDOW, size - at), access=mmap.ACCESS_READ, offset=at) as mm:
                n += int(np.count_nonzero(np.frombuffer(mm, dtype=np.uint8) == 10))
        return n
