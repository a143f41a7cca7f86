"""Typed models of a rule file (pydantic v2). The JSON Schema in schemas/ is generated from these.

One set of item models serves both forms: a rule file (an edition that extends another states only
what changed) and a resolved edition (everything stated). Unknown keys are errors everywhere.
"""
from __future__ import annotations

from typing import Annotated, Any, Generic, Literal, TypeVar, Union

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    Tag,
    model_validator,
)

from .conditions import CONDITION_PATTERN, bounded_condition

Number = Union[StrictInt, StrictFloat]
Code = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", description="a lower-case code: letters, digits, _")]
Condition = Annotated[str, Field(pattern=CONDITION_PATTERN,
                                 description='a condition on x: "x < 80", "80 <= x < 100", "x = 100"'),
                      AfterValidator(bounded_condition)]  # its numbers within engine.rules.limits


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True)


class Label(Strict):
    """The same text in Indonesian and English."""
    id: str = Field(min_length=1)
    en: str = Field(min_length=1)


class Provenance(Strict):
    """Where an item comes from: `sourced` (a key of `sources`) or `assumed` (a documented stand-in)."""
    status: Literal["sourced", "assumed"]
    source: Code | None = Field(default=None, description="key of the edition's `sources`; required when sourced")
    note: str | None = None

    @model_validator(mode="after")
    def _source_when_sourced(self):
        if self.status == "sourced" and not self.source:
            raise ValueError('a sourced item needs `source:` naming one of the edition\'s sources')
        return self


class Source(Strict):
    title: str = Field(min_length=1)
    url: str = Field(pattern=r"^https?://\S+$")


class LegalBasis(Strict):
    text: str = Field(min_length=1)
    provenance: Provenance


class StarScale(Strict):
    min: StrictInt = Field(ge=1)
    max: StrictInt = Field(ge=1, le=10)
    provenance: Provenance


class Commodity(Strict):
    code: Code
    label: Label
    provenance: Provenance


class Gate(Strict):
    """An administrative requirement: a fact of the assessment that must hold."""
    fact: Code
    type: Literal["boolean", "integer", "number"]
    requires: Union[StrictBool, Condition] = Field(description='true for a yes/no fact, else a condition like "x >= 5"')
    applies_to: Union[Literal["all"], list[Code]] = "all"
    min: Number | None = None
    max: Number | None = None
    label: Label
    provenance: Provenance


class EnumCode(Strict):
    code: Code
    label: Label


class Evidence(Strict):
    """The value a criterion reads from the assessment's `evidence`."""
    name: Code
    type: Literal["number", "integer", "enum"]
    unit: str | None = None
    min: Number | None = None
    max: Number | None = None
    codes: list[EnumCode] | None = Field(default=None, description="enum only: the allowed codes, in level order")
    label: Label


class Level(Strict):
    """One level of a criterion: its points and the values that reach it (`when` or `codes`)."""
    points: StrictInt = Field(ge=0, le=100)
    when: Condition | None = None
    codes: list[Code] | None = None
    provenance: Provenance | None = Field(default=None, description="only where it differs from the criterion's")

    @model_validator(mode="after")
    def _one_condition(self):
        if (self.when is None) == (self.codes is None):
            raise ValueError("a level needs exactly one of `when` (numbers) or `codes` (enum)")
        return self


class Criterion(Strict):
    id: str = Field(pattern=r"^[A-Z][0-9]+$")
    group: str = Field(pattern=r"^[A-Z]$")
    aspect: str | None = None
    label: Label
    provenance: Provenance
    evidence: Evidence
    levels: list[Level] = Field(min_length=1)


class Aspect(Strict):
    id: str = Field(min_length=1)
    max_points: StrictInt = Field(ge=1)
    label: Label


class Group(Strict):
    id: str = Field(pattern=r"^[A-Z]$")
    max_points: StrictInt = Field(ge=1)
    label: Label
    provenance: Provenance
    aspects: list[Aspect] = []


class Score(Strict):
    method: Literal["points_over_max", "weighted"]
    weights: dict[str, Number] | None = Field(default=None, description="weighted only: group id to weight; they sum to 1")
    provenance: Provenance


class Band(Strict):
    stars: StrictInt = Field(ge=1, le=10)
    min_score: Number = Field(ge=0, le=100)
    provenance: Provenance


class CapCondition(Strict):
    evidence: Code
    in_: list[Code] | None = Field(default=None, alias="in")
    when: Condition | None = None

    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, populate_by_name=True)

    @model_validator(mode="after")
    def _one(self):
        if (self.in_ is None) == (self.when is None):
            raise ValueError("a condition needs exactly one of `in` (codes) or `when` (numbers)")
        return self


class Cap(Strict):
    """Stars are at most `max_stars` unless every condition of `requires` holds."""
    id: Code
    max_stars: StrictInt = Field(ge=0, le=10)
    requires: list[CapCondition] = Field(min_length=1)
    label: Label
    provenance: Provenance


class StarMapping(Strict):
    min_stars: StrictInt = Field(ge=1, le=10)
    value: Code
    label: Label
    provenance: Provenance


class Threshold(Strict):
    min_stars: StrictInt = Field(ge=1, le=10)
    provenance: Provenance


class Movement(Strict):
    provenance: Provenance


class Consequences(Strict):
    pembina: list[StarMapping] | None = None
    label_kemasan: Threshold | None = None
    kandidat_go_global: Threshold | None = None
    movement: Movement | None = None


T = TypeVar("T")


class ListEdit(Strict, Generic[T]):
    """Change a parent's list item by item: add new ids, replace whole items, remove ids."""
    add: list[T] = []
    replace: list[T] = []
    remove: list[str] = []


def _list_or_edit(v: Any) -> str:
    return "list" if isinstance(v, list) else "edit"


def Editable(item):  # noqa: N802 - reads as a type in the models below
    return Annotated[Union[Annotated[list[item], Tag("list")], Annotated[ListEdit[item], Tag("edit")]],
                     Discriminator(_list_or_edit)]


EDITION_ID = r"^[0-9]{4}[a-z0-9_-]*$"


class EditionFile(Strict):
    """One rule file. An edition with `extends` states only what changed."""
    edition: str = Field(pattern=EDITION_ID)
    extends: str | None = Field(default=None, pattern=EDITION_ID)
    status: Literal["published", "draft"]
    title: Label
    legal_basis: LegalBasis | None = None
    sources: dict[str, Source] = {}
    star_scale: StarScale | None = None
    commodities: Editable(Commodity) | None = None
    gates: Editable(Gate) | None = None
    groups: Editable(Group) | None = None
    criteria: Editable(Criterion) | None = None
    score: Score | None = None
    bands: list[Band] | None = None
    caps: Editable(Cap) | None = None
    consequences: Consequences | None = None


class Edition(Strict):
    """A resolved edition: every section stated."""
    edition: str
    extends: str | None
    status: Literal["published", "draft"]
    title: Label
    legal_basis: LegalBasis
    sources: dict[str, Source]
    star_scale: StarScale
    commodities: list[Commodity] = Field(min_length=1)
    gates: list[Gate]
    groups: list[Group] = Field(min_length=1)
    criteria: list[Criterion] = Field(min_length=1)
    score: Score
    bands: list[Band] = Field(min_length=1)
    caps: list[Cap] = []
    consequences: Consequences

    def criterion(self, cid: str) -> Criterion:
        return next(c for c in self.criteria if c.id == cid)

    def url(self, prov: Provenance) -> str | None:
        return self.sources[prov.source].url if prov.source in self.sources else None

    def max_points(self) -> int:
        return sum(g.max_points for g in self.groups)

    def evidence_names(self) -> list[str]:
        return [c.evidence.name for c in self.criteria]

    def gates_for(self, commodity: str) -> list[Gate]:
        return [g for g in self.gates if g.applies_to == "all" or commodity in g.applies_to]
