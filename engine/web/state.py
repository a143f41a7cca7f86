"""The current rules, their catalogue and one durable_rules evaluator, built once per process for the site."""
from __future__ import annotations

import os
from pathlib import Path

from ..decide import Evaluator
from ..inputs import Catalogue
from ..rules import load_commodity_map, load_rules
from .site import SITE_DIR

_state: dict = {}


def rules_dir() -> Path:
    return Path(os.environ.get("OVOP_RULES") or SITE_DIR.parent / "rules")


def state() -> dict:
    """{"ruleset", "catalogue", "evaluator", "commodity_map"()}: the rules read once (OVOP_RULES or rules/)."""
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
