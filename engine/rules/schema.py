"""The JSON Schema of a rule file, generated from engine.rules.model.EditionFile (never written by hand).

Editors point at it through the modeline at the top of each rules/<edition>/edition.yaml.
Regenerate with `ovop rules schema` or `python -m engine.rules.schema`; a test fails on drift.
"""
from __future__ import annotations

import json
import sys
from pathlib import Path

from .model import EditionFile

SCHEMA_FILE = Path("schemas") / "edition.schema.json"
SCHEMA_ID = "urn:ovop-criteria:schemas:edition.schema.json"


def _present(name: str, kind: str) -> dict:
    return {"properties": {name: {"type": kind}}, "required": [name]}


# What the models check in validators, stated so the schema accepts exactly what the models accept.
VALIDATOR_RULES = {
    "Provenance": {"if": {"properties": {"status": {"const": "sourced"}}, "required": ["status"]},
                   "then": _present("source", "string")},
    "Level": {"oneOf": [_present("when", "string"), _present("codes", "array")]},
    "CapCondition": {"oneOf": [_present("in", "array"), _present("when", "string")]},
}


def edition_schema() -> dict:
    body = EditionFile.model_json_schema(by_alias=True)
    for name, extra in VALIDATOR_RULES.items():
        body["$defs"][name].update(extra)
    head = {"$schema": "https://json-schema.org/draft/2020-12/schema", "$id": SCHEMA_ID,
            "title": "OVOP criteria rule file (rules/<edition>/edition.yaml)"}
    body.pop("title", None)
    return {**head, **body}


def render() -> str:
    return json.dumps(edition_schema(), indent=2, ensure_ascii=False) + "\n"


def write(path: str | Path = SCHEMA_FILE) -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(render(), encoding="utf-8")
    return path


if __name__ == "__main__":
    print(write(sys.argv[1] if len(sys.argv) > 1 else SCHEMA_FILE))
