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

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..batch import BatchEvaluator, check_sample
from ..decide import Evaluator, Outcome
from ..errors import Diagnostic, OvopError
from ..inputs import Assessment, Catalogue, check_file, duplicates, item_label, read
from ..rules import RuleSet, limits, load_commodity_map
from . import stream as impact_stream
from .rows import compare, durable_row, state_of, why_not_evaluated
from .rows import reasons as row_reasons

DATASETS = Path("datasets")
SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".csv")
CHUNK = 10_000
MAX_ROWS = 200  # rows of a text table; --json lists everything
POPULATION = 50_000  # lines of JSON Lines from which several worker processes are used


@dataclass
class Move:
    id: str
    file: str
    before: str
    after: str
    score_before: float | None
    score_after: float | None
    reasons: list[str]

    def to_json(self) -> dict[str, Any]:
        return dict(self.__dict__)


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

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "draft": self.draft, "evaluated": self.evaluated, "states": self.states,
                "matrix": self.matrix, "moves": [m.to_json() for m in self.moves], "not_retargeted": self.skipped,
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
           executor: str = "batch") -> Impact:
    """Evaluate every assessment of `paths` under `base` and `draft`; the transition matrix and the movers.

    executor="durable" evaluates through durable_rules instead (the reference, for tests)."""
    lines = [Path(p) for p in paths if Path(p).suffix.lower() == ".jsonl"]
    if sources is None:
        sources = read_all([p for p in paths if Path(p).suffix.lower() != ".jsonl"])
    declared = refuse_duplicates(ruleset, sources)
    states = _states(ruleset, base) + [s for s in _states(ruleset, draft) if s not in _states(ruleset, base)]
    result = Impact(base, draft, states, {r: {c: 0 for c in states} for r in states}, 0,
                    files=[str(s) for s, _ in sources] + [str(p) for p in lines], declared=declared)
    under_base, skipped = retarget(ruleset, sources, base)
    under_draft, skipped_draft = retarget(ruleset, sources, draft)
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
    part, evaluated = impact_stream.run(ruleset, result.base, result.draft, paths, workers, advance)
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


def retarget(ruleset: RuleSet, sources: list[tuple[str, Any]], edition: str) -> tuple[dict[tuple, Assessment], list[dict]]:
    """(file, id) -> assessment re-targeted at `edition`; and those that cannot be, with the reason."""
    target = ruleset.get(edition).model
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    found: dict[tuple, Assessment] = {}
    skipped: list[dict] = []
    for path, source in sources:
        items, errors = check_file(source, catalogue, target, cmap, [])
        for a in items:
            found[(str(path), a.id)] = a
        for ident, why in why_not_evaluated(errors).items():
            skipped.append({"file": str(path), "id": ident, "edition": edition, "reason": why})
    return found, skipped


def reasons(before: Outcome, after: Outcome) -> list[str]:
    """What differs between two durable_rules traces of one assessment: gates, criterion levels, band, caps."""
    return row_reasons(durable_row(before), durable_row(after))


def render(result: Impact) -> str:
    """The transition matrix, the movers and the assessments not re-targeted, as text tables."""
    import io

    from rich.console import Console
    from rich.table import Table
    console = Console(record=True, width=160, file=io.StringIO(), color_system=None)
    matrix = Table(title=f"{result.base} (rows) -> {result.draft} (columns): {result.evaluated} assessments")
    matrix.add_column(result.base)
    for col in result.states:
        matrix.add_column(col, justify="right")
    for row in result.states:
        matrix.add_row(row, *[str(result.matrix[row][col]) for col in result.states])
    console.print(matrix)
    if result.moves:
        moves = Table(title=f"{len(result.moves)} assessments move")
        for name in ("id", "file", result.base, result.draft, "why"):
            moves.add_column(name)
        for m in result.moves[:MAX_ROWS]:
            moves.add_row(m.id, m.file, m.before, m.after, "\n".join(m.reasons))
        console.print(moves)
        if len(result.moves) > MAX_ROWS:
            console.print(f"... and {len(result.moves) - MAX_ROWS} more movers (--json lists every one)")
    else:
        console.print("no assessment moves")
    if result.skipped:
        skipped = Table(title=f"{len(result.skipped)} not re-targeted (not evaluated)")
        for name in ("file", "id", "edition", "reason"):
            skipped.add_column(name)
        for s in result.skipped[:MAX_ROWS]:
            skipped.add_row(s["file"], s["id"], s["edition"], s["reason"])
        console.print(skipped)
        if len(result.skipped) > MAX_ROWS:
            console.print(f"... and {len(result.skipped) - MAX_ROWS} more not re-targeted (--json lists every one)")
    if result.checked:
        console.print(f"checked: a sample of {result.checked} re-evaluated through durable_rules under "
                      f"{result.base} and {result.draft}: {len(result.differences)} differences")
    return console.export_text()


def echo(result: Impact, as_json: bool) -> None:
    """Print the result (JSON: streamed to stdout); a --check difference is an error (exit 1)."""
    import json
    import sys
    if as_json:
        json.dump(result.to_json(), sys.stdout, ensure_ascii=False, indent=2)
        sys.stdout.write("\n")
    else:
        sys.stdout.write(render(result))
    if result.differences:
        raise OvopError([Diagnostic(f"impact --check, edition {d['edition']}", path=d["id"],
                                    message=f"{d['field']}: batch {b!r}, durable_rules {r!r}",
                                    allowed="the same outcome and trace rows from both executors")
                         for d in result.differences for b, r in [_differing(d["batch"], d["durable"])]])


def _differing(batch: Any, durable: Any) -> tuple[Any, Any]:
    """Of two lists of trace rows, only the rows that differ; other values as they are."""
    if isinstance(batch, list) and isinstance(durable, list):
        return [x for x in batch if x not in durable], [x for x in durable if x not in batch]
    return batch, durable


def count_lines(path: Path) -> int:
    """Lines of a file, counted in blocks (for the progress bar's total)."""
    from ..rules import limits
    with limits.open_regular(path) as f:
        return sum(block.count(b"\n") for block in iter(lambda: f.read(1 << 20), b""))
