"""Read an assessment file (JSON or YAML) into plain data, positions and the exact text of every decimal.

Numbers stay exact: a decimal such as 0.1 is kept as the text it was written in, so that
`Fraction(text)` is the value the assessor wrote, not the nearest binary float. NaN and infinities
are read (so that the field holding them can be named) and refused later by the value checks.
"""
from __future__ import annotations

import json
import re
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import MAX_ERRORS, Diagnostic, OvopError, source_line, stopped
from ..rules import limits, yamlsrc
from .sheets import read_table
from .source import Source

FLOAT_TAG = "tag:yaml.org,2002:float"
JSON_SUFFIXES = (".json",)


def read(path: Path, display: str | None = None) -> Source:
    """Read one assessment file; syntax problems raise OvopError naming file:line:col."""
    file = display or str(path)
    if Path(path).suffix.lower() in (".xlsx", ".csv"):  # rows and columns: engine/inputs/sheets.py
        return read_table(Path(path), file)
    text = limits.read_text(path, file)  # a regular file, bounded in size; a BOM dropped
    if Path(path).suffix.lower() in JSON_SUFFIXES:
        return _read_json(text, file)
    if Path(path).suffix.lower() == ".jsonl":
        return _read_jsonl(text, file)
    return _read_yaml(text, file)


def _read_jsonl(text: str, file: str) -> Source:
    """JSON Lines: one assessment per line (blank lines skipped), read as the list of them.

    Positions are those of the whole file; the population path (engine.inputs.population) reads the same
    format much faster and reports problems the same way."""
    data, locs, texts, errors = [], {}, {}, []
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip():
            continue
        try:
            one = _read_json(line, file)
        except OvopError as exc:
            errors += [replace(d, line=number, context=line.rstrip()) for d in exc.diagnostics]
            if len(errors) >= MAX_ERRORS:
                raise OvopError(errors[:MAX_ERRORS] + [stopped(file)]) from None
            continue
        i = len(data)
        data.append(one.located.data)
        locs.update({(i,) + p: (number, c) for p, (_, c) in one.located.locs.items()})
        texts.update({(i,) + p: t for p, t in one.texts.items()})
    if errors:
        raise OvopError(errors)
    return Source(yamlsrc.Located(file, data, locs), texts)


def _read_yaml(text: str, file: str) -> Source:
    try:
        located = yamlsrc.loads(text, file)
    except OvopError as exc:
        raise OvopError([_yaml_named(text, replace(d, message=d.message.replace("in rule files", "in assessment files")))
                         for d in exc.diagnostics]) from None
    if located.texts is not None:  # the fast parser kept each decimal as written
        return Source(located, located.texts)
    from ruamel.yaml import YAML  # only where the fast parser kept no decimal's text
    from ruamel.yaml.error import YAMLError
    texts: dict[tuple, str] = {}
    try:
        root = YAML(typ="rt", pure=True).compose(text)
    except YAMLError:  # pragma: no cover - yamlsrc.loads has already refused it
        root = None
    _float_texts(root, (), texts)
    return Source(located, texts)


def _float_texts(node: Any, path: tuple, texts: dict[tuple, str]) -> None:
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode
    if isinstance(node, MappingNode):
        for key, value in node.value:
            _float_texts(value, path + (str(key.value),), texts)
    elif isinstance(node, SequenceNode):
        for i, value in enumerate(node.value):
            _float_texts(value, path + (i,), texts)
    elif isinstance(node, ScalarNode) and getattr(node.tag, "value", node.tag) == FLOAT_TAG:
        texts[path] = str(node.value)


class _DuplicateKey(Exception):
    def __init__(self, key: str):
        super().__init__(key)
        self.key = key


def _pairs(pairs: list[tuple[str, Any]]) -> dict:
    out: dict = {}
    for key, value in pairs:
        if key in out:
            raise _DuplicateKey(key)
        out[key] = value
    return out


class _Written(str):
    """A JSON decimal as written; becomes a float in the data, its text kept aside."""


class _TooLong(Exception):
    def __init__(self, text: str):
        super().__init__(text)
        self.text = text


def _written(text: str) -> "_Written":
    if limits.number_problem(text):
        raise _TooLong(text)
    return _Written(text)


def _int(text: str) -> int:
    if len(text) > limits.MAX_DIGITS + 1 and limits.number_problem(text):
        raise _TooLong(text)
    return int(text)


def _constant(name: str) -> float:
    return float({"NaN": "nan", "Infinity": "inf", "-Infinity": "-inf"}[name])


def _read_json(text: str, file: str) -> Source:
    return json_source(text, file, positions=True)


def json_source(text: str, file: str, positions: bool) -> Source:
    """JSON text as a Source: decimals kept as written; key positions only when asked (they cost a parse)."""
    if text.startswith("\ufeff"):  # a BOM, accepted as in YAML
        text = text[1:]
    try:
        data = json.loads(text, parse_float=_written, parse_int=_int, parse_constant=_constant,
                          object_pairs_hook=_pairs)
    except json.JSONDecodeError as exc:
        raise OvopError(Diagnostic(file, exc.lineno, exc.colno, "", f"JSON syntax error: {exc.msg}", None,
                                   source_line(file, exc.lineno))) from None
    except _DuplicateKey as exc:
        raise OvopError(Diagnostic(file, message=f'duplicate key "{exc.key}" in one object',
                                   allowed="each key once per object")) from None
    except _TooLong:
        raise _number_errors(text, file) from None
    except RecursionError:
        raise limits.too_deep(file) from None
    texts: dict[tuple, str] = {}
    data = _decimals(data, (), texts, file)
    locs = _json_positions(text, file) if positions else {(): (1, 1)}
    return Source(yamlsrc.Located(file, data, locs), texts)


def _decimals(node: Any, path: tuple, texts: dict[tuple, str], file: str = "") -> Any:
    """Written decimals -> floats in the data, keeping the written text of each; depth bounded."""
    if len(path) > limits.MAX_DEPTH:
        raise limits.too_deep(file, path=yamlsrc.dotted(path))
    if isinstance(node, dict):
        return {k: _decimals(v, path + (k,), texts, file) for k, v in node.items()}
    if isinstance(node, list):
        return [_decimals(v, path + (i,), texts, file) for i, v in enumerate(node)]
    if isinstance(node, _Written):
        texts[path] = str(node)
        return float(node)
    return node


def _json_positions(text: str, file: str) -> dict[tuple, tuple[int, int]]:
    """Line and column of each key: JSON is YAML, so the YAML reader finds them when it can."""
    try:
        return yamlsrc.loads(text, file).locs
    except OvopError:
        return {(): (1, 1)}


# ---- numbers past the limits, named by file:line:col, the assessment's id and the field
class _Refused(str):
    """A number past the limits (engine.rules.limits), kept as written so that its field can be named."""


def _lenient_float(text: str) -> str:
    return _Refused(text) if limits.number_problem(text) else _Written(text)


def _lenient_int(text: str) -> Any:
    return _Refused(text) if len(text) > limits.MAX_DIGITS + 1 and limits.number_problem(text) else 0


def _number_errors(text: str, file: str) -> OvopError:
    """Every number of a JSON text past the limits (at most MAX_ERRORS), each at its line and column with the
    assessment (its id) and the field holding it, as the value checks name a field."""
    try:
        data = json.loads(text, parse_float=_lenient_float, parse_int=_lenient_int, parse_constant=_constant)
    except RecursionError:
        return limits.too_deep(file)
    found: list[tuple[tuple, str]] = []
    _refused(data, (), found, file)
    errors, at = [], 0
    for path, written in found[:MAX_ERRORS]:
        at = max(text.find(written, at), 0)
        line = text.count("\n", 0, at) + 1
        col = at - text.rfind("\n", 0, at)
        errors += limits.number_error(written, file, line, col, _label(data, path), source_line(file, line)).diagnostics
        at += len(written)
    return limits.LimitError(errors + ([stopped(file)] if len(found) > MAX_ERRORS else []))


def _refused(node: Any, path: tuple, found: list, file: str) -> None:
    if len(path) > limits.MAX_DEPTH:
        raise limits.too_deep(file, path=yamlsrc.dotted(path))
    if isinstance(node, dict):
        for key, value in node.items():
            _refused(value, path + (key,), found, file)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            _refused(value, path + (i,), found, file)
    elif isinstance(node, _Refused):
        found.append((path, str(node)))


def _label(data: Any, path: tuple) -> str:
    """"ID: section.field" as the value checks write it (engine.inputs.assessment.Check.where)."""
    if not path:  # the whole text is the number
        return ""
    listed = isinstance(data, list)
    raw, rest = (data[path[0]], path[1:]) if listed else (data, path)
    ident = raw.get("id") if isinstance(raw, dict) else None
    item = f"item {path[0] + 1}" if listed else ""
    return _joined(ident if isinstance(ident, str) and not isinstance(ident, _Refused) else None, item,
                   yamlsrc.dotted(rest))


def _joined(ident: str | None, item: str, field: str) -> str:
    if ident and ident.strip():
        label = ident
    else:
        label = f"{item} (no id)" if item else "(no id)"
    return f"{label}: {field}" if field else label


_INDEX = re.compile(r"\[(\d+)\](?:\.|(?=\[)|$)")


def _yaml_named(text: str, d: Diagnostic) -> Diagnostic:
    """A YAML number past the limits, its path ([0].evidence.x) named as the value checks name it
    (ID: evidence.x); the id read from the composed file (no value is converted)."""
    if d.allowed != limits.NUMBER_ALLOWED or not d.path:
        return d
    try:
        import yaml
        root = yaml.compose(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except Exception:  # pragma: no cover - yamlsrc.loads composed it already
        return d
    m = _INDEX.match(d.path)
    index, field = (int(m.group(1)), d.path[m.end():]) if m else (None, d.path)
    node = root
    if index is not None:
        node = root.value[index] if isinstance(root, yaml.SequenceNode) and index < len(root.value) else None
    ident = None
    if isinstance(node, yaml.MappingNode):
        ident = next((v.value for k, v in node.value if isinstance(k, yaml.ScalarNode) and k.value == "id"
                      and isinstance(v, yaml.ScalarNode)), None)
    return replace(d, path=_joined(ident, f"item {index + 1}" if index is not None else "", field))
