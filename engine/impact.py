"""Who a draft edition moves: the same assessments evaluated under a base edition and a draft.

Each assessment is re-targeted at both editions (commodity codes mapped by rules/commodity_map.yaml);
one that cannot be (a fact the edition needs is missing, a commodity has no code in its list) is
listed with the reason, never dropped silently. For each assessment that moves, the criteria, gates,
band and caps that made the difference are read from the two traces.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .assessment import Assessment, Catalogue, check_file
from .assessment_read import read
from .commodity_map import load_commodity_map
from .errors import OvopError
from .evaluate import Evaluator
from .outcome import Outcome
from .resolve import RuleSet

DATASETS = Path("datasets")
SUFFIXES = (".yaml", ".yml", ".json", ".xlsx", ".csv")


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

    def to_json(self) -> dict[str, Any]:
        return {"base": self.base, "draft": self.draft, "evaluated": self.evaluated, "states": self.states,
                "matrix": self.matrix, "moves": [m.to_json() for m in self.moves], "not_retargeted": self.skipped}


def default_datasets(root: Path = DATASETS) -> list[tuple[str, Any]]:
    """Every assessment file under datasets/, read (files of other kinds are left out)."""
    paths = [p for p in sorted(root.rglob("*")) if p.suffix.lower() in SUFFIXES]
    sources = read_all(paths)
    return [(p, s) for p, s in sources if _is_assessments(s.located.data)]


def _is_assessments(data: Any) -> bool:
    items = data if isinstance(data, list) else [data]
    return bool(items) and all(isinstance(i, dict) and "ikm" in i for i in items)


def state(o: Outcome) -> str:
    return str(o.stars) if o.status == "awarded" else o.status


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


def impact(ruleset: RuleSet, draft: str, base: str, paths: list[Path], sources: list | None = None) -> Impact:
    """Evaluate every assessment of `paths` under `base` and `draft`; the transition matrix and the movers."""
    if sources is None:
        sources = read_all(paths)
    under_base, skipped = retarget(ruleset, sources, base)
    under_draft, skipped_draft = retarget(ruleset, sources, draft)
    skipped += skipped_draft
    evaluator = Evaluator(ruleset)
    states = _states(ruleset, base) + [s for s in _states(ruleset, draft) if s not in _states(ruleset, base)]
    result = Impact(base, draft, states, {r: {c: 0 for c in states} for r in states}, 0)
    gone = {(s["file"], s["id"]) for s in skipped}
    for key, a in under_base.items():
        if key in gone or key not in under_draft:
            continue
        before, after = evaluator.evaluate(a), evaluator.evaluate(under_draft[key])
        result.matrix[state(before)][state(after)] += 1
        result.evaluated += 1
        if state(before) != state(after):
            result.moves.append(Move(a.id, key[0], state(before), state(after), before.score, after.score,
                                     reasons(before, after)))
    result.skipped = sorted(skipped, key=lambda s: (s["file"], s["id"], s["edition"]))
    return result


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
        for ident, why in _why(errors).items():
            skipped.append({"file": str(path), "id": ident, "edition": edition, "reason": why})
    return found, skipped


def _why(errors: list) -> dict[str, str]:
    """Per assessment id, its problems in one line (missing facts named together)."""
    missing: dict[str, list[str]] = {}
    other: dict[str, list[str]] = {}
    for d in errors:
        ident, _, rest = (d.path or "").partition(": ")
        found = re.match(r'missing (gate fact|evidence) "(\w+)"', d.message)
        if found:
            section = "gates" if found.group(1) == "gate fact" else "evidence"
            missing.setdefault(ident, []).append(f"{section}.{found.group(2)}")
        else:
            other.setdefault(ident, []).append(f"{rest or d.path}: {d.message}")
    out = {}
    for ident in list(missing) + [i for i in other if i not in missing]:
        parts = (["missing " + ", ".join(missing[ident])] if ident in missing else []) + other.get(ident, [])
        out[ident] = "; ".join(parts)
    return out


def reasons(before: Outcome, after: Outcome) -> list[str]:
    """What differs between two traces of one assessment: gates, criterion levels, band, caps."""
    out: list[str] = []
    gb, ga = _steps(before, "gate", "fact"), _steps(after, "gate", "fact")
    for fact in list(gb) + [f for f in ga if f not in gb]:
        rb, ra = (gb.get(fact) or {}).get("result"), (ga.get(fact) or {}).get("result")
        if rb != ra:
            out.append(f"gate {fact}: {rb or 'not applied'} -> {ra or 'not applied'}")
    cb, ca = _steps(before, "criterion", "criterion"), _steps(after, "criterion", "criterion")
    for cid in list(cb) + [c for c in ca if c not in cb]:
        b, a = cb.get(cid), ca.get(cid)
        if b is None or a is None:
            out.append(f"criterion {cid}: {'added' if b is None else 'removed'}")
        elif (b["points"], b["condition"]) != (a["points"], a["condition"]):
            out.append(f"criterion {cid}: {b['points']} points ({b['condition']}) -> {a['points']} points ({a['condition']})")
    if before.score != after.score:
        out.append(f"score: {before.score} -> {after.score}")
    bb, ba = _band(before), _band(after)
    if bb != ba:
        out.append(f"band: {_band_text(bb)} -> {_band_text(ba)}")
    kb, ka = _caps(before), _caps(after)
    for cap in sorted(set(kb) | set(ka)):
        if kb.get(cap) != ka.get(cap):
            out.append(f"cap {cap}: {kb.get(cap) or 'not applied'} -> {ka.get(cap) or 'not applied'}")
    return out


def _steps(o: Outcome, kind: str, key: str) -> dict[str, dict]:
    return {s[key]: s for s in o.trace if s.get("kind") == kind}


def _band(o: Outcome) -> tuple | None:
    step = next((s for s in o.trace if s.get("kind") == "band"), None)
    return (step["stars"], step["min_score"]) if step else None


def _band_text(band: tuple | None) -> str:
    if band is None:
        return "not reached (ineligible)"
    stars, threshold = band
    return f"{stars} stars (score >= {threshold})" if stars else "no band"


def _caps(o: Outcome) -> dict[str, str]:
    return {s["cap"]: f"applied (at most {s['max_stars']} stars)" for s in o.trace
            if s.get("kind") == "cap" and s["applied"]}


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
        for m in result.moves:
            moves.add_row(m.id, m.file, m.before, m.after, "\n".join(m.reasons))
        console.print(moves)
    else:
        console.print("no assessment moves")
    if result.skipped:
        skipped = Table(title=f"{len(result.skipped)} not re-targeted (not evaluated)")
        for name in ("file", "id", "edition", "reason"):
            skipped.add_column(name)
        for s in result.skipped:
            skipped.add_row(s["file"], s["id"], s["edition"], s["reason"])
        console.print(skipped)
    return console.export_text()
