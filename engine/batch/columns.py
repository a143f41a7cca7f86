"""One edition's chunk as coded columns, the only thing the kernels (engine.batch.execute.decide) read.

`columns_of(plan, items)` takes them from records (dicts in the assessors' format); a reader that has the
values as columns already can build `Inputs` itself. Every column is a numpy array:

  * commodity: the index of the code in `Codes.commodities` (-1: none of them);
  * a gate fact: its state, int8 (-1 absent, 1 the value is true, 0 false, 2 any other value), and for a
    gate with an interval its value as float64 (0 where absent or a boolean, as the interval test reads it);
  * a numeric evidence: float64 (a Python list when a value is an integer of 2**53 or more, compared exactly);
  * an enum evidence: the index of the code in `Codes.evidence[name]` (-1: not one of them);
  * previous: whether the previous result is on this edition's star scale, and its stars.

The values as given are kept beside (`raw`) for the words of an error.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from itertools import compress, repeat
from operator import is_, is_not, itemgetter
from typing import Any

import numpy as np

from .plan import EXACT_FLOAT_LIMIT, Plan


class Codes:
    """The code lists of one plan: commodities (for the gates' applies_to) and each enum evidence's codes."""

    def __init__(self, plan: Plan):
        gates = plan.c.gates
        names = [c.code for c in plan.c.edition.commodities]
        for g in gates:
            names += sorted(set(g.applies_to or ()) - set(names))
        self.commodities = {code: i for i, code in enumerate(names)}
        # the last slot is that of a commodity none of them (index -1)
        self.applies = {g.fact: np.array([g.applies_to is None or code in g.applies_to for code in names]
                                         + [g.applies_to is None], dtype=bool) for g in gates}
        sets: dict[str, list] = {}
        for j, (name, code_sets) in enumerate(zip(plan.evidence, plan.code_sets)):
            if plan.intervals[j] is None:
                sets.setdefault(name, []).extend(c for codes in code_sets for c in codes)
        for cap, _ in plan.caps:
            for r in cap.requires:
                if r.codes is not None:
                    sets.setdefault(r.evidence, []).extend(r.codes)
        self.evidence = {name: {c: i for i, c in enumerate(dict.fromkeys(codes))} for name, codes in sets.items()}
        # per criterion with codes: code index -> level position (last slot: not a code, NO_LEVEL)
        self.levels = {}
        for j, (name, code_sets) in enumerate(zip(plan.evidence, plan.code_sets)):
            if plan.intervals[j] is None:
                index = self.evidence[name]
                table = np.full(len(index) + 1, -1, dtype=np.int64)
                for code, i in index.items():
                    table[i] = next((k for k, codes in enumerate(code_sets) if code in codes), -1)
                self.levels[j] = table

        self._holds: dict = {}

    def holds(self, name: str, codes) -> np.ndarray:
        """Code index -> is the code one of `codes` (last slot: not a code, False)."""
        key = (name, tuple(codes))
        if key not in self._holds:
            self._holds[key] = np.array([c in codes for c in self.evidence[name]] + [False], dtype=bool)
        return self._holds[key]


@lru_cache(maxsize=64)  # a Plan hashes and compares by identity
def codes_of(plan: Plan) -> Codes:
    return Codes(plan)


@dataclass
class Inputs:
    """One edition's chunk as coded columns (see the module's doc)."""
    ids: list
    commodity: np.ndarray
    gate_state: dict[str, np.ndarray]
    gate_value: dict[str, np.ndarray]
    evidence: dict[str, Any]
    prev_ok: np.ndarray
    prev_stars: np.ndarray
    raw: dict[str, Any] = field(default_factory=dict)  # evidence name -> values as given

    def __len__(self) -> int:
        return len(self.ids)


def columns_of(plan: Plan, items: list[dict]) -> Inputs:
    """The coded columns of records (dicts in the assessors' format)."""
    codes, n = codes_of(plan), len(items)
    commodity = np.fromiter(map(codes.commodities.get, (a["ikm"]["commodity"] for a in items), repeat(-1)),
                            dtype=np.int64, count=n)
    facts = [a["gates"] for a in items]
    gate_state, gate_value = {}, {}
    for g in plan.c.gates:
        values = [f.get(g.fact) for f in facts]
        present = np.fromiter(map(is_not, values, repeat(None)), dtype=bool, count=n)
        true = np.fromiter(map(is_, values, repeat(True)), dtype=bool, count=n)
        false = np.fromiter(map(is_, values, repeat(False)), dtype=bool, count=n)
        gate_state[g.fact] = np.where(~present, -1, np.where(true, 1, np.where(false, 0, 2))).astype(np.int8)
        if not isinstance(g.requires, bool):
            gate_value[g.fact] = np.asarray([0 if v is None or v.__class__ is bool else v for v in values],
                                            dtype=np.float64)
    raw = _evidence(plan, items)
    evidence = {name: _code(codes, name, values) for name, values in raw.items()}
    prev_ok, prev_stars = _previous(plan, items)
    return Inputs([a["id"] for a in items], commodity, gate_state, gate_value, evidence, prev_ok, prev_stars, raw)


class _Raw(dict):
    """Evidence name -> the values as given, taken from the records only when an error needs its words."""

    def __init__(self, items: list[dict]):
        super().__init__()
        self.items = items

    def __missing__(self, name: str) -> list:
        return [a["evidence"].get(name) for a in self.items]


def columns_of_tables(plan: Plan, items: list[dict], keep: list[int], commodity: list[str],
                      tables: dict[str, list[tuple]], memo: dict | None = None, ids: list | None = None) -> Inputs | None:
    """The coded columns of records `keep` (indices into `items`) from a reader's columns, without going
    through each record again: `tables[section]` lists (names, rows, values per name) for the records of
    one layout of that section's keys (rows index `items`), as `engine.inputs.Shared` holds them; `commodity`
    is each kept record's commodity code (re-targeted). The same Inputs as `columns_of` on the kept records
    re-targeted; None where that cannot be promised (a name missing in a layout, a number too large for a
    float): the caller then uses `columns_of`. `memo` (a dict per chunk, shared by the editions evaluated on
    the same tables) keeps each layout's coded values: a second edition coding the same values the same way
    (the same code list) reuses them; a reader may put in (id(values), "number") -> the values of ints and
    floats as float64 (`np.asarray`), read already, and ("previous",) -> the previous results as `_previous` keeps
    them; `ids` are the ids of all `items`, when the reader has them (then `items` is read only for an error's
    words)."""
    codes, n = codes_of(plan), len(keep)
    at = np.full(len(items), -1, dtype=np.int64)
    at[np.asarray(keep, dtype=np.int64)] = np.arange(n)
    memo = {} if memo is None else memo
    gates, evidence = _scatter(tables["gates"], at, n, memo), _scatter(tables["evidence"], at, n, memo)
    gate_state, gate_value = {}, {}
    for g in plan.c.gates:
        gate_state[g.fact] = gates(g.fact, _gate_state, np.int8, -1, True, "state")
        if not isinstance(g.requires, bool):
            gate_value[g.fact] = gates(g.fact, _gate_number, np.float64, 0, True, "number")
    names = _read(plan)[1]
    coded = {}
    for name in names:
        index = codes.evidence.get(name)
        column = evidence(name, _numbers if index is None else lambda v, i=index: _enum(i, v),
                          np.float64 if index is None else np.int64, 0 if index is None else -1, False,
                          "number" if index is None else tuple(index.items()))
        if column is None or (index is None and column.size and np.abs(column).max() >= EXACT_FLOAT_LIMIT):
            return None
        coded[name] = column
    kept = items if keep == range(len(items)) else [items[i] for i in keep]
    prev_ok, prev_stars = _previous(plan, kept, memo.setdefault(("previous",), {})
                                    if kept is items else None)
    ids = list(ids) if ids is not None and kept is items else list(map(itemgetter("id"), kept))
    number = np.fromiter(map(codes.commodities.get, commodity, repeat(-1)), dtype=np.int64, count=n)
    return Inputs(ids, number, gate_state, gate_value, coded, prev_ok, prev_stars, _Raw(kept))


def same_columns(a: Plan, b: Plan) -> bool:
    """Whether `columns_of_tables` gives two plans the same Inputs from the same tables and commodity codes: the
    same commodity and evidence code lists, gate facts (and which have an interval), evidence read and previous
    results read alike."""
    ca, cb = codes_of(a), codes_of(b)
    return (ca.commodities == cb.commodities and ca.evidence == cb.evidence and _read(a) == _read(b)
            and (a.movement, a.scale_max) == (b.movement, b.scale_max) and a.star_scale_of == b.star_scale_of)


def _read(plan: Plan) -> tuple:
    """What `columns_of_tables` reads for a plan: the gate facts (and whether each has an interval), and the
    evidence of the criteria and of the caps' requirements."""
    return ([(g.fact, isinstance(g.requires, bool)) for g in plan.c.gates],
            list(dict.fromkeys(list(plan.evidence) + [r.evidence for cap, _ in plan.caps for r in cap.requires])))


def _scatter(layouts: list[tuple], at: np.ndarray, n: int, memo: dict):
    """A function (name, code the values, dtype, fill, absent allowed, coding key) -> the column of the kept
    records: each layout's values coded at once and put at their records' places. A kept record whose layout
    lacks the name keeps `fill` when absence is allowed (a gate fact), else the column is None. A layout all
    kept is coded once per coding key (`memo`, by the identity of its values)."""
    places = []  # per layout: its records' places among the kept, which are kept, and whether all are
    for names, rows, table in layouts:
        pos = at[np.asarray(rows, dtype=np.int64)]
        wanted = pos >= 0
        places.append((names, table, pos, wanted, bool(wanted.any()), bool(wanted.all())))
    whole = len(places) == 1 and len(places[0][2]) == n and bool((places[0][2] == np.arange(n)).all())

    def coded(values, code, key) -> np.ndarray:
        """A layout's values coded, once per coding key."""
        found = memo.get((id(values), key))
        if found is None:
            found = memo[(id(values), key)] = code(values)
        return found

    def column(name: str, code, dtype, fill, absent: bool, key):
        if whole and name in places[0][0]:  # one layout, every record kept in order: its coded values as they are
            found = coded(places[0][1][places[0][0].index(name)], code, key)
            return found if found.dtype == dtype else found.astype(dtype)
        out = np.full(n, fill, dtype=dtype)
        for names, table, pos, wanted, some, every in places:
            if not some:
                continue
            if name not in names:
                if absent:
                    continue
                return None
            values = table[names.index(name)]
            if every:
                out[pos] = coded(values, code, key)
            else:  # only the kept records' values: the others may be of any type
                picked = np.flatnonzero(wanted)
                out[pos[picked]] = code([values[j] for j in picked.tolist()])
        return out
    return column


def _gate_state(values) -> np.ndarray:
    """1 where the value is True, 0 where False, 2 for any other value."""
    n = len(values)
    true = np.fromiter(map(is_, values, repeat(True)), dtype=bool, count=n)
    false = np.fromiter(map(is_, values, repeat(False)), dtype=bool, count=n)
    return np.where(true, 1, np.where(false, 0, 2)).astype(np.int8)


def _gate_number(values) -> np.ndarray:
    return np.asarray([0 if v.__class__ is bool else v for v in values], dtype=np.float64)


def _numbers(values) -> np.ndarray:
    return np.asarray(values, dtype=np.float64)


def _enum(index: dict, values) -> np.ndarray:
    try:
        return np.fromiter(map(index.get, values, repeat(-1)), dtype=np.int64, count=len(values))
    except TypeError:
        return np.array([index.get(v, -1) if isinstance(v, str) else -1 for v in values], dtype=np.int64)


def _evidence(plan: Plan, items: list[dict]) -> dict[str, Any]:
    names = plan.evidence
    out: dict[str, Any] = {}
    if names:
        rows = list(map(itemgetter(*names), (a["evidence"] for a in items)))
        out = dict(zip(names, zip(*rows))) if len(names) > 1 else {names[0]: rows}
    for cap, _ in plan.caps:
        for r in cap.requires:
            if r.evidence not in out:
                out[r.evidence] = [a["evidence"][r.evidence] for a in items]
    return out


def _code(codes: Codes, name: str, values):
    index = codes.evidence.get(name)
    if index is None:  # a number
        arr = np.asarray(values, dtype=np.float64)
        return list(values) if arr.size and np.abs(arr).max() >= EXACT_FLOAT_LIMIT else arr
    try:
        return np.fromiter(map(index.get, values, repeat(-1)), dtype=np.int64, count=len(values))
    except TypeError:  # an unhashable value (a list, a mapping) is no code
        return np.array([index.get(v, -1) if isinstance(v, str) else -1 for v in values], dtype=np.int64)


def _previous(plan: Plan, items: list[dict], memo: dict | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Whether each previous result is on this edition's star scale, and its stars. `memo` (per chunk): the
    previous results read once for several plans."""
    n = len(items)
    ok, stars = np.zeros(n, dtype=bool), np.zeros(n, dtype=np.int64)
    if not plan.movement:
        return ok, stars
    memo = {} if memo is None else memo
    if "at" not in memo:
        given = list(map(dict.get, items, repeat("previous")))
        memo["at"] = at = np.flatnonzero(np.fromiter(map(is_not, given, repeat(None)), dtype=bool, count=n))
        given = [given[i] for i in at.tolist()]
        memo["editions"] = list(map(itemgetter("edition"), given))
        memo["stars"] = list(map(itemgetter("stars"), given))
    at, editions = memo["at"], memo["editions"]
    if not at.size:
        return ok, stars
    on_scale = {e: plan.star_scale_of(e) == plan.scale_max for e in set(editions)}
    keep = np.fromiter(map(on_scale.__getitem__, editions), dtype=bool, count=len(editions))
    ok[at[keep]] = True
    stars[at[keep]] = np.asarray(list(compress(memo["stars"], keep)), dtype=np.int64)
    return ok, stars
