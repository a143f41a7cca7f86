"""`ovop rules check` beyond the editions: rules/commodity_map.yaml and each rules/<edition>/tests.yaml.

commodity_map.yaml: its form; every `from` code in one commodity list and every `to` code in another
(the lists of the editions); each `from` code once; no code both a `to` and another pair's `from`, so
that reading the map backwards is never ambiguous. tests.yaml: its form; test names unique; editions it
names (`previous.edition`) exist; the evidence and gate facts it sets are the edition's.
"""
from __future__ import annotations

from collections import Counter
from pathlib import Path

from pydantic import ValidationError

from ..errors import Diagnostic, OvopError, did_you_mean
from . import yamlsrc
from .commodity_map import MAP_FILE, MapFile
from .messages import t
from .resolve import TESTS_FILE, RuleSet, discover
from .schema_errors import pydantic_diagnostics
from .testfile import TestFile


def _read(path: Path, model: type):
    """(located, parsed or None, diagnostics)."""
    try:
        located = yamlsrc.load(path, salvage=True)
    except OvopError as exc:
        return None, None, exc.diagnostics
    try:
        return located, model.model_validate(located.data), list(located.problems)
    except ValidationError as exc:
        return located, None, list(located.problems) + pydantic_diagnostics(located, exc, model)


# ---- commodity_map.yaml -------------------------------------------------------------------------

def check_commodity_map(rules: RuleSet) -> list[Diagnostic]:
    path = Path(rules.directory) / MAP_FILE
    if not path.is_file():
        return []  # only a what-if across the two commodity lists needs it; it says so then
    located, parsed, out = _read(path, MapFile)
    if parsed is None or not rules.editions:
        return out
    lists: dict[frozenset, list[str]] = {}
    for e, res in rules.editions.items():
        lists.setdefault(frozenset(c.code for c in res.model.commodities), []).append(e)
    for side, codes in (("from", [p.from_ for p in parsed.map]), ("to", [p.to for p in parsed.map])):
        out += _in_one_list(located, side, codes, lists)
    froms = [p.from_ for p in parsed.map]
    for n, pair in enumerate(parsed.map):
        if pair.from_ in froms[:n]:
            out.append(located.diagnostic(("map", n, "from"), t("map_twice", code=pair.from_), t("map_twice_ok")))
        other = next((j for j, p in enumerate(parsed.map) if p.from_ == pair.to and j != n), None)
        if other is not None and pair.from_ != pair.to:
            out.append(located.diagnostic(("map", n, "to"), t("map_reverse", code=pair.to, other=other),
                                          t("map_reverse_ok")))
    return out


def _in_one_list(located, side: str, codes: list[str], lists: dict) -> list[Diagnostic]:
    """Every code of one side in the commodity list that holds most of them."""
    if not codes:
        return []
    best = max(sorted(lists, key=lambda codes_of: lists[codes_of]), key=lambda codes_of: sum(c in codes_of for c in codes))
    editions = ", ".join(lists[best])
    return [located.diagnostic(("map", n, side), t("map_not_in_list", code=code, editions=editions,
                                                    hint=did_you_mean(code, sorted(best))), ", ".join(sorted(best)))
            for n, code in enumerate(codes) if code not in best]


# ---- tests.yaml ---------------------------------------------------------------------------------

def check_tests(rules: RuleSet) -> list[Diagnostic]:
    out = []
    for edition, rule_file in discover(Path(rules.directory)).items():
        path = rule_file.parent / TESTS_FILE
        if path.is_file():
            out += _check_test_file(rules, edition, path)
    return out


def _check_test_file(rules: RuleSet, edition: str, path: Path) -> list[Diagnostic]:
    located, spec, out = _read(path, TestFile)
    if spec is None:
        return out
    for name, n in Counter(test.name for test in spec.tests).items():
        if n > 1:
            i = max(i for i, test in enumerate(spec.tests) if test.name == name)
            out.append(located.diagnostic(("tests", i, "name"), t("test_name_twice", name=name, n=n), t("test_name_once_ok")))
    known = list(discover(Path(rules.directory)))
    parts = [(("base",), spec.base)] + [(("tests", i), test) for i, test in enumerate(spec.tests)]
    for where, part in parts:
        previous = part.previous or {}
        if isinstance(previous.get("edition"), str) and previous["edition"] not in known:
            out.append(located.diagnostic(where + ("previous", "edition"), t(
                "test_unknown_edition", edition=previous["edition"], hint=did_you_mean(previous["edition"], known)),
                ", ".join(known)))
    res = rules.editions.get(edition)
    if res is None:
        return out  # the edition itself has problems, reported with it
    names = {"evidence": res.model.evidence_names(), "gates": [g.fact for g in res.model.gates]}
    for where, part in parts:
        for section, allowed in names.items():
            for key in getattr(part, section):
                if key not in allowed:
                    out.append(located.diagnostic(where + (section, key), t(
                        "test_unknown_name", kind=t("kind_evidence") if section == "evidence" else t("kind_gate"),
                        name=key, edition=edition, hint=did_you_mean(key, allowed)), ", ".join(allowed)))
    return out
