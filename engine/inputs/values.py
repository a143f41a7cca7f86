"""Is one gate fact or evidence value valid for its definition? Type, finiteness, range, enum code.

Booleans are not numbers and numbers are not booleans; quoted numbers are text; an integer field
takes only integers as written (2.5 and 3.0 are both refused: write 3).
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

from ..errors import did_you_mean
from ..rules import Evidence, Gate, Interval, limits


@dataclass(frozen=True)
class Spec:
    """What a value must be: its type, range and (enum) codes."""
    kind: str  # boolean | integer | number | enum
    min: Any = None
    max: Any = None
    codes: tuple[str, ...] = ()

    @classmethod
    def of(cls, item: Gate | Evidence) -> "Spec":
        codes = tuple(c.code for c in getattr(item, "codes", None) or ())
        return cls(item.type, item.min, item.max, codes)

    def domain(self) -> Interval:
        return Interval.domain(self.min, self.max)

    def describe(self) -> str:
        if self.kind == "boolean":
            return "true or false"
        if self.kind == "enum":
            return "one of: " + ", ".join(self.codes)
        noun = "a whole number" if self.kind == "integer" else "a number"
        bounded = self.min is not None or self.max is not None
        return f"{noun} with {self.domain().text()}" if bounded else noun


def problem(spec: Spec, value: Any, exact: Fraction | None, written: str) -> str | None:
    """What is wrong with `value` for `spec`, or None when it is valid."""
    if spec.kind == "boolean":
        return None if isinstance(value, bool) else f"wrong type: {_what(value, written)}, not true or false"
    if spec.kind == "enum":
        return _enum_problem(spec, value, written)
    return _number_problem(spec, value, exact, written)


def _what(value: Any, written: str) -> str:
    if value is None:
        return "no value (null)"
    if isinstance(value, bool):
        return f"{written} is a boolean"
    if isinstance(value, (int, float)):
        return f"{written} is a number"
    if isinstance(value, str):
        return f"{written} is text"
    return "a list" if isinstance(value, list) else "a mapping"


def _enum_problem(spec: Spec, value: Any, written: str) -> str | None:
    if not isinstance(value, str):
        return f"wrong type: {_what(value, written)}, not a code"
    if value in spec.codes:
        return None
    return f'"{value}" is not a valid code' + did_you_mean(value, list(spec.codes))


def _number_problem(spec: Spec, value: Any, exact: Fraction | None, written: str) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        hint = " (write it without quotes)" if isinstance(value, str) and _numeric(value) else ""
        return f"wrong type: {_what(value, written)}, not a number{hint}"
    if isinstance(value, float) and not math.isfinite(value) and exact is not None:
        return f"{written} is too large to be read"
    if (isinstance(value, float) and not math.isfinite(value)) or exact is None:
        return f"{written} is not a finite number"
    if spec.kind == "integer" and not isinstance(value, int):
        if exact.denominator == 1:
            return f"{written} is not written as a whole number (write {exact.numerator})"
        return f"{written} is not a whole number"
    if not spec.domain().contains(exact):
        return f"{written} is out of range"
    if significant_digits(exact) > MAX_DIGITS:
        return f"{written} has more than {MAX_DIGITS} significant digits, more than the rules engine compares exactly"
    return None


MAX_DIGITS = 15  # the engine compares doubles: up to 15 significant digits keep every comparison exact


def significant_digits(value: Fraction) -> int:
    """Significant digits of a decimal as written: 1e16 has 1, 0.00001 has 1, 85.5 has 3."""
    for shift in range(40):
        scaled = value * 10**shift
        if scaled.denominator == 1:
            return len(str(abs(scaled.numerator)).rstrip("0")) or 1
    return 41  # not a terminating decimal


def _numeric(text: str) -> bool:
    if limits.number_problem(text):  # checked first: Fraction("1e999999999") would never end
        return False
    try:
        Fraction(text.strip())
    except (ValueError, ZeroDivisionError):
        return False
    return True
