"""Which records valid under the base edition stay valid under a draft that changes what a valid input is,
worked out on the kept columns (engine.web.workbench_columns) instead of reading every record again.

A record valid under the base is checked by the normal reader against the draft as a what-if (its own edition
is not the draft): its structure, edition, previous result and the names it may state do not depend on the
target; what does is the code its commodity maps to, each gate fact's and evidence value's definition (the
draft's, else the latest edition's that defines it) and the evidence the draft needs. So only the columns
whose definition differs are checked, value by distinct value: a range with numpy on the float values (exact
Fractions for the values within a few units in the last place of a bound), whole numbers by type, codes by
the distinct codes; a name the draft needs that a record lacks (and no assumed value fills) is missing.

    found = recheck(store, raws, base, draft, catalogue, cmap, assumed)
    found.ok           # per kept record: valid under the draft
    found.commodity    # each stated commodity code's code in the draft (None: as under the base)
    found.group        # per kept record not valid: which kind of problem (same problems, same words)
    found.first        # the first record of each group, in the order they first occur
    found.parts        # each group's problems: (section, name, value, the draft's definition)
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..inputs import Spec, problem
from ..rules import exact
from .workbench_columns import MISSING, NotKept, Store

ULPS = 4  # a value this close to a bound (units in the last place) is compared as an exact Fraction


@dataclass
class Found:
    ok: np.ndarray
    commodity: dict[str, str] | None
    group: np.ndarray
    first: list[int]
    parts: list[list[tuple]] = field(default_factory=list)  # per group: its problems (section, name, value, spec)


def recheck(store: Store, raws: list[dict], base, draft, catalogue, cmap, assumed: dict[str, Any]) -> Found:
    """Each kept record's validity under `draft` (see the module's doc); `raws`: the kept records as their
    assessments state them (the order of their keys: problems are worded in the order they are written)."""
    n = len(store)
    failing: list[np.ndarray] = []
    paths: list[tuple] = []
    commodity = _commodity(store, base, draft, cmap, failing, paths)
    needed_b, needed_d = set(base.evidence_names()), set(draft.evidence_names())
    for section, specs_b, specs_d, known in (("gate", _gates(base), _gates(draft), catalogue.gates),
                                              ("evidence", _evidence(base), _evidence(draft), catalogue.evidence)):
        prefix = "gates." if section == "gate" else "evidence."
        needed = needed_d if section == "evidence" else set()
        given = {k[len(prefix):] for k in assumed if k.startswith(prefix)}
        for name in sorted(_stated(store, section) | needed | given):
            default = assumed.get(prefix + name, MISSING)
            spec_b, spec_d = specs_b.get(name) or known.get(name), specs_d.get(name) or known.get(name)
            if spec_d is None or (spec_b == spec_d and _as_before(spec_d, default, name in needed - needed_b)):
                continue
            distinct, idx = _column(store, (section, name), default, spec_b)
            bad = _refused(distinct, spec_d, name in needed, default)
            if bad.any():
                failing.append(np.where(bad[idx], idx, -1))
                paths.append((prefix[:-1], name, distinct, spec_d))
    if not failing:
        return Found(np.ones(n, dtype=bool), commodity, np.full(n, -1), [])
    table = np.vstack(failing)
    ok = (table < 0).all(axis=0)
    rows = np.flatnonzero(~ok)
    table = np.vstack([table[:, rows], _order(table[:, rows], rows, paths, raws)])
    _, first, inverse = np.unique(table.T, axis=0, return_index=True, return_inverse=True)
    order = np.argsort(first, kind="stable")  # groups numbered in the order they first occur
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    group = np.full(n, -1, dtype=np.int64)
    group[rows] = rank[inverse.reshape(-1)]
    parts = [[(section, name, None if distinct is None else distinct[table[c, k]], spec)
              for c, (section, name, distinct, spec) in enumerate(paths) if table[c, k] >= 0]
             for k in first[order].tolist()]
    return Found(ok, commodity, group, rows[first[order]].tolist(), parts)


def _column(store: Store, key: tuple, default: Any, spec_b: Spec | None) -> tuple[list, np.ndarray]:
    """The distinct values of a column and each record's: for codes (valid under the base: text only) the
    categorical column the draft's inputs use too; else one that tells 1, 1.0 and True apart."""
    if spec_b is not None and spec_b.kind == "enum" and (default is MISSING or isinstance(default, str)):
        try:
            distinct, idx = store.categorical(key, default)
            if all(v.__class__ is str for v in distinct):
                return distinct, idx
        except NotKept:  # a record without it
            pass
    return store.typed(key, default)


def _as_before(spec: Spec, default: Any, newly_needed: bool) -> bool:
    """Whether a name with the same definition under base and draft leaves every record as valid as before:
    only records that lack it can change (an assumed value, or none for a name the draft needs)."""
    if default is not MISSING:
        return problem(spec, default, _exact(default), repr(default)) is None
    return not newly_needed


def _order(table: np.ndarray, rows: np.ndarray, paths: list[tuple], raws: list[dict]) -> np.ndarray:
    """For a record with two problems or more: the order they are written in (their words follow it)."""
    out = np.zeros(len(rows), dtype=np.int64)
    several = np.flatnonzero((table >= 0).sum(axis=0) >= 2)
    seen: dict[tuple, int] = {}
    for k in several.tolist():
        raw = raws[int(rows[k])]
        top = list(raw)
        where = []
        for c in np.flatnonzero(table[:, k] >= 0).tolist():
            section, name, distinct, _ = paths[c]
            if distinct is not None and distinct[table[c, k]] is MISSING:
                continue  # a missing name is worded first, with the others missing
            inner = list(raw.get(section) or ())
            where.append(((top.index(section) if section in top else -1,
                           inner.index(name) if name in inner else -1), c))
        out[k] = seen.setdefault(tuple(c for _, c in sorted(where)), len(seen) + 1)
    return out


def _commodity(store: Store, base, draft, cmap, failing: list, paths: list) -> dict[str, str] | None:
    """Each stated code's code in the draft (None: the same lists, so the same as under the base); a code
    with none there makes its records fail."""
    if [c.code for c in base.commodities] == [c.code for c in draft.commodities]:
        return None
    distinct, idx = store.categorical(("origin", None))
    mapped = [cmap.target(code, draft) for code in distinct]
    bad = np.array([why is not None for _, why in mapped], dtype=bool)
    if bad.any():
        failing.append(np.where(bad[idx], idx, -1))
        paths.append(("ikm", "commodity", None, None))
    return {code: (to if why is None else code) for code, (to, why) in zip(distinct, mapped)}


def _refused(distinct: list, spec: Spec, needed: bool, default: Any) -> np.ndarray:
    """Per distinct value: not valid for `spec` (MISSING: a name the draft needs that the record lacks; the
    assumed value is checked in full: no record vouches for it)."""
    out = np.zeros(len(distinct), dtype=bool)
    numbers = [i for i, v in enumerate(distinct) if v.__class__ in (int, float) and v is not default]
    if spec.kind in ("integer", "number") and len(numbers) > 32:
        _ranged(distinct, numbers, spec, out)
        rest = set(range(len(distinct))) - set(numbers)
    else:
        rest = set(range(len(distinct)))
    for i in rest:
        v = distinct[i]
        if v is MISSING:
            out[i] = needed
        else:
            text = repr(v) if v.__class__ in (int, float) else str(v)
            out[i] = problem(spec, v, _exact(v), text) is not None
    return out


def _ranged(distinct: list, numbers: list[int], spec: Spec, out: np.ndarray) -> None:
    """Numbers valid under the base (finite, at most 15 significant digits) against the draft's type and range:
    numpy on floats, exact Fractions for the values close to a bound."""
    values = [distinct[i] for i in numbers]
    arr = np.asarray(values, dtype=np.float64)
    bad = np.zeros(len(values), dtype=bool)
    if spec.kind == "integer":
        bad |= np.fromiter((v.__class__ is not int for v in values), dtype=bool, count=len(values))
    domain = spec.domain()
    close = np.abs(arr) >= 2.0 ** 53
    for bound, below in ((domain.lo, True), (domain.hi, False)):
        if bound is None:
            continue
        f = float(bound)
        close |= np.abs(arr - f) <= ULPS * np.spacing(abs(f))
        bad |= (arr < f) if below else (arr > f)
    for k in np.flatnonzero(close).tolist():
        bad[k] = (spec.kind == "integer" and values[k].__class__ is not int) or not domain.contains(exact(values[k]))
    out[numbers] = bad


def _exact(v):
    try:
        return exact(v) if v.__class__ in (int, float) else None
    except (TypeError, ValueError):
        return None


def _stated(store: Store, section: str) -> set[str]:
    """Every name some kept record states in the section (kept with the store)."""
    memo = store.__dict__.setdefault("_stated", {})
    if section not in memo:
        key = "gates" if section == "gate" else "evidence"
        names: set[str] = set()
        for layout in {tuple(a[key]) for a in store.records}:
            names.update(layout)
        memo[section] = names
    return memo[section]


def _gates(model) -> dict[str, Spec]:
    return {g.fact: Spec.of(g) for g in model.gates}


def _evidence(model) -> dict[str, Spec]:
    return {c.evidence.name: Spec.of(c.evidence) for c in model.criteria}
