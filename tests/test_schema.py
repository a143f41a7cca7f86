"""schemas/edition.schema.json: generated from the models, and it accepts exactly what they accept."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator
from pydantic import ValidationError

from engine.rules import schema

from engine.rules import yamlsrc
from engine.errors import OvopError
from engine.rules.model import EditionFile

ROOT = Path(__file__).resolve().parents[1]
SCHEMA = json.loads((ROOT / "schemas" / "edition.schema.json").read_text(encoding="utf-8"))
VALIDATOR = Draft202012Validator(SCHEMA)
SHIPPED = sorted((ROOT / "rules").glob("*/edition.yaml"))
BROKEN = sorted((ROOT / "tests" / "broken_rules").glob("*/*/edition.yaml"))


def model_accepts(data) -> bool:
    try:
        EditionFile.model_validate(data)
        return True
    except ValidationError:
        return False


def parsed(path: Path):
    """The file's data, or None when it is not YAML a rule file may be (syntax, tags, duplicates, empty)."""
    try:
        return yamlsrc.load(path).data
    except OvopError:
        return None


def test_committed_schema_is_the_generated_one():
    assert (ROOT / "schemas" / "edition.schema.json").read_text(encoding="utf-8") == schema.render()


def test_schema_is_a_valid_draft_2020_12_schema():
    Draft202012Validator.check_schema(SCHEMA)
    assert SCHEMA["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert SCHEMA["$id"] and SCHEMA["title"]


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_schema_accepts_every_shipped_rule_file(path):
    errors = [e.message for e in VALIDATOR.iter_errors(yamlsrc.load(path).data)]
    assert errors == []


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.parent.name)
def test_shipped_rule_files_point_editors_at_the_schema(path):
    first = path.read_text(encoding="utf-8").splitlines()[0]
    assert first == "# yaml-language-server: $schema=../../schemas/edition.schema.json"


@pytest.mark.parametrize("path", BROKEN, ids=lambda p: f"{p.parent.parent.name}/{p.parent.name}")
def test_schema_rejects_a_broken_file_iff_the_model_does(path):
    data = parsed(path)
    if data is None:
        pytest.skip("rejected before validation (YAML level)")
    assert VALIDATOR.is_valid(data) == model_accepts(data)


def test_corpus_has_schema_level_and_semantic_cases():
    data = [d for d in map(parsed, BROKEN) if d is not None]
    rejected = sum(not model_accepts(d) for d in data)
    assert rejected >= 5  # caught by schema and model alike
    assert len(data) - rejected >= 15  # well-formed, caught only by `ovop rules check`


# Constraints the models check in validators, stated in the schema too: both must reject each of these.
def _2013():
    return yamlsrc.load(ROOT / "rules" / "2013" / "edition.yaml").data


def _level(data):
    return data["criteria"][0]["levels"][0]


def _cap(data):
    return data["caps"][0]["requires"][0]


MUTATIONS = {
    "sourced without source": lambda d: d["legal_basis"]["provenance"].pop("source"),
    "sourced with null source": lambda d: d["legal_basis"]["provenance"].update(source=None),
    "level with when and codes": lambda d: _level(d).update(codes=["a"]),
    "level with neither": lambda d: _level(d).pop("when"),
    "level with null when": lambda d: _level(d).update(when=None),
    "cap with in and when": lambda d: _cap(d).update(when="x > 1"),
    "cap with neither": lambda d: _cap(d).pop("in"),
    "unknown key": lambda d: d.update(colour="red"),
    "points as text": lambda d: _level(d).update(points="1"),
    "bad condition": lambda d: _level(d).update(when="x => 1"),
    "list edit with unknown verb": lambda d: d.update(gates={"append": []}),
}


@pytest.mark.parametrize("name", MUTATIONS)
def test_schema_and_model_both_reject(name):
    data = copy.deepcopy(_2013())
    MUTATIONS[name](data)
    assert not model_accepts(data)
    assert not VALIDATOR.is_valid(data)


def test_assumed_without_source_is_accepted_by_both():
    data = copy.deepcopy(_2013())
    data["legal_basis"]["provenance"] = {"status": "assumed", "source": None}
    assert model_accepts(data) and VALIDATOR.is_valid(data)
