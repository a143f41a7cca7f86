"""The small typed API the CLI (and Datasette plugin, and tests) stand on."""
from __future__ import annotations

from pathlib import Path

from .evaluate import Evaluator
from .outcome import Outcome
from .resolve import RuleSet, load_rules

DEFAULT_RULES = Path("rules")


def ruleset(rules_dir: str | Path = DEFAULT_RULES) -> RuleSet:
    """Every edition under `rules_dir`, resolved (raises OvopError with every problem)."""
    return load_rules(rules_dir)


def evaluate_files(paths: list[str | Path], rules_dir: str | Path = DEFAULT_RULES,
                   edition: str | None = None) -> list[Outcome]:
    """Validate assessment files (all errors at once, nothing evaluated on error), then evaluate each."""
    from .assessment import load_assessments
    rs = ruleset(rules_dir)
    assessments = load_assessments([Path(p) for p in paths], rs, edition_override=edition)
    return Evaluator(rs).evaluate_all(assessments)


def explain_files(paths: list[str | Path], lang: str = "id", rules_dir: str | Path = DEFAULT_RULES,
                  edition: str | None = None) -> list[str]:
    """The plain-text explanation of every assessment in the files."""
    from .assessment import load_assessments
    from .explain import explain
    rs = ruleset(rules_dir)
    evaluator = Evaluator(rs)
    out = []
    for a in load_assessments([Path(p) for p in paths], rs, edition_override=edition):
        out.append(explain(evaluator.evaluate(a), evaluator.compiled(a.edition).edition, lang))
    return out


def run_author_tests(rules_dir: str | Path = DEFAULT_RULES, editions: list[str] | None = None):
    """Every rule-author test of the given editions, passed or not."""
    from . import authortests
    return authortests.run(ruleset(rules_dir), editions or None)


def outcomes_json(outcomes: list[Outcome]) -> str:
    """Outcomes as a JSON array: the same bytes for the same input."""
    import json
    return json.dumps([o.to_json() for o in outcomes], ensure_ascii=False, indent=2) + "\n"
