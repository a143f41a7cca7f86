"""Conditions on one value x, written as policy staff write them: "x < 80", "80 <= x < 100", "x = 100".

Parsed into exact intervals (fractions, never floats), so that coverage, overlap and reachability
are decided by interval reasoning, not by comparing text.
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass
from fractions import Fraction

NUMBER = r"-?\d+(?:\.\d+)?"
CONDITION_PATTERN = (
    rf"^\s*(?:x\s*(?:<=|>=|<|>|=)\s*{NUMBER}|{NUMBER}\s*(?:<=|<)\s*x\s*(?:<=|<)\s*{NUMBER})\s*$"
)
_NUMBERS = re.compile(NUMBER)


def bounded_condition(text: str) -> str:
    """A condition whose numbers are within the limits (engine.rules.limits), else ValueError saying which:
    checked before any exact conversion (Fraction of a 5,000-digit number is refused by Python)."""
    from .limits import number_problem
    for m in _NUMBERS.finditer(text):
        problem = number_problem(m.group(0))
        if problem:
            raise ValueError(problem)
    return text


_ONE_SIDED = re.compile(rf"^\s*x\s*(<=|>=|<|>|=)\s*({NUMBER})\s*$")
_TWO_SIDED = re.compile(rf"^\s*({NUMBER})\s*(<=|<)\s*x\s*(<=|<)\s*({NUMBER})\s*$")


def exact(value: int | float | str | Fraction) -> Fraction:
    """An exact rational for a number as written (0.35 is 7/20, never 0.34999...)."""
    if isinstance(value, bool):
        raise TypeError("a boolean is not a number")
    if isinstance(value, Fraction):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("not a finite number")
        return Fraction(repr(value))
    return Fraction(value) if isinstance(value, int) else Fraction(str(value))


def fmt(value: Fraction | int | None) -> str:
    """A number for people and for durable_rules: exact decimal text, never exponent notation."""
    if value is None:
        return ""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    # terminating decimals print exactly; others to 6 places
    den = value.denominator
    while den % 2 == 0:
        den //= 2
    while den % 5 == 0:
        den //= 5
    if den == 1:
        digits = 0
        while (value * 10**digits).denominator != 1:
            digits += 1
        text = f"{value.numerator * 10**digits // value.denominator}"
        sign = "-" if text.startswith("-") else ""
        text = text.lstrip("-").rjust(digits + 1, "0")
        return f"{sign}{text[:-digits]}.{text[-digits:]}"
    return f"{float(value):.6f}"


@dataclass(frozen=True)
class Interval:
    """A set of numbers lo <(=) x <(=) hi; None is unbounded."""

    lo: Fraction | None = None
    lo_closed: bool = False
    hi: Fraction | None = None
    hi_closed: bool = False

    @classmethod
    def parse(cls, text: str) -> "Interval":
        m = _ONE_SIDED.match(text)
        if m:
            op, num = m.group(1), Fraction(m.group(2))
            return {
                "<": cls(hi=num), "<=": cls(hi=num, hi_closed=True),
                ">": cls(lo=num), ">=": cls(lo=num, lo_closed=True),
                "=": cls(num, True, num, True),
            }[op]
        m = _TWO_SIDED.match(text)
        if m:
            return cls(Fraction(m.group(1)), m.group(2) == "<=", Fraction(m.group(4)), m.group(3) == "<=")
        raise ValueError(f'"{text}" is not a condition')

    @classmethod
    def domain(cls, minimum, maximum) -> "Interval":
        lo = None if minimum is None else exact(minimum)
        hi = None if maximum is None else exact(maximum)
        return cls(lo, lo is not None, hi, hi is not None)

    def contains(self, x: Fraction) -> bool:
        if self.lo is not None and (x < self.lo or (x == self.lo and not self.lo_closed)):
            return False
        if self.hi is not None and (x > self.hi or (x == self.hi and not self.hi_closed)):
            return False
        return True

    def integral(self) -> "Interval":
        """The same set of integers, as a closed interval (or an empty one)."""
        lo = self.lo if self.lo is None else Fraction(math.ceil(self.lo) if (self.lo_closed or self.lo.denominator != 1) else self.lo + 1)
        hi = self.hi if self.hi is None else Fraction(math.floor(self.hi) if (self.hi_closed or self.hi.denominator != 1) else self.hi - 1)
        return Interval(lo, lo is not None, hi, hi is not None)

    def is_empty(self) -> bool:
        if self.lo is None or self.hi is None:
            return False
        return self.lo > self.hi or (self.lo == self.hi and not (self.lo_closed and self.hi_closed))

    def intersect(self, other: "Interval") -> "Interval":
        lo, lo_c = _tighter(self.lo, self.lo_closed, other.lo, other.lo_closed, max)
        hi, hi_c = _tighter(self.hi, self.hi_closed, other.hi, other.hi_closed, min)
        return Interval(lo, lo_c, hi, hi_c)

    def text(self, name: str = "x") -> str:
        """The condition in the notation of the rule files ("80 <= x < 100")."""
        if self.lo is not None and self.lo == self.hi:
            return f"{name} = {fmt(self.lo)}"
        left = f"{fmt(self.lo)} {'<=' if self.lo_closed else '<'} " if self.lo is not None else ""
        right = f" {'<=' if self.hi_closed else '<'} {fmt(self.hi)}" if self.hi is not None else ""
        if left and right:
            return f"{left}{name}{right}"
        if left:
            return f"{name} {'>=' if self.lo_closed else '>'} {fmt(self.lo)}"
        if right:
            return f"{name}{right}"
        return f"{name} is any value"

    def nearest(self, integer: bool) -> Fraction:
        """The value of this interval closest to the low end (for "what it takes" targets)."""
        iv = self.integral() if integer else self
        if iv.lo is None:
            return iv.hi if iv.hi_closed or iv.hi is None else iv.hi - 1
        if iv.lo_closed:
            return iv.lo
        step = Fraction(1, 100)  # an open lower bound: the next value at two-decimal resolution
        candidate = iv.lo + step
        return candidate if iv.contains(candidate) else (iv.lo + iv.hi) / 2

    def sort_key(self) -> tuple:
        return (self.lo is not None, self.lo or 0, not self.lo_closed)


def _tighter(a, a_closed, b, b_closed, pick):
    if a is None:
        return b, b_closed
    if b is None:
        return a, a_closed
    if a == b:
        return a, a_closed and b_closed
    return (a, a_closed) if pick(a, b) == a else (b, b_closed)


def gaps_and_overlaps(parts: list[tuple[str, Interval]], domain: Interval, integer: bool):
    """Yield ("gap", description) and ("overlap", a, b) over a domain, by interval reasoning."""
    norm = [(name, (iv.integral() if integer else iv).intersect(domain)) for name, iv in parts]
    norm = [(n, iv) for n, iv in norm if not iv.is_empty()]
    for i, (na, a) in enumerate(norm):
        for nb, b in norm[i + 1:]:
            both = a.intersect(b)
            if integer:
                both = both.integral()
            if not both.is_empty():
                yield ("overlap", na, nb, both)
    # coverage: walk from the domain's low end
    dom = domain.integral() if integer else domain
    ordered = sorted(norm, key=lambda p: p[1].sort_key())
    cursor, cursor_closed = dom.lo, dom.lo_closed  # next value that must be covered
    covered_to_inf = False
    for _name, iv in ordered:
        if not _starts_at_or_before(iv, cursor, cursor_closed, integer):
            yield ("gap", _gap(cursor, cursor_closed, iv, integer))
        if iv.hi is None:
            covered_to_inf = True
            break
        if cursor is None or iv.hi > cursor or (iv.hi == cursor and iv.hi_closed and cursor_closed):
            cursor, cursor_closed = (iv.hi + 1, True) if integer else (iv.hi, not iv.hi_closed)
    if not covered_to_inf:
        if dom.hi is None:
            yield ("gap", Interval(cursor, cursor_closed, None, False))
        elif cursor is not None and (cursor < dom.hi or (cursor == dom.hi and cursor_closed)):
            yield ("gap", Interval(cursor, cursor_closed, dom.hi, True))


def _starts_at_or_before(iv: Interval, cursor, cursor_closed, integer) -> bool:
    if cursor is None:
        return iv.lo is None
    if iv.lo is None:
        return True
    if iv.lo < cursor:
        return True
    return iv.lo == cursor and (iv.lo_closed or not cursor_closed)


def _gap(cursor, cursor_closed, iv: Interval, integer: bool) -> Interval:
    hi = iv.lo - 1 if integer else iv.lo
    return Interval(cursor, cursor_closed if cursor is not None else False, hi, True if integer else not iv.lo_closed)
