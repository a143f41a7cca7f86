"""The current rules, their catalogue and one durable_rules evaluator, built once per process for the site."""
from __future__ import annotations

from pathlib import Path

from ..decide import Evaluator
from ..inputs import Catalogue
from ..rules import find_rules, load_commodity_map, load_rules

_state: dict = {}


def rules_dir() -> Path:
    """OVOP_RULES_DIR (or OVOP_RULES), else the rules/ found from the working directory, else the checkout's."""
    return find_rules(None)


def state() -> dict:
    """{"ruleset", "catalogue", "evaluator", "commodity_map"()}: the rules read once (rules_dir()); a
    published edition the lock does not freeze as it is refuses them all (engine.rules.frozen)."""
    if not _state:
        ruleset = load_rules(rules_dir())
        catalogue = Catalogue.of(ruleset)
        cmap: dict = {}

        def commodity_map():
            if "m" not in cmap:
                cmap["m"] = load_commodity_map(ruleset.directory, catalogue.editions)
            return cmap["m"]
        _state.update(ruleset=ruleset, catalogue=catalogue, evaluator=Evaluator(ruleset), commodity_map=commodity_map)
    return _state
