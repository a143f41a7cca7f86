"""Editors validate as you type: standard JSON Schema keywords, schemas for every file policy staff and
assessors write, .vscode/settings.json mapping them, and the real YAML language server reporting a misspelt
key and an out-of-range value in a broken rule file."""
from __future__ import annotations

import copy
import json
import shutil
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from engine.rules import schema, yamlsrc

from lsp_client import Client, server_command

ROOT = Path(__file__).resolve().parents[1]
SCHEMAS = ROOT / "schemas"
SETTINGS = json.loads((ROOT / ".vscode" / "settings.json").read_text(encoding="utf-8"))


def load_schema(name: str) -> dict:
    return json.loads((SCHEMAS / name).read_text(encoding="utf-8"))


def keys(node, found=None) -> set[str]:
    found = set() if found is None else found
    if isinstance(node, dict):
        for k, v in node.items():
            found.add(k)
            keys(v if k != "properties" else list(v.values()), found)
    elif isinstance(node, list):
        for v in node:
            keys(v, found)
    return found


def leaves(errors) -> list[str]:
    """The innermost messages (a union's branches hold the one that says what is wrong)."""
    out = []
    for e in errors:
        out += leaves(e.context) if e.context else [e.message]
    return sorted(set(m for m in out if "is not of type 'null'" not in m))


@pytest.mark.parametrize("name", ["edition.schema.json", "tests.schema.json", "assessment.schema.json"])
def test_schemas_use_only_standard_bound_keywords(name):
    body = load_schema(name)
    Draft202012Validator.check_schema(body)
    assert not {"ge", "le", "gt", "lt"} & keys(body)


def test_committed_tests_schema_is_the_generated_one():
    assert (SCHEMAS / "tests.schema.json").read_text(encoding="utf-8") == schema.render("tests")


def test_a_band_threshold_above_100_is_refused_by_the_schema():
    validator = Draft202012Validator(load_schema("edition.schema.json"))
    data = yamlsrc.load(ROOT / "rules" / "2013" / "edition.yaml").data
    assert validator.is_valid(data)
    bad = copy.deepcopy(data)
    bad["bands"][0]["min_score"] = 101
    assert leaves(validator.iter_errors(bad)) == ["101 is greater than the maximum of 100"]


@pytest.mark.parametrize("path", sorted((ROOT / "rules").glob("*/tests.yaml")), ids=lambda p: p.parent.name)
def test_tests_schema_accepts_every_shipped_tests_file_and_refuses_a_misspelt_key(path):
    validator = Draft202012Validator(load_schema("tests.schema.json"))
    data = yamlsrc.load(path).data
    assert [e.message for e in validator.iter_errors(data)] == []
    data["tests"][0]["expcet"] = data["tests"][0].pop("expect")
    messages = [e.message for e in validator.iter_errors(data)]
    assert any("expcet" in m for m in messages) and any("expect" in m for m in messages)


def test_vscode_settings_map_every_file_to_its_schema():
    from fnmatch import fnmatch
    mapping = SETTINGS["yaml.schemas"]
    for schema_path in mapping:
        assert (ROOT / schema_path).is_file(), schema_path

    def schema_of(rel: str) -> str | None:
        hits = [s for s, globs in mapping.items() if any(fnmatch(rel, g) for g in globs)]
        assert len(hits) <= 1, (rel, hits)
        return hits[0] if hits else None

    for path in (ROOT / "rules").glob("*/edition.yaml"):
        assert schema_of(str(path.relative_to(ROOT))) == "./schemas/edition.schema.json"
    for path in (ROOT / "rules").glob("*/tests.yaml"):
        assert schema_of(str(path.relative_to(ROOT))) == "./schemas/tests.schema.json"
    for path in (ROOT / "datasets").glob("s*/*.yaml"):
        assert schema_of(str(path.relative_to(ROOT))) == "./schemas/assessment.schema.json"
    assert schema_of("datasets/published_results.yaml") is None  # another format


# ---- the real YAML language server --------------------------------------------------------------

BROKEN = """edition: "2026"
extends: "2024"
status: draft
title: {id: Penghargaan OVOP 2026 (draf), en: OVOP Award 2026 (draft)}
bands:
  - {stars: 3, min_score: 101, provenance: {status: assumed}}
  - {stars: 2, min_score: 70, provenance: {status: assumed}}
  - {stars: 1, min_score: 60, provenance: {status: assumed}}
score:
  method: weighted
  weigths: {A: 0.4, B: 0.3, C: 0.3}
  provenance: {status: assumed}
"""


def _broken_copy(source: Path, target: Path, old: str, new: str) -> Path:
    text = source.read_text(encoding="utf-8")
    assert old in text
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.replace(old, new, 1), encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def workspace(tmp_path_factory):
    """A checkout-shaped folder: the shipped schemas and .vscode settings, shipped files and broken copies."""
    root = tmp_path_factory.mktemp("editor")
    shutil.copytree(SCHEMAS, root / "schemas")
    shutil.copytree(ROOT / ".vscode", root / ".vscode")
    (root / "rules" / "2026").mkdir(parents=True)
    (root / "rules" / "2026" / "edition.yaml").write_text(BROKEN, encoding="utf-8")
    for rel in ("rules/2018/edition.yaml", "rules/2024/tests.yaml", "datasets/samples/2024.yaml"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / rel, root / rel)
    _broken_copy(ROOT / "rules/2024/tests.yaml", root / "rules/2015/tests.yaml", "    expect: {status: awarded, stars: 3, band_stars: 3, score: 100",
                 "    expcet: {status: awarded, stars: 3, band_stars: 3, score: 100")
    _broken_copy(ROOT / "datasets/samples/2024.yaml", root / "datasets/synthetic/2024.yaml",
                 "bahan_baku_lokal_pct: 85", "bahan_baku_lokal_pct: 185")
    return root


@pytest.fixture(scope="module")
def server(workspace):
    command = server_command()
    if command is None:
        pytest.skip("no YAML language server: `make setup` installs it into .venv/node when node and npm "
                    "are present (apt-get install nodejs npm)")
    yaml_settings = {"validate": True, "schemas": SETTINGS["yaml.schemas"]}  # what VS Code reads from .vscode/
    client = Client(command, workspace, {"yaml": yaml_settings})
    uri = workspace.as_uri()
    client.request("initialize", {"processId": None, "rootUri": uri, "capabilities": {},
                                  "workspaceFolders": [{"uri": uri, "name": "ovop"}]}, timeout=60)
    client.notify("initialized", {})
    client.notify("workspace/didChangeConfiguration", {"settings": {"yaml": yaml_settings}})
    broken = diagnostics(client, workspace / "rules" / "2026" / "edition.yaml")  # first: the schemas are loaded
    yield client, broken
    client.close()


def diagnostics(client: Client, path: Path) -> list[dict]:
    uri = path.as_uri()
    client.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                            "text": path.read_text(encoding="utf-8")}})
    found = client.wait(lambda m: m.get("method") == "textDocument/publishDiagnostics"
                        and m["params"]["uri"] == uri, timeout=60)
    return found["params"]["diagnostics"]


def lines(found: list[dict]) -> dict[int, str]:
    return {d["range"]["start"]["line"] + 1: d["message"] for d in found}


def test_language_server_reports_the_misspelt_key_and_the_value_out_of_range(server):
    _, found = server
    by_line = lines(found)
    assert "weigths" in by_line[11] and "not allowed" in by_line[11]
    assert "100" in by_line[6] and "maximum" in by_line[6].lower()
    assert len(found) == 2, found


def test_language_server_checks_tests_and_assessment_files_by_the_shipped_globs(server, workspace):
    client, _ = server
    tests = lines(diagnostics(client, workspace / "rules" / "2015" / "tests.yaml"))
    assert any("expcet" in m for m in tests.values()), tests
    sample = lines(diagnostics(client, workspace / "datasets" / "synthetic" / "2024.yaml"))
    assert list(sample) == [26] and "maximum" in sample[26].lower(), sample


def test_language_server_accepts_shipped_files(server, workspace):
    client, _ = server
    for rel in ("rules/2018/edition.yaml", "rules/2024/tests.yaml", "datasets/samples/2024.yaml"):
        assert diagnostics(client, workspace / rel) == [], rel
