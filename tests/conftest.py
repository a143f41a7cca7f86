"""Shared fixtures: the shipped rule set, loaded once; an evaluator over it."""
from __future__ import annotations

from pathlib import Path

import pytest

from engine.decide.evaluate import Evaluator
from engine.rules.resolve import load_rules

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def ruleset():
    return load_rules(ROOT / "rules")


@pytest.fixture(scope="session")
def evaluator(ruleset):
    return Evaluator(ruleset)
