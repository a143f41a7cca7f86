"""The published results of past rounds (datasets/published_results.yaml): a checked model and table rows.

These are real figures and real firms, each row with the public page that states it. Where sources
disagree, both rows are kept. There is no assessment evidence for any real firm: only the round,
stars and place a source reports.

    results = load_published("datasets/published_results.yaml")
    results.aggregate_rows()   # -> table published_results
    results.named_rows()       # -> table published_named
"""
from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationError, model_validator

from ..errors import OvopError
from ..rules import EDITION_ID, Code, Strict, limits, yamlsrc

DEFAULT_PATH = Path("datasets/published_results.yaml")
URL = r"^https?://\S+$"
Url = Annotated[str, Field(pattern=URL)]
STAR_COLUMNS = ("5", "4", "3", "2", "1")
StarKey = Literal["5", "4", "3", "2", "1"]


class Aggregate(Strict):
    """A round's counts as one source states them; `counts` says what `ikm` counts."""
    round: str = Field(pattern=EDITION_ID)
    ikm: int | None = Field(default=None, ge=0)
    counts: Literal["awarded", "met_criteria", "holders", "proposals"]
    stars: dict[StarKey, int] = Field(default_factory=dict, description="stars -> IKM, only where stated")
    proposals: int | None = Field(default=None, ge=0)
    provinces: int | None = Field(default=None, ge=0)
    passed_selection: int | None = Field(default=None, ge=0)
    source: Url
    note: str | None = None

    @model_validator(mode="after")
    def _consistent(self):
        if any(v < 0 for v in self.stars.values()):
            raise ValueError("a star count is never negative")
        if self.ikm is not None and sum(self.stars.values()) > self.ikm:
            raise ValueError(f"the star counts add up to {sum(self.stars.values())}, more than ikm {self.ikm}")
        if self.passed_selection is not None and self.proposals is not None and self.passed_selection > self.proposals:
            raise ValueError("passed_selection is more than proposals")
        return self


class Named(Strict):
    """One firm's result in one round, as its sources state it."""
    firm: str = Field(min_length=1)
    brand: str | None = None
    place: str | None = None
    round: str = Field(pattern=EDITION_ID)
    commodity: Code | None = Field(default=None, description="the round's commodity code, where the source names one")
    commodity_stated: str | None = None
    stars: int = Field(ge=1, le=5)
    sources: list[Url] = Field(min_length=1)


class PublishedResults(Strict):
    aggregates: list[Aggregate]
    named: list[Named] = []

    @model_validator(mode="after")
    def _unique(self):
        keys = [(a.round, a.source) for a in self.aggregates]
        if len(keys) != len(set(keys)):
            raise ValueError("two aggregate rows with the same round and source")
        named = [(n.round, n.firm) for n in self.named]
        if len(named) != len(set(named)):
            raise ValueError("a firm is named twice in one round")
        return self

    def aggregate_rows(self) -> list[dict[str, Any]]:
        """Rows of `published_results` (key: round, source); a star count not stated is null."""
        rows = []
        for a in self.aggregates:
            row = {"round": a.round, "source": a.source, "counts": a.counts, "ikm": a.ikm}
            row |= {f"stars_{s}": a.stars.get(s) for s in STAR_COLUMNS}
            row |= {"proposals": a.proposals, "provinces": a.provinces,
                    "passed_selection": a.passed_selection, "note": a.note}
            rows.append(row)
        return sorted(rows, key=lambda r: (r["round"], r["source"]))

    def named_rows(self) -> list[dict[str, Any]]:
        """Rows of `published_named` (key: round, firm); sources joined by a space."""
        rows = [{"round": n.round, "firm": n.firm, "brand": n.brand, "place": n.place, "commodity": n.commodity,
                 "commodity_stated": n.commodity_stated, "stars": n.stars, "sources": " ".join(n.sources)}
                for n in self.named]
        return sorted(rows, key=lambda r: (r["round"], r["firm"]))


def load_published(path: str | Path = DEFAULT_PATH) -> PublishedResults:
    """Read and check the file; problems raise OvopError naming file:line:col and the field."""
    path = Path(path)
    text = limits.read_text(path, str(path))  # a regular file, bounded in size
    located = yamlsrc.loads(text, str(path))
    try:
        return PublishedResults.model_validate(located.data)
    except ValidationError as exc:
        from ..rules import pydantic_diagnostics
        raise OvopError(pydantic_diagnostics(located, exc, PublishedResults)) from None
