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
