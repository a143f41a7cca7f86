"""The JSON Schemas of the rule folder's files, generated from the models (never written by hand).

schemas/edition.schema.json (rules/<edition>/edition.yaml, from engine.rules.model.EditionFile) and
schemas/tests.schema.json (rules/<edition>/tests.yaml, from engine.rules.testfile.TestFile). Editors
find them through the modeline at the top of each rule file and through .vscode/settings.json.
Regenerate with `ovop rules schema` or `python -m engine.rules.schema`; a test fails on drift.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .model import EditionFile
from .testfile import TestFile

SCHEMA_FILE = Path("schemas") / "edition.schema.json"
SCHEMA_ID = "urn:ovop-criteria:schemas:edition.schema.json"
TESTS_SCHEMA_FILE = "tests.schema.json"
TESTS_SCHEMA_ID = "urn:ovop-criteria:schemas:tests.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"


def _present(name: str, kind: str) -> dict:
    return {"properties": {name: {"type": kind}}, "required": [name]}


# What the models check in validators, stated so the schema accepts exactly what the models accept.
VALIDATOR_RULES = {
    "Provenance": {"if": {"properties": {"status": {"const": "sourced"}}, "required": ["status"]},
                   "then": _present("source", "string")},
    "Level": {"oneOf": [_present("when", "string"), _present("codes", "array")]},
    "CapCondition": {"oneOf": [_present("in", "array"), _present("when", "string")]},
}


# pydantic writes a bound on a union of numbers (int | float) as its own `ge`/`le`, which JSON Schema
# validators (the YAML language server, check-jsonschema) ignore: the standard keywords instead.
STANDARD_BOUNDS = {"ge": "minimum", "le": "maximum", "gt": "exclusiveMinimum", "lt": "exclusiveMaximum"}


def standard_bounds(node):
    """The schema with every pydantic bound keyword replaced by the JSON Schema one (in place)."""
    if isinstance(node, dict):
        is_schema = "type" in node or "anyOf" in node or "$ref" in node
        for old, new in STANDARD_BOUNDS.items():
            if is_schema and old in node and not isinstance(node[old], dict):
                node[new] = node.pop(old)
        for key, value in node.items():
            if key != "properties":
                standard_bounds(value)
            else:
                for prop in value.values():
                    standard_bounds(prop)
    elif isinstance(node, list):
        for value in node:
            standard_bounds(value)
    return node


def edition_schema() -> dict:
    body = standard_bounds(EditionFile.model_json_schema(by_alias=True))
    for name, extra in VALIDATOR_RULES.items():
        body["$defs"][name].update(extra)
    head = {"$schema": DRAFT, "$id": SCHEMA_ID, "title": "OVOP criteria rule file (rules/<edition>/edition.yaml)"}
    body.pop("title", None)
    return {**head, **body}


def tests_schema() -> dict:
    body = standard_bounds(TestFile.model_json_schema(by_alias=True))
    head = {"$schema": DRAFT, "$id": TESTS_SCHEMA_ID,
            "title": "OVOP rule-author tests (rules/<edition>/tests.yaml)"}
    body.pop("title", None)
    return {**head, **body}


def render(which: str = "edition") -> str:
    body = tests_schema() if which == "tests" else edition_schema()
    return json.dumps(body, indent=2, ensure_ascii=False) + "\n"


def write(path: str | Path = SCHEMA_FILE) -> Path:
    """Write the edition schema at `path` and the tests schema beside it."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    (path.parent / TESTS_SCHEMA_FILE).write_text(render("tests"), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write(sys.argv[1] if len(sys.argv) > 1 else SCHEMA_FILE))
