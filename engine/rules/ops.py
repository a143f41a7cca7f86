"""What the `ovop rules` commands do, as plain functions: the cli only parses options and prints."""
from __future__ import annotations

from pathlib import Path

from ..errors import OvopError
from . import checks, lock
from .resolve import RuleSet, load_rules


def check_rules(directory: str | Path = "rules") -> RuleSet:
    """Load and resolve every edition, run the static checks and the lock check; all problems at once."""
    rules = load_rules(directory, frozen=False)
    problems = checks.check_ruleset(rules) + lock.check_lock(rules)
    if problems:
        raise OvopError(problems)
    return rules


def freeze_edition(directory: str | Path, edition: str) -> tuple[str, bool]:
    """Record a published edition's hash in the lock, after its rule set checks clean."""
    rules = load_rules(directory, frozen=False)
    problems = checks.check_ruleset(rules)
    if problems:
        raise OvopError(problems)
    return lock.freeze(rules, edition)


def write_edition_schema(path: str | Path) -> Path:
    from . import schema
    return schema.write(path)
