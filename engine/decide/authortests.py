"""Rule-author tests: example assessments next to each edition's rules, with the outcome they must get.

rules/<edition>/tests.yaml holds a `base` assessment and `tests`, each changing only what it lists
and stating the expected outcome fields. Written by policy staff; run by `ovop rules test`.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError

from ..errors import OvopError
from ..inputs import Catalogue, Source, check_file
from ..rules import TESTS_FILE, AuthorTest, Base, Expect, RuleSet, TestFile, TestStrict, pydantic_diagnostics, yamlsrc  # noqa: F401
from .evaluate import Evaluator

_Strict = TestStrict  # the what-if tests share the test models' base


@dataclass(frozen=True)
class Result:
    edition: str
    name: str
    where: str
    failures: tuple[str, ...]

    @property
    def passed(self) -> bool:
        return not self.failures


def run(ruleset: RuleSet, editions: list[str] | None = None) -> list[Result]:
    """Run the rule-author tests of the given editions (default: every edition that has them)."""
    evaluator, results = Evaluator(ruleset), []
    for edition in editions or list(ruleset.editions):
        ruleset.get(edition)
        path = Path(ruleset.directory) / edition / TESTS_FILE
        if _has_tests(path):
            results += _run_file(path, edition, ruleset, evaluator)
    return results


def untested(ruleset: RuleSet, editions: list[str] | None = None) -> list[str]:
    """The editions (of those given, default all) without tests: no tests.yaml, or one holding only comments."""
    return [e for e in editions or list(ruleset.editions)
            if ruleset.get(e) and not _has_tests(Path(ruleset.directory) / e / TESTS_FILE)]


def _has_tests(path: Path) -> bool:
    return path.exists() and yamlsrc.load(path).data is not None


def _run_file(path: Path, edition: str, ruleset: RuleSet, evaluator: Evaluator) -> list[Result]:
    located = yamlsrc.load(path)
    try:
        spec = TestFile.model_validate(located.data)
    except ValidationError as exc:
        raise OvopError(pydantic_diagnostics(located, exc, TestFile)) from None
    assessments = [_assessment(edition, n, spec.base, t) for n, t in enumerate(spec.tests, start=1)]
    locs = {(i,): located.position(("tests", i)) for i in range(len(assessments))}
    source = Source(yamlsrc.Located(located.file, assessments, locs))
    checked, errors = check_file(source, Catalogue.of(ruleset), None, None, [])
    if errors:
        raise OvopError(errors)
    results = []
    for (i, test), a in zip(enumerate(spec.tests), checked):
        line, _ = located.position(("tests", i))
        outcome = evaluator.evaluate(a).model_dump()
        failures = tuple(f"{key}: expected {value!r}, got {outcome[key]!r}"
                         for key, value in test.expect.model_dump(exclude_unset=True).items() if outcome[key] != value)
        results.append(Result(edition, test.name, f"{located.file}:{line}", failures))
    return results


def _assessment(edition: str, n: int, base: Base, test: AuthorTest) -> dict:
    data = {"id": f"{edition}-TEST-{n:03d}", "edition": edition, "ikm": {**base.ikm, **test.ikm},
            "gates": {**base.gates, **test.gates}, "evidence": {**base.evidence, **test.evidence}}
    previous = test.previous if "previous" in test.model_fields_set else base.previous
    if previous is not None:
        data["previous"] = previous
    return data
