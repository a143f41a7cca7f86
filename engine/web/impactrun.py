"""The impact of a draft on every published assessment, for the workbench: the batch path (as `ovop impact`)
over the stored inputs of the published database, re-targeted at the base and at the draft, with assumed
values for evidence and gate facts the draft adds (no past assessment has them).

The population and the base side are kept between edits (keyed by the database file and the base edition's
hash): the records valid under the base, as decoded columns (engine.web.workbench_columns), and their outcomes.
Every edit is decided on those columns. One that keeps what a valid input is (levels, points, weights, bands,
caps, consequences, evidence or gate facts added with assumed values) decides them all; one that changes an
input's definition (a range, whole numbers, a code list, a gate fact's range, the commodities, evidence the
draft needs) first finds on the changed columns the records the draft refuses (engine.web.workbench_valid):
they are counted by reason, the normal reader wording the first record of each kind of problem only. The
result is the one of checking every record again (tests/test_workbench_impact.py), which is still done
when the columns cannot tell (a record that states the draft's own edition, a column that cannot be kept).
"""
from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..batch import CONDITIONAL, INELIGIBLE, NOT_AWARDED, BatchEvaluator, as_dict, decide
from ..impact import compare, why_not_evaluated, with_assumed
from ..impact import count as count_cell
from ..impact import new_names as assumed_defaults
from ..inputs import Catalogue, FastCheck, Spec, problem, slow
from ..publish import register
from ..rules import RuleSet, exact, load_commodity_map
from .workbench import settle
from .workbench_columns import MISSING, Store
from .workbench_valid import recheck

MAX_REASONS = 200  # records not re-targeted listed with their reason; all are counted, by reason
MAX_SLOW = 500  # per edit, records through the normal path: kinds of problem worded (the others counted in
#                 `unworded`) or, when every record is checked again, records the fast check is unsure of
#                 (the others left out, in `unchecked`)
MAX_MOVES = 200  # movers whose reasons are worked out (the page shows 100); all are counted
INLINE_MAX = 20_000  # a larger population's impact is not in the saved page: the page fetches it after
_CACHE: dict = {}


@dataclass
class Result:
    base: str
    draft: str
    states: list[str]
    matrix: dict[str, dict[str, int]]
    evaluated: int
    moves: list[tuple] = field(default_factory=list)  # the first MAX_MOVES movers, with their reasons
    movers: int = 0  # how many move
    unchecked: int = 0  # left out: the fast check was unsure of them, and more than MAX_SLOW were
    not_retargeted: dict[str, int] = field(default_factory=dict)
    reasons: list[dict] = field(default_factory=list)  # the first MAX_REASONS records not re-targeted, with why
    by_reason: dict[str, int] = field(default_factory=dict)  # every record not re-targeted at the draft, by why
    unworded: int = 0  # of those, not worded: past MAX_SLOW kinds of problem (counted in not_retargeted)
    assumed: dict[str, Any] = field(default_factory=dict)


def size(db: str | Path) -> int:
    """How many assessments the published database holds (cached while the file is unchanged)."""
    path = Path(db)
    try:
        key = ("size", str(path.resolve()), path.stat().st_mtime_ns)
    except OSError:
        return 0
    if key not in _CACHE:
        with sqlite3.connect(f"file:{path}?mode=ro&immutable=1", uri=True) as conn:
            _CACHE[key] = conn.execute("select count(*) from assessments").fetchone()[0]
    return _CACHE[key]


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
    (as `ovop impact --assume` takes them: engine.impact.assume)."""
    return assumed_defaults(ruleset.get(base).model, ruleset.get(draft).model)


def _retarget(ruleset: RuleSet, catalogue, cmap, raws: list[dict], edition: str, out: Result,
              positions: list[int] | None = None, limit: int | None = None, at: list | None = None) -> list:
    """The records re-targeted at `edition`, as `ovop impact` does: the fast check, and the normal path for
    what it is not certain of; None: not valid there (counted; the first MAX_REASONS with why).
    `positions`: where these records are in the population (default: 0, 1, ...); `limit`: at most so many
    records through the normal path (one by one, ~1 ms each), the others left out and counted in `unchecked`;
    `at`: receives the position of each reason kept."""
    target = ruleset.get(edition).model
    found = FastCheck(catalogue, target, cmap).chunk(raws)
    asked = 0
    for i, a in enumerate(found):
        if a is None:
            if limit is not None and asked >= limit:
                out.unchecked += 1
                continue
            asked += 1
            text = json.dumps(raws[i], ensure_ascii=False)
            n = (positions[i] if positions else i) + 1
            found[i], errors = slow(text, "published", n, n, catalogue, target, cmap)
            if found[i] is None:
                out.not_retargeted[edition] = out.not_retargeted.get(edition, 0) + 1
            for ident, why in why_not_evaluated(errors).items():
                out.by_reason[why] = out.by_reason.get(why, 0) + 1
                if len(out.reasons) < MAX_REASONS:
                    out.reasons.append({"id": ident, "edition": edition, "reason": why})
                    at.append(n - 1) if at is not None else None
    return found


def run(ruleset: RuleSet, base: str, draft: str, raws: list[dict], assumed: dict[str, Any] | None = None) -> Result:
    defaults = new_names(ruleset, base, draft)
    assumed = {k: (assumed or {}).get(k, v) for k, v in defaults.items()}
    states = _states(ruleset, base) + [s for s in _states(ruleset, draft) if s not in _states(ruleset, base)]
    out = Result(base, draft, states, {r: {c: 0 for c in states} for r in states}, 0, assumed=assumed)
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    kept = _base(ruleset, catalogue, cmap, raws, base)
    if not kept.valid:
        _retarget(ruleset, catalogue, cmap, with_assumed(raws, assumed), draft, out)
        return out
    both = _on_columns(ruleset, catalogue, cmap, raws, kept, draft, assumed, out)
    if both is None:  # not decidable on the kept columns: every record is checked again
        out.not_retargeted, out.reasons, out.by_reason = {}, [], {}
        under_draft = _retarget(ruleset, catalogue, cmap, with_assumed(raws, assumed), draft, out, limit=MAX_SLOW)
        valid = [j for j, i in enumerate(kept.valid) if under_draft[i] is not None]
        if not valid:
            return out
        after = BatchEvaluator(ruleset).evaluate_columns([under_draft[kept.valid[j]] for j in valid], draft)
        both = (kept.columns if len(valid) == len(kept.valid) else _subset(kept.columns, valid)), after
    if both[1] is not None:
        _count(*both, out)
    return out


@dataclass
class _Kept:
    """The base side of a population, built once per population and base edition."""
    under_base: list
    valid: list[int]          # positions of the records valid under the base
    store: Store              # those records as decoded columns
    columns: Any              # their outcomes under the base (engine.batch.Columns)
    stated: list[dict] = field(default_factory=list)  # those records as their assessments state them
    declared: set = field(default_factory=set)  # the editions they state
    invalid: dict = field(default_factory=dict)  # the draft-side check of the others, by the draft's inputs


def _base(ruleset: RuleSet, catalogue, cmap, raws: list[dict], base: str) -> _Kept:
    model = ruleset.get(base).model
    key = ("base", id(raws), len(raws), base, ruleset.get(base).hash, cmap.pairs, _known(catalogue, raws, model))
    if key not in _CACHE:
        under_base = _retarget(ruleset, catalogue, cmap, raws, base, Result(base, base, [], {}, 0))
        valid = [i for i, a in enumerate(under_base) if a is not None]
        stated = [raws[i] for i in valid]
        store = Store([as_dict(under_base[i]) for i in valid], [a["ikm"]["commodity"] for a in stated])
        be = BatchEvaluator(ruleset)
        columns = be.evaluate_columns(store.records, base) if valid else None
        _CACHE[key] = _Kept(under_base, valid, store, columns, stated, {a.get("edition") for a in stated})
        settle()
    return _CACHE[key]


def _known(catalogue, raws: list[dict], base) -> tuple:
    """The definitions a record's names take under the base when the base does not define them (the latest
    edition's, which a draft may be): for the names the population states."""
    names = _CACHE.get(("names", id(raws), len(raws)))
    if names is None:
        names = {s: set() for s in ("gates", "evidence")}
        for s in names:
            for layout in {tuple(r[s]) for r in raws if isinstance(r, dict) and isinstance(r.get(s), dict)}:
                names[s].update(layout)
        _CACHE[("names", id(raws), len(raws))] = names
    own = {"gates": {g.fact for g in base.gates}, "evidence": set(base.evidence_names())}
    return tuple((s, n, getattr(catalogue, s).get(n)) for s in ("gates", "evidence") for n in sorted(names[s] - own[s]))


def _on_columns(ruleset, catalogue, cmap, raws, kept: _Kept, draft: str, assumed: dict, out: Result):
    """(the base's outcomes, the draft's) of the records valid under both, from the kept columns: which of
    them the draft refuses is worked out on the columns (engine.web.workbench_valid); those are counted with
    their reasons. None: not decidable here (a record that states the draft's own edition, a column that
    cannot be kept, a record the normal reader words differently)."""
    d = ruleset.get(draft).model
    if draft in kept.declared:
        return None
    found = recheck(kept.store, kept.stated, ruleset.get(out.base).model, d, catalogue, cmap, assumed)
    rows = np.flatnonzero(found.ok)
    plan = BatchEvaluator(ruleset).plan(draft)
    every = rows.size == len(kept.valid)
    inputs = kept.store.inputs(plan, assumed, None if every else rows, found.commodity) if rows.size else True
    if inputs is None:
        return None
    mine: list[tuple[int, dict]] = []
    if not every and not _refused(ruleset, catalogue, cmap, raws, kept, draft, assumed, found, out, mine):
        return None
    _invalid_under_draft(ruleset, catalogue, cmap, raws, kept, draft, assumed, out, mine)
    if not rows.size:
        return kept.columns, None
    return (kept.columns if every else _subset(kept.columns, rows.tolist())), decide(plan, inputs)


def _refused(ruleset, catalogue, cmap, raws, kept: _Kept, draft: str, assumed: dict, found, out: Result,
             mine: list) -> bool:
    """The kept records the draft refuses: counted by kind of problem, each worded by the normal reader on its
    first record, the first MAX_REASONS listed. A kind that is one value's problem is worded by `problem` once
    the normal reader has said the same words for a record of that field (one read per field); of the other
    kinds (two problems in one record, a missing name, a commodity), at most MAX_SLOW are read, the rest
    counted in `unworded`. False when the normal reader accepts a record refused here (then every record is
    checked again)."""
    target = ruleset.get(draft).model
    counts = np.bincount(found.group[found.group >= 0])
    words: list[str | None] = []
    trusted: set[tuple] = set()  # fields whose single-value problem the normal reader words as `_worded` does
    tried: set[tuple] = set()
    reads = 0
    for g, j in enumerate(found.first):
        said = _worded(found.parts[g])
        field_ = found.parts[g][0][:2] if said else None
        if field_ in trusted or (reads >= MAX_SLOW and (said is None or field_ in tried)):
            words.append(said if field_ in trusted else None)  # worded as the normal reader words it, or not
            continue
        tried.add(field_)
        reads += 1
        i = kept.valid[j]
        text = json.dumps(with_assumed([raws[i]], assumed)[0], ensure_ascii=False)
        a, errors = slow(text, "published", i + 1, i + 1, catalogue, target, cmap)
        if a is not None:
            return False
        words.append(next(iter(why_not_evaluated(errors).values())))
        if said is not None and words[-1] == said:
            trusted.add(field_)
    for g, n in enumerate(counts.tolist()):
        if words[g] is not None:
            out.by_reason[words[g]] = out.by_reason.get(words[g], 0) + n
        else:
            out.unworded += n
    out.not_retargeted[draft] = out.not_retargeted.get(draft, 0) + int(counts.sum())
    for j in np.flatnonzero(~found.ok)[:MAX_REASONS].tolist():
        mine.append((kept.valid[j], {"id": kept.store.ids[j], "edition": draft, "reason": words[int(found.group[j])]}))
    return True


def _worded(parts: list[tuple]) -> str | None:
    """A single value's problem in the words of `problem`, which the normal reader words it with ("evidence.x:
    100 is out of range"), or None (several problems, a missing name, a commodity)."""
    if len(parts) != 1 or parts[0][3] is None or parts[0][2] is MISSING:
        return None
    section, name, value, spec = parts[0]
    written = ("true" if value else "false") if isinstance(value, bool) else repr(value) if isinstance(
        value, (int, float)) else json.dumps(value, ensure_ascii=False)[:60]
    said = problem(spec, value, exact(value) if isinstance(value, (int, float)) and not isinstance(value, bool)
                   else None, written)
    return None if said is None else f"{section}.{name}: {said}"  # as the English words of its Text


def _invalid_under_draft(ruleset, catalogue, cmap, raws, kept: _Kept, draft: str, assumed: dict, out: Result,
                         mine: list) -> None:
    """The records not valid under the base, checked under the draft only to count (and say why) those not
    valid there either; kept while the draft's inputs and the assumed values are the same. Their reasons and
    `mine` (the kept records refused: (position, reason)) make the first MAX_REASONS, in the population's order."""
    m = ruleset.get(draft).model
    key = ("invalid", id(kept), repr([[c.code for c in m.commodities], [(g.fact, Spec.of(g), g.applies_to) for g in m.gates],
                                      sorted(_defs(m).items()), sorted(assumed.items())]))
    if key not in kept.invalid:
        theirs, at = Result(out.base, draft, [], {}, 0), []
        invalid = [i for i, a in enumerate(kept.under_base) if a is None]
        if invalid:
            _retarget(ruleset, catalogue, cmap, with_assumed([raws[i] for i in invalid], assumed), draft, theirs,
                      invalid, at=at)
        if len(kept.invalid) > 16:
            kept.invalid.clear()
        kept.invalid[key] = (theirs.not_retargeted, list(zip(at, theirs.reasons)), theirs.by_reason)
    counted, reasons, by_reason = kept.invalid[key]
    if draft in counted:
        out.not_retargeted[draft] = out.not_retargeted.get(draft, 0) + counted[draft]
    for why, n in by_reason.items():
        out.by_reason[why] = out.by_reason.get(why, 0) + n
    out.reasons += [r for _, r in sorted(reasons + mine, key=lambda p: p[0])[:MAX_REASONS]]


def _defs(model) -> dict[str, list]:
    out: dict[str, list] = {}
    for c in model.criteria:
        out.setdefault(c.evidence.name, []).append(Spec.of(c.evidence))
    return {k: sorted(v, key=repr) for k, v in out.items()}


def _count(before, after, out: Result) -> None:
    """The matrix (numpy over every record; a conditional state gets its row and column when it first occurs,
    as in `ovop impact`) and the first MAX_MOVES movers with their reasons."""
    sb, sa = _state_codes(before), _state_codes(after)
    if len(sb):
        codes = np.union1d(np.unique(sb), np.unique(sa))  # the few states that occur
        k = len(codes)
        pair = np.searchsorted(codes, sb) * k + np.searchsorted(codes, sa)
        counts = np.bincount(pair, minlength=k * k)
        present = np.flatnonzero(counts)
        seen = _first_positions(pair, present)
        for p in sorted(present.tolist(), key=seen.__getitem__):
            b, a = divmod(p, k)
            count_cell(out, _state_name(int(codes[b])), _state_name(int(codes[a])), int(counts[p]))
    moved = np.flatnonzero(sb != sa)
    out.movers = int(moved.size)
    picked = moved[:MAX_MOVES].tolist()
    if picked:
        _, out.moves = compare(_subset(before, picked), _subset(after, picked), ["published"] * len(picked))




def _first_positions(pair: np.ndarray, present: np.ndarray) -> dict[int, int]:
    """Where each (before, after) pair first occurs: the matrix gets a new state in the order `ovop impact` meets it."""
    order = np.argsort(pair, kind="stable")
    starts = np.searchsorted(pair[order], present)
    return dict(zip(present.tolist(), order[starts].tolist()))


def _state_codes(cols) -> np.ndarray:
    """status * 1000 + stars: one number per state (as engine.impact.rows.states names them)."""
    return cols.status.astype(np.int64) * 1000 + cols.stars.astype(np.int64)


def _state_name(code: int) -> str:
    status, stars = divmod(code, 1000)
    if status == INELIGIBLE:
        return "ineligible"
    if status == NOT_AWARDED:
        return "not_awarded"
    if status == CONDITIONAL:
        return f"conditional:{stars or 'none'}"
    return str(stars)


def _subset(cols, picked: list[int]):
    """The same Columns for some of the records only."""
    idx = np.asarray(picked, dtype=np.int64)
    n = len(cols)
    parts = {}
    for f in fields(cols):
        v = getattr(cols, f.name)
        if isinstance(v, np.ndarray) and v.shape[:1] == (n,):
            v = v[idx]
        elif isinstance(v, list) and len(v) == n:
            v = [v[i] for i in picked]
        parts[f.name] = v
    return replace(cols, **parts)


def _states(ruleset: RuleSet, edition: str) -> list[str]:
    scale = ruleset.get(edition).model.star_scale
    return ["ineligible", "not_awarded"] + [str(s) for s in range(scale.min, scale.max + 1)]
