"""The form of a rule-author test file, rules/<edition>/tests.yaml (run by engine.decide.authortests).

A `base` assessment and `tests`, each changing only what it lists and stating the expected outcome
fields. The models live here, beside the rule models, so that `ovop rules check` can check the file
and schemas/tests.schema.json is generated from them.
"""
from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class TestStrict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)


class Expect(TestStrict):
    """Outcome fields a test checks; fields left out are not checked."""
    status: Literal["awarded", "not_awarded", "ineligible", "conditional"] | None = None
    stars: int | None = None
    band_stars: int | None = None
    capped: bool | None = None
    score: int | float | None = None
    gates_failed: list[str] | None = None
    gates_unknown: list[str] | None = None
    pembina: str | None = None
    label_kemasan: bool | None = None
    kandidat_go_global: bool | None = None
    movement: Literal["naik", "tetap", "turun"] | None = None


class AuthorTest(TestStrict):
    name: str = Field(min_length=1, description="unique in the file: what the test shows, in Indonesian / English")
    ikm: dict[str, Any] = {}
    gates: dict[str, Any] = {}
    evidence: dict[str, Any] = {}
    previous: dict[str, Any] | None = None
    expect: Expect


class Base(TestStrict):
    ikm: dict[str, Any]
    gates: dict[str, Any]
    evidence: dict[str, Any]
    previous: dict[str, Any] | None = None


class TestFile(TestStrict):
    """rules/<edition>/tests.yaml: example assessments with the outcome each must get."""
    base: Base
    tests: list[AuthorTest] = Field(min_length=1)
