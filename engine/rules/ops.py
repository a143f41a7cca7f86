"""What the `ovop rules` commands do, as plain functions: the cli only parses options and prints."""
from __future__ import annotations

from pathlib import Path

from ..errors import Diagnostic, OvopError
from . import checks, folder, lock
from .resolve import RuleSet, load_partial, load_rules


def check_rules(directory: str | Path = "rules") -> RuleSet:
    """Everything in the rules folder, in one pass: every edition (schema, resolution, static checks; a section
    with schema errors leaves out only the checks that read it), the lock, commodity_map.yaml and each
    edition's tests.yaml. Raises OvopError with every problem found."""
    rules, problems = load_partial(directory)
    problems += checks.check_ruleset(rules) + lock.check_lock(rules)
    problems += folder.check_commodity_map(rules) + folder.check_tests(rules)
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


def freeze_warnings(directory: str | Path, edition: str) -> list[Diagnostic]:
    """What to tell the author when freezing (the title still says draft)."""
    return lock.freeze_warnings(load_rules(directory, frozen=False), edition)


def write_edition_schema(path: str | Path) -> Path:
    from . import schema
    return schema.write(path)
