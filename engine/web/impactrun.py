"""The impact of a draft on every published assessment, for the workbench: the batch path (as `ovop impact`)
over the stored inputs of the published database, re-targeted at the base and at the draft, with assumed
values for evidence and gate facts the draft adds (no past assessment has them).

The population and the base edition's outcomes are kept between edits (keyed by the database file and the
base edition's hash); an edit re-checks and re-evaluates only the draft side.
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..batch import BatchEvaluator
from ..impact import compare, why_not_evaluated
from ..inputs import Catalogue, FastCheck, slow
from ..publish import register
from ..rules import RuleSet, load_commodity_map
from .workbench import settle

MAX_REASONS = 200  # records not re-targeted whose reason is worked out one by one; the rest are counted
_CACHE: dict = {}


@dataclass
class Result:
    base: str
    draft: str
    states: list[str]
    matrix: dict[str, dict[str, int]]
    evaluated: int
    moves: list[tuple] = field(default_factory=list)
    not_retargeted: dict[str, int] = field(default_factory=dict)
    reasons: list[dict] = field(default_factory=list)
    assumed: dict[str, Any] = field(default_factory=dict)


def population(db: str | Path) -> list[dict]:
    """Every published assessment's stored input (parsed), cached while the file is unchanged."""
    path = Path(db)
    key = ("pop", str(path.resolve()), path.stat().st_mtime_ns)
    if key not in _CACHE:
        with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as conn:
            register(conn)
            raws = [json.loads(r[0]) for r in conn.execute(
                "select ovop_unpack(input_packed, (select dictionary from codecs where part = 'input')) "
                "from assessments order by rowid")]
        _CACHE.clear() if len(_CACHE) > 8 else None
        _CACHE[key] = raws
        settle()
    return _CACHE[key]


def new_names(ruleset: RuleSet, base: str, draft: str) -> dict[str, Any]:
    """Evidence names and gate facts of the draft that the base does not have, with a default assumption
    (the lowest code, the minimum, or 0; gates: the requirement met)."""
    b, d = ruleset.get(base).model, ruleset.get(draft).model
    known = set(b.evidence_names()) | {g.fact for g in b.gates}
    out: dict[str, Any] = {}
    for c in d.criteria:
        ev = c.evidence
        if ev.name not in known:
            out["evidence." + ev.name] = (ev.codes[0].code if ev.type == "enum" and ev.codes else
                                          ev.min if ev.min is not None else 0)
    for g in d.gates:
        if g.fact not in known:
            out["gates." + g.fact] = True if g.type == "boolean" else (g.min if g.min is not None else 0)
    return out


def _with(raws: list[dict], assumed: dict[str, Any]) -> list[dict]:
    if not assumed:
        return raws
    ev = {k.split(".", 1)[1]: v for k, v in assumed.items() if k.startswith("evidence.")}
    gates = {k.split(".", 1)[1]: v for k, v in assumed.items() if k.startswith("gates.")}
    return [dict(r, evidence={**ev, **r["evidence"]}, gates={**gates, **r["gates"]})
            if isinstance(r, dict) and isinstance(r.get("evidence"), dict) and isinstance(r.get("gates"), dict)
            else r for r in raws]


def _retarget(ruleset: RuleSet, catalogue, cmap, raws: list[dict], edition: str, out: Result) -> list:
    target = ruleset.get(edition).model
    found = FastCheck(catalogue, target, cmap).chunk(raws)
    for i, a in enumerate(found):
        if a is None:
            out.not_retargeted[edition] = out.not_retargeted.get(edition, 0) + 1
            if len(out.reasons) < MAX_REASONS:
                text = json.dumps(raws[i], ensure_ascii=False)
                a2, errors = slow(text, "published", i + 1, i + 1, catalogue, target, cmap)
                found[i] = a2
                for ident, why in why_not_evaluated(errors).items():
                    out.reasons.append({"id": ident, "edition": edition, "reason": why})
    return found


def run(ruleset: RuleSet, base: str, draft: str, raws: list[dict], assumed: dict[str, Any] | None = None) -> Result:
    defaults = new_names(ruleset, base, draft)
    assumed = {k: (assumed or {}).get(k, v) for k, v in defaults.items()}
    states = _states(ruleset, base) + [s for s in _states(ruleset, draft) if s not in _states(ruleset, base)]
    out = Result(base, draft, states, {r: {c: 0 for c in states} for r in states}, 0, assumed=assumed)
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    key = ("base", id(raws), base, ruleset.get(base).hash)
    if key not in _CACHE:
        be = BatchEvaluator(ruleset)
        under_base = _retarget(ruleset, catalogue, cmap, raws, base, Result(base, draft, [], {}, 0))
        _CACHE[key] = (under_base, be, {})
        settle()
    under_base, be, columns = _CACHE[key]
    if not assumed and _inputs(ruleset, base) == _inputs(ruleset, draft):
        under_draft = [dict(a, edition=draft) if isinstance(a, dict) else a for a in under_base]  # same checks
    else:
        under_draft = _retarget(ruleset, catalogue, cmap, _with(raws, assumed), draft, out)
    both = [i for i, (a, d) in enumerate(zip(under_base, under_draft)) if a is not None and d is not None]
    if not both:
        return out
    subset = tuple(both) if len(both) != len(raws) else None
    if subset not in columns:
        columns.clear()
        columns[subset] = be.evaluate_columns([under_base[i] for i in both], base)
    draft_be = BatchEvaluator(ruleset)
    after = draft_be.evaluate_columns([under_draft[i] for i in both], draft)
    counts, moves = compare(columns[subset], after, ["published"] * len(both))
    for (b, a), n in counts.items():
        out.matrix[b][a] += n
        out.evaluated += n
    out.moves = moves
    return out


def _inputs(ruleset: RuleSet, edition: str) -> tuple:
    """What decides whether an input is valid for an edition: its commodities, gates and evidence."""
    m = ruleset.get(edition).model
    return ([c.code for c in m.commodities], [g.model_dump() for g in m.gates],
            sorted((c.evidence.model_dump_json() for c in m.criteria)))


def _states(ruleset: RuleSet, edition: str) -> list[str]:
    scale = ruleset.get(edition).model.star_scale
    return ["ineligible", "not_awarded"] + [str(s) for s in range(scale.min, scale.max + 1)]
