"""One field's values across a chunk, checked at once: which are certainly valid for its `Spec` (the fast
check of engine.inputs.population; anything not certainly valid goes to the normal path)."""
from __future__ import annotations

import re
from array import array
from itertools import repeat
from operator import is_

import numpy as np

from .values import Spec

DIGITS_LIMIT = 10**15


def _bound(value):
    """A whole-number bound as an int; a fractional one cannot be compared fast (None: no bound)."""
    if value is None or isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    raise ValueError


_NUMBER = re.compile(r"\s*-?[0-9][0-9.eE+-]*\s*")  # a code that a number as written could equal


def _count(values, value) -> int:
    """How many of `values` are `value` itself (identity: True is not 1)."""
    return sum(map(is_, values, repeat(value)))


class Column:
    """Which values of one field, across a chunk, are certainly valid for its `Spec` (column at a time)."""

    def __init__(self, spec: Spec):
        self.kind, self.codes = spec.kind, frozenset(spec.codes)
        try:
            lo, hi = _bound(spec.min), _bound(spec.max)
        except ValueError:  # a fractional bound: every value goes to the normal path
            self.kind = "never"
            lo = hi = None
        self.lo = -(DIGITS_LIMIT - 1) if lo is None else max(lo, -(DIGITS_LIMIT - 1))
        self.hi = DIGITS_LIMIT - 1 if hi is None else min(hi, DIGITS_LIMIT - 1)
        self.types = {"boolean": {bool}, "enum": {str}, "integer": {int}}.get(self.kind, {int, float})
        self.key = (self.kind, self.lo, self.hi, self.codes)  # columns with one key accept the same values
        self.numeric_codes = any(_NUMBER.fullmatch(c) for c in self.codes)

    def all_valid(self, values: list, arrays: dict | None = None, booleans: bool = True) -> bool:
        """Every value certainly valid (`arrays`: where the numbers read as float64 are kept, by id of `values`;
        `booleans`: whether `values` may hold booleans, which no number field takes).

        Each value is looked at once where it can be: booleans are told by identity, codes by one set test (a
        str equals only a str; a long decimal, a str, could equal only a code written as a number), numbers
        read by `array` (which takes ints and floats and refuses any other value of the parsers). A number
        too large for a machine number is not certainly valid (the normal path words it)."""
        if self.kind == "never":
            return False
        if self.kind == "boolean":
            return _count(values, True) + _count(values, False) == len(values)
        if self.kind == "enum":
            if self.numeric_codes:
                return set(map(type, values)) <= self.types and set(values) <= self.codes
            try:
                return self.codes.issuperset(values)
            except TypeError:  # a list, an object: no code
                return False
        if booleans and (_count(values, True) or _count(values, False)):
            return False
        try:
            arr = np.frombuffer(array("q" if self.kind == "integer" else "d", values),
                                dtype=np.int64 if self.kind == "integer" else np.float64)
        except (TypeError, OverflowError):
            return False
        arr = arr.astype(np.float64) if self.kind == "integer" else arr
        if arrays is not None:
            arrays[id(values)] = arr
        return bool(np.isfinite(arr).all() and arr.min() >= self.lo and arr.max() <= self.hi)

    def valid(self, value) -> bool:
        return self.all_valid([value])
