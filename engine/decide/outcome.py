"""The outcome of one assessment under one edition, and the shape of its trace steps."""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from ..rules import fmt

Status = Literal["awarded", "not_awarded", "ineligible", "conditional"]


class Outcome(BaseModel):
    """Every field of a decision; `trace` explains it step by step, `what_it_takes` looks ahead."""
    model_config = ConfigDict(extra="forbid")

    id: str
    edition: str
    status: Status
    stars: int | None
    band_stars: int | None
    capped: bool
    score: float | None
    gates_failed: list[str]
    gates_unknown: list[str]  # what-if only: gate facts the assessment lacks (CRITERIA.md section 7)
    pembina: str | None
    label_kemasan: bool
    kandidat_go_global: bool
    movement: Literal["naik", "tetap", "turun"] | None
    ruleset_hash: str
    trace: list[dict[str, Any]]
    what_it_takes: dict[str, Any] | None = None

    def to_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")


def round_half_up(value: Fraction, places: int = 2) -> float:
    """85.955 -> 85.96: half-up on the exact value (scores are never negative), as a 2-decimal number."""
    scaled = math.floor(value * 10**places + Fraction(1, 2))
    return float(Fraction(scaled, 10**places))


def provenance(edition, prov) -> dict[str, Any]:
    """A trace step's provenance: sourced (with its URL) or assumed (with its note)."""
    out: dict[str, Any] = {"status": prov.status}
    if prov.source:
        out["source"] = prov.source
        out["url"] = edition.url(prov)
    if prov.note:
        out["note"] = prov.note
    return out


def plain_float(v: float) -> bool:
    """repr writes v without an exponent, as orjson writes it (0, or 1e-4 <= |v| < 1e16; not NaN or infinite)."""
    return not v or 1e-4 <= abs(v) < 1e16


def number(value: Any) -> Any:
    """Evidence values in a trace: numbers as JSON numbers written exactly, codes as they are."""
    if isinstance(value, (bool, str, int)) or value is None:
        return value
    f = Fraction(value) if not isinstance(value, float) else Fraction(repr(value))
    return int(f) if f.denominator == 1 else float(fmt(f))
