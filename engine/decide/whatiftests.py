"""What-if rule-author tests (CRITERIA.md section 7): assessments of one edition re-evaluated under another.

rules/what_if_tests.yaml names, per test, an assessment (file and id), the edition to evaluate it under,
gate facts to change (`gates`) or to leave out (`drop_gates`), and the outcome fields it must get there
(`expect`, as in rules/<edition>/tests.yaml, plus `gates_unknown` and the status `conditional`).
"""
from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field, ValidationError

from ..errors import Diagnostic, OvopError
from ..inputs import Catalogue, Source, check_file, read
from ..rules import RuleSet, load_commodity_map, pydantic_diagnostics, yamlsrc
from .authortests import Expect, Result, _Strict
from .evaluate import Evaluator

WHAT_IF_TESTS = "what_if_tests.yaml"


class Ref(_Strict):
    file: str = Field(min_length=1)
    id: str = Field(min_length=1)


class WhatIfTest(_Strict):
    name: str = Field(min_length=1)
    assessment: Ref
    edition: str = Field(min_length=1)
    gates: dict[str, Any] = {}
    drop_gates: list[str] = []
    expect: Expect


class WhatIfFile(_Strict):
    tests: list[WhatIfTest] = Field(min_length=1)


def run(ruleset: RuleSet, path: Path | None = None, root: Path = Path(".")) -> list[tuple[Result, Any]]:
    """Every what-if test of the file (default: rules/what_if_tests.yaml): (result, the assessment evaluated)."""
    path = path or Path(ruleset.directory) / WHAT_IF_TESTS
    located = yamlsrc.load(path)
    try:
        spec = WhatIfFile.model_validate(located.data)
    except ValidationError as exc:
        raise OvopError(pydantic_diagnostics(located, exc, WhatIfFile)) from None
    catalogue = Catalogue.of(ruleset)
    cmap = load_commodity_map(ruleset.directory, catalogue.editions)
    evaluator, out = Evaluator(ruleset), []
    for i, test in enumerate(spec.tests):
        line, _ = located.position(("tests", i))
        where = f"{located.file}:{line}"
        raw = _raw(root / test.assessment.file, test, where)
        source = Source(yamlsrc.Located(where, raw, {(): (line, 1)}))
        items, errors = check_file(source, catalogue, ruleset.get(test.edition).model, cmap, [])
        if errors:
            raise OvopError(errors)
        outcome = evaluator.evaluate(items[0]).model_dump()
        failures = tuple(f"{key}: expected {value!r}, got {outcome[key]!r}"
                         for key, value in test.expect.model_dump(exclude_unset=True).items() if outcome[key] != value)
        out.append((Result(test.edition, test.name, where, failures), items[0]))
    return out


def _raw(path: Path, test: WhatIfTest, where: str) -> dict:
    data = read(path, str(path)).located.data
    found = [a for a in (data if isinstance(data, list) else [data])
             if isinstance(a, dict) and a.get("id") == test.assessment.id]
    if not found:
        raise OvopError(Diagnostic(where, path="assessment.id",
                                   message=f'no assessment "{test.assessment.id}" in {path}',
                                   allowed="an id of an assessment in that file"))
    raw = dict(found[0])
    raw["gates"] = {k: v for k, v in {**raw["gates"], **test.gates}.items() if k not in test.drop_gates}
    return raw
