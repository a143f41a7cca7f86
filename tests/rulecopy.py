"""Temporary rule folders for tests: copies of rules/, so that a draft added to rules/ (`ovop rules new`)
changes no test, and nothing a test does touches rules/. The editions come from rules/ itself."""
from __future__ import annotations

import shutil
from pathlib import Path

from engine.rules import load_rules, read_lock

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rules"


def frozen_editions(rules: Path = RULES) -> list[str]:
    """The editions rules/editions.lock freezes, in order (the published ones)."""
    return sorted(read_lock(rules)[0])


def copy_rules(target: Path, drafts: bool = False) -> Path:
    """A copy of rules/ at `target` (created); without the drafts unless `drafts` (a fixture then sees only
    the frozen editions, which never change)."""
    frozen = set(frozen_editions())
    shutil.copytree(RULES, target, ignore=None if drafts else _drafts_of(frozen))
    return target


def _drafts_of(frozen: set[str]):
    def ignore(folder: str, names: list[str]) -> list[str]:
        if Path(folder).resolve() != RULES.resolve():
            return []
        return [n for n in names if (Path(folder) / n / "edition.yaml").is_file() and n not in frozen]
    return ignore


def new_edition_id(rules: Path) -> str:
    """An edition id no edition of `rules` has: two years after the newest."""
    editions = load_rules(rules, frozen=False).editions
    year = max(int(e[:4]) for e in editions) + 2
    while str(year) in editions or (rules / str(year)).exists():
        year += 1
    return str(year)
