"""The JSON Schema of the assessors' input (schemas/assessment.schema.json), generated, never hand-edited.

The structure comes from the pydantic model `Assessment`; the rule set adds every edition id,
commodity code, gate fact and evidence name with its type, range and codes, so that editors can
complete names and the schema refuses unknown ones. What only the rules can decide for one
assessment (what its edition needs, its commodity list, duplicate ids, 3.0 for an integer, NaN)
is left to `load_assessments`.

    python -m engine.inputs.schema [rules-folder]   # rewrites schemas/assessment.schema.json

`ovop rules check` and `ovop rules new` rewrite it too (`sync`) whenever the rule sets change it.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from ..rules import RuleSet, load_rules
from .assessment import Assessment, Catalogue
from .values import Spec

SCHEMA_FILE = Path("schemas") / "assessment.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def spec_schema(spec: Spec) -> dict:
    """One gate fact or evidence value as JSON Schema."""
    if spec.kind == "boolean":
        return {"type": "boolean"}
    if spec.kind == "enum":
        return {"type": "string", "enum": list(spec.codes)}
    out: dict = {"type": "integer" if spec.kind == "integer" else "number"}
    if spec.min is not None:
        out["minimum"] = spec.min
    if spec.max is not None:
        out["maximum"] = spec.max
    return out


def _names(specs: dict[str, Spec], descriptions: dict[str, str]) -> dict:
    props = {}
    for name, spec in specs.items():
        props[name] = {**spec_schema(spec), "description": descriptions.get(name, name)}
    return {"type": "object", "properties": props, "additionalProperties": False}


def _descriptions(ruleset: RuleSet) -> tuple[dict[str, str], dict[str, str]]:
    gates, evidence = {}, {}
    for resolved in ruleset.editions.values():
        gates.update({g.fact: g.label.en for g in resolved.model.gates})
        evidence.update({c.evidence.name: f"{c.id}: {c.evidence.label.en}" for c in resolved.model.criteria})
    return gates, evidence


def assessment_schema(ruleset: RuleSet) -> dict:
    """The schema of one assessment or a non-empty list of them."""
    catalogue = Catalogue.of(ruleset)
    one = Assessment.model_json_schema()
    defs = one.pop("$defs", {})
    editions = list(ruleset.editions)
    commodities = sorted({c.code for e in catalogue.editions.values() for c in e.commodities})
    gate_text, evidence_text = _descriptions(ruleset)
    props = one["properties"]
    props["edition"]["enum"] = editions
    props["gates"] = {**_names(catalogue.gates, gate_text), "description": props["gates"]["description"]}
    props["evidence"] = {**_names(catalogue.evidence, evidence_text), "description": props["evidence"]["description"]}
    defs["Ikm"]["properties"]["commodity"]["enum"] = commodities
    defs["Previous"]["properties"]["edition"]["enum"] = editions
    defs["Assessment"] = one
    return {
        "$schema": DRAFT,
        "$id": "https://ovop-criteria.invalid/schemas/assessment.schema.json",
        "title": "OVOP assessment input",
        "description": "One assessment or a list of them (CRITERIA.md section 6). Generated from "
                       "engine/inputs/assessment.py and rules/ by engine/inputs/schema.py; do not edit.",
        "anyOf": [{"$ref": "#/$defs/Assessment"},
                  {"type": "array", "items": {"$ref": "#/$defs/Assessment"}, "minItems": 1}],
        "$defs": dict(sorted(defs.items())),
    }


def schema_text(ruleset: RuleSet) -> str:
    return json.dumps(assessment_schema(ruleset), indent=2, ensure_ascii=False) + "\n"


def sync(ruleset: RuleSet) -> Path | None:
    """Rewrite the schema beside the rules folder (<rules>/../schemas/assessment.schema.json) when it differs
    from the one the rule set generates: `ovop rules check` and `ovop rules new` keep it in step, so a new
    edition, commodity or evidence needs no hidden step. The path when it was written; nothing happens when
    there is no schemas/ folder beside the rules (a temporary copy of rules/)."""
    target = Path(ruleset.directory).parent / SCHEMA_FILE
    if not target.parent.is_dir():
        return None
    text = schema_text(ruleset)
    if target.is_file() and target.read_text(encoding="utf-8") == text:
        return None
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(target)
    return target


def main(argv: list[str]) -> int:
    rules = argv[0] if argv else "rules"
    SCHEMA_FILE.parent.mkdir(parents=True, exist_ok=True)
    SCHEMA_FILE.write_text(schema_text(load_rules(rules)), encoding="utf-8")
    print(f"wrote {SCHEMA_FILE}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
