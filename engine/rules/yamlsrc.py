"""Safe YAML with positions: plain data plus a map from each path to its (line, col), 1-based.

Rule files are data: tags are refused, duplicate keys are errors, nothing is executed.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar
from ruamel.yaml.constructor import DuplicateKeyError
from ruamel.yaml.error import MarkedYAMLError

from ..errors import Diagnostic, OvopError, source_line

try:  # libyaml through PyYAML: only its composer is used, for speed; no object is constructed
    import yaml as _pyyaml
    _Loader = getattr(_pyyaml, "CSafeLoader", _pyyaml.SafeLoader)
except ImportError:  # pragma: no cover
    _pyyaml = None

Path_ = tuple[Any, ...]
Locs = dict[Path_, tuple[int, int]]


class Located:
    """Data loaded from a file, with the position of every key and list item."""

    def __init__(self, file: str, data: Any, locs: Locs, texts: dict | None = None):
        self.file, self.data, self.locs = file, data, locs
        self.texts = texts  # path -> decimal as written, where the parser kept it

    def position(self, path: Path_) -> tuple[int | None, int | None]:
        """The position of the deepest part of `path` present in the file."""
        path = tuple(path)
        while path:
            if path in self.locs:
                return self.locs[path]
            path = path[:-1]
        return self.locs.get((), (1, 1))

    def diagnostic(self, path: Path_, message: str, allowed: str | None = None) -> Diagnostic:
        line, col = self.position(path)
        return Diagnostic(self.file, line, col, dotted(path), message, allowed, source_line(self.file, line))


def dotted(path: Path_) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


# The only tags a rule file may carry (implicitly): `!!python/...` also starts with tag:yaml.org,2002:
SAFE_TAGS = {f"tag:yaml.org,2002:{name}" for name in ("str", "int", "float", "bool", "null", "map", "seq")}


def _plain(node: Any, path: Path_, locs: Locs, file: str) -> Any:
    tag = getattr(getattr(node, "tag", None), "value", None)
    if isinstance(node, TaggedScalar) or (tag and str(tag) not in SAFE_TAGS):
        line, col = locs.get(path, (None, None))
        raise OvopError(Diagnostic(file, line, col, dotted(path), "YAML tags are not allowed in rule files",
                                   "plain values: text, numbers, true/false, lists and mappings",
                                   source_line(file, line)))
    if isinstance(node, CommentedMap):
        out = {}
        for key in node:
            line, col = node.lc.key(key)
            locs[path + (str(key),)] = (line + 1, col + 1)
        for key, value in node.items():
            out[str(key)] = _plain(value, path + (str(key),), locs, file)
        return out
    if isinstance(node, CommentedSeq):
        for i in range(len(node)):
            line, col = node.lc.item(i)
            locs[path + (i,)] = (line + 1, col + 1)
        return [_plain(v, path + (i,), locs, file) for i, v in enumerate(node)]
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    if isinstance(node, str):
        return str(node)
    return node


def load(path: str | Path, display: str | None = None) -> Located:
    """Load one YAML file safely; every problem becomes a Diagnostic naming file:line:col."""
    file = display or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise OvopError(Diagnostic(file, None, None, "", f"not UTF-8 text ({exc.reason})"))
    except OSError as exc:
        raise OvopError(Diagnostic(file, None, None, "", f"cannot read: {exc.strerror}"))
    return loads(text, file)


def loads(text: str, file: str) -> Located:
    """Parse with libyaml's composer (fast); anything unusual takes the careful path below."""
    fast = _fast(text, file)
    return fast if fast is not None else _careful(text, file)


def _careful(text: str, file: str) -> Located:
    yaml = YAML(typ="rt", pure=True)
    try:
        root = yaml.load(text)
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = str(exc.problem).split('"')[1] if '"' in str(exc.problem) else "?"
        first = exc.context_mark.line + 1 if exc.context_mark else None
        raise OvopError(Diagnostic(file, mark.line + 1, mark.column + 1, "",
                                   f'duplicate key "{key}" in one mapping (first at line {first})',
                                   "each key once per mapping", source_line(file, mark.line + 1)))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise OvopError(Diagnostic(file, line, col, "", f"YAML syntax error: {what}", None, source_line(file, line)))
    if root is None:
        raise OvopError(Diagnostic(file, 1, 1, "", "the file is empty", "a YAML mapping"))
    locs: Locs = {(): (1, 1)}
    data = _plain(root, (), locs, file)
    return Located(file, data, locs)


# ---- fast path: libyaml composes nodes with positions; scalars resolved by the YAML 1.2 core schema
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_SPECIAL = re.compile(r"^(?:[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)|0o[0-7]+|0x[0-9a-fA-F]+)$")


class _Unusual(Exception):
    """Something the careful path should report or interpret (duplicate key, tag, odd scalar)."""


def _fast(text: str, file: str) -> Located | None:
    if _pyyaml is None:
        return None
    try:
        root = _pyyaml.compose(text, Loader=_Loader)
        if root is None:
            return None
        locs: Locs = {(): (1, 1)}
        texts: dict = {}
        data = _node(root, (), locs, texts)
    except (_Unusual, _pyyaml.YAMLError, RecursionError):
        return None
    located = Located(file, data, locs)
    located.texts = texts
    return located


def _node(node, path: Path_, locs: Locs, texts: dict):
    if node.tag not in SAFE_TAGS:
        raise _Unusual()
    if isinstance(node, _pyyaml.MappingNode):
        out = {}
        for key, value in node.value:
            if not isinstance(key, _pyyaml.ScalarNode):
                raise _Unusual()
            name = key.value
            if name in out:
                raise _Unusual()
            locs[path + (name,)] = (key.start_mark.line + 1, key.start_mark.column + 1)
            out[name] = _node(value, path + (name,), locs, texts)
        return out
    if isinstance(node, _pyyaml.SequenceNode):
        items = []
        for i, value in enumerate(node.value):
            locs[path + (i,)] = (value.start_mark.line + 1, value.start_mark.column + 1)
            items.append(_node(value, path + (i,), locs, texts))
        return items
    return _scalar(node, path, texts)


def _scalar(node, path: Path_, texts: dict):
    value = node.value
    if node.style in ('"', "'", "|", ">"):
        return value
    if _NULL.match(value):
        return None
    if value in _BOOL:
        return _BOOL[value]
    if _INT.match(value):
        return int(value)
    if _FLOAT.match(value):
        texts[path] = value
        return float(value)
    if _SPECIAL.match(value):
        raise _Unusual()
    return value
