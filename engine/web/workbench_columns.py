"""The published population as decoded columns, kept in memory for the workbench's impact of an edit.

Built once per population and base edition: every categorical input (commodity, each gate fact, each evidence
value, the previous result) factorised into (the distinct values, an index per assessment); the numbers as
float arrays. An edit's draft then gets its `engine.batch.Inputs` without reading 100,000 records again: the
batch path's own `columns_of` codes only the distinct values (one small record per distinct value), and each
column is that small code table indexed by the kept index (numpy). tests/test_workbench.py checks that the
columns are exactly `columns_of`'s, edition by edition.

    store = Store(records)                  # records valid under the base, in the assessors' format
    inputs = store.inputs(plan, assumed)    # or None: not kept-able (then columns_of the records)
"""
from __future__ import annotations

from operator import itemgetter
from typing import Any

import numpy as np

from ..batch import Inputs, columns_of

EXACT = 2 ** 53  # a number at or past this is compared exactly by the batch path (a list, not floats)
MISSING = object()


class NotKept(Exception):
    """A column these records cannot be kept as (an unhashable value, a huge number, a missing name)."""


class Store:
    def __init__(self, records: list[dict], origins: list[str] | None = None):
        self.records = records
        self.origins = origins  # each record's commodity code as its assessment states it (before re-targeting)
        self.ids = [a["id"] for a in records]
        self._cat: dict[tuple, tuple[list, np.ndarray]] = {}
        self._typed: dict[tuple, tuple[list, np.ndarray]] = {}
        self._num: dict[str, tuple[np.ndarray, list]] = {}

    def __len__(self) -> int:
        return len(self.records)

    # ---- the kept columns ---------------------------------------------------------------------------

    def _values(self, key: tuple, default: Any = MISSING) -> list:
        kind, name = key
        if kind == "commodity":
            return [a["ikm"]["commodity"] for a in self.records]
        if kind == "origin":
            return list(self.origins if self.origins is not None else self._values(("commodity", None)))
        if kind == "gate":
            return [a["gates"].get(name, None if default is MISSING else default) for a in self.records]
        if kind == "prev":
            return [_prev(a.get("previous")) for a in self.records]
        return [a["evidence"].get(name, default) for a in self.records]

    def categorical(self, key: tuple, default: Any = MISSING) -> tuple[list, np.ndarray]:
        """(distinct values in first-seen order, index of each record's value); `default`: the value of a
        record that does not state it (an assumed value), as {**assumed, **record} would give."""
        memo = key + (type(default).__name__, default)
        if memo not in self._cat:
            values, index = self._values(key, default), {}
            try:
                idx = np.fromiter((index.setdefault(v, len(index)) for v in values), dtype=np.int64, count=len(values))
            except TypeError:  # a list or mapping where a value was expected
                raise NotKept(key) from None
            if any(v is MISSING for v in index):
                raise NotKept(key)
            if len(self._cat) > 256:
                self._cat.clear()
            self._cat[memo] = (list(index), idx)
        return self._cat[memo]

    def typed(self, key: tuple, default: Any = MISSING) -> tuple[list, np.ndarray]:
        """As `categorical`, but 1, 1.0 and True are three values (a check of what a value is tells them apart);
        a record that does not state the name and has no default: MISSING."""
        memo = key + (type(default).__name__, default)
        if memo not in self._typed:
            kind, name = key
            values = [a[kind + "s" if kind == "gate" else kind].get(name, default) for a in self.records]
            index: dict = {}
            idx = np.fromiter((index.setdefault((v.__class__, v), len(index)) for v in values), dtype=np.int64,
                              count=len(values))
            if len(self._typed) > 256:
                self._typed.clear()
            self._typed[memo] = ([v for _, v in index], idx)
        return self._typed[memo]

    def number(self, name: str, default: Any = MISSING) -> tuple[np.ndarray, list]:
        memo = (name, type(default).__name__, default)
        if memo not in self._num:
            raw = self._values(("evidence", name), default)
            try:
                arr = np.asarray(raw, dtype=np.float64)
            except (TypeError, ValueError):
                raise NotKept(name) from None
            if arr.size and np.abs(arr).max() >= EXACT:
                raise NotKept(name)
            if len(self._num) > 256:
                self._num.clear()
            self._num[memo] = (arr, raw)
        return self._num[memo]

    # ---- one edition's coded columns ------------------------------------------------------------------

    def inputs(self, plan, assumed: dict[str, Any] | None = None, rows: np.ndarray | None = None,
               commodity: dict[str, str] | None = None) -> Inputs | None:
        """The plan's Inputs for every kept record, or for those at `rows` (values absent from the records:
        `assumed`, by "evidence.x" / "gates.x"); `commodity`: each stated code's code in the plan's edition
        (when it is not the base's); None when a column cannot be kept."""
        try:
            return self._inputs(plan, assumed or {}, rows, commodity)
        except NotKept:
            return None

    def _inputs(self, plan, assumed: dict[str, Any], rows=None, commodity=None) -> Inputs:
        n = len(self.records)
        enum = _enum_names(plan)
        names = list(dict.fromkeys(list(plan.evidence) + [r.evidence for cap, _ in plan.caps for r in cap.requires]))
        cats: dict[tuple, tuple[list, np.ndarray]] = {("commodity", None): self.categorical(("commodity", None)),
                                                      ("prev", None): self.categorical(("prev", None))}
        for g in plan.c.gates:
            cats[("gate", g.fact)] = self.categorical(("gate", g.fact), assumed.get("gates." + g.fact, MISSING))
        numbers: dict[str, tuple[np.ndarray, list]] = {}
        for name in names:
            default = assumed.get("evidence." + name, MISSING)
            if name in enum:
                cats[("evidence", name)] = self.categorical(("evidence", name), default)
            else:
                numbers[name] = self.number(name, default)
        if commodity is not None:
            distinct, idx = self.categorical(("origin", None))
            cats[("commodity", None)] = ([commodity[c] for c in distinct], idx)
        ids, raw = list(self.ids), _Raw()
        if rows is not None:
            cats = {k: (distinct, idx[rows]) for k, (distinct, idx) in cats.items()}
            raw.subsets = {k: (given, rows) for k, (_, given) in numbers.items()}
            numbers = {k: (arr[rows], None) for k, (arr, _) in numbers.items()}
            ids = _pick(ids, rows)
        coded = columns_of(plan, _proto(cats, names, numbers))
        commodity = _take(coded.commodity, cats[("commodity", None)])
        gate_state = {g.fact: _take(coded.gate_state[g.fact], cats[("gate", g.fact)]) for g in plan.c.gates}
        gate_value = {f: _take(v, cats[("gate", f)]) for f, v in coded.gate_value.items()}
        evidence = {}
        for name in names:
            if name in numbers:
                evidence[name] = numbers[name][0]
                if rows is None:
                    raw[name] = numbers[name][1]
            else:
                evidence[name] = _take(coded.evidence[name], cats[("evidence", name)])
                raw.codes[name] = cats[("evidence", name)]
        prev = cats[("prev", None)]
        return Inputs(ids, commodity, gate_state, gate_value, evidence,
                      _take(coded.prev_ok, prev), _take(coded.prev_stars, prev), raw)


class _Raw(dict):
    """The values as given, for the words of an error: a coded column's are spelled out only when asked."""

    def __init__(self):
        super().__init__()
        self.codes: dict[str, tuple[list, np.ndarray]] = {}
        self.subsets: dict[str, tuple[list, np.ndarray]] = {}  # a number column of some records: (all, rows)

    def __missing__(self, name: str) -> list:
        if name in self.subsets:
            self[name] = _pick(*self.subsets[name])
            return self[name]
        distinct, idx = self.codes[name]
        self[name] = [distinct[i] for i in idx.tolist()]
        return self[name]

    def keys(self):
        return list(super().keys()) + [n for n in list(self.subsets) + list(self.codes) if n not in self]

    def items(self):
        return [(name, self[name]) for name in self.keys()]


def _pick(values: list, rows: np.ndarray) -> list:
    """The values at `rows`."""
    if not len(rows):
        return []
    got = itemgetter(*rows.tolist())(values)
    return list(got) if len(rows) > 1 else [got]


def _enum_names(plan) -> set[str]:
    """The evidence names the plan reads as codes (as engine.batch.columns.Codes does)."""
    out = {name for name, intervals in zip(plan.evidence, plan.intervals) if intervals is None}
    for cap, _ in plan.caps:
        out |= {r.evidence for r in cap.requires if r.codes is not None}
    return out


def _prev(p) -> Any:
    if p is None:
        return None
    if not isinstance(p, dict):
        raise NotKept("previous")
    return (p.get("edition"), p.get("stars"))


def _proto(cats: dict, names: list[str], numbers: dict) -> list[dict]:
    """One small record per distinct value (the k-th record holds each column's k-th distinct value, or its
    last), so that columns_of codes every distinct value once."""
    m = max(len(distinct) for distinct, _ in cats.values())
    out = []
    for k in range(m):
        def pick(key):
            distinct = cats[key][0]
            return distinct[min(k, len(distinct) - 1)]
        prev = pick(("prev", None))
        gates = {key[1]: pick(key) for key in cats if key[0] == "gate"}
        evidence = {name: (0 if name in numbers else pick(("evidence", name))) for name in names}
        record = {"id": k, "ikm": {"commodity": pick(("commodity", None))}, "gates": gates, "evidence": evidence}
        if prev is not None:
            record["previous"] = {"edition": prev[0], "stars": prev[1]}
        out.append(record)
    return out


def _take(coded, cat: tuple[list, np.ndarray]):
    """Each record's code: the code of its distinct value (the first len(distinct) proto records)."""
    distinct, idx = cat
    table = np.asarray(coded)[: len(distinct)]
    return table[idx]
