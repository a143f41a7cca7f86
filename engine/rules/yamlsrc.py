"""Safe YAML with positions: plain data plus a map from each path to its (line, col), 1-based.

Rule files are data: tags are refused, duplicate keys are errors, nothing is executed. One dialect: the
YAML 1.2 core schema, whatever the file says (a `%YAML` directive other than 1.2 is refused), booleans
only `true`/`false`; libyaml composes the nodes (no YAML 1.1 resolver runs) and every scalar is read here.
Bounded (engine.rules.limits): file size, nesting depth, values once aliases are expanded, digits of a
number.
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import Any


from ..errors import Diagnostic, OvopError, source_line
from . import limits
from .messages import t

try:  # libyaml through PyYAML: only its composer is used, for speed; no object is constructed
    import yaml as _pyyaml

    class _Loader(getattr(_pyyaml, "CSafeLoader", _pyyaml.SafeLoader)):  # type: ignore[misc]
        """No implicit resolver: every plain scalar composes as text and is read by `_scalar` (YAML 1.2)."""
        yaml_implicit_resolvers: dict = {}
except ImportError:  # pragma: no cover
    _pyyaml = None

Path_ = tuple[Any, ...]
Locs = dict[Path_, tuple[int, int]]


class Located:
    """Data loaded from a file, with the position of every key and list item."""

    def __init__(self, file: str, data: Any, locs: Locs, texts: dict | None = None):
        self.file, self.data, self.locs = file, data, locs
        self.texts = texts  # path -> decimal as written, where the parser kept it
        self.problems: list[Diagnostic] = []  # found while reading, the value read as meant (salvage=True only)
        self.broken: set[str] = set()  # top-level keys holding such a problem

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
    from ruamel.yaml.comments import CommentedMap, CommentedSeq, TaggedScalar  # the careful path only: 12 ms to load
    if len(path) > limits.MAX_DEPTH:
        line, col = locs.get(path, (None, None))
        raise limits.too_deep(file, line, col, dotted(path))
    tag = getattr(getattr(node, "tag", None), "value", None)
    if isinstance(node, TaggedScalar) or (tag and str(tag) not in SAFE_TAGS):
        line, col = locs.get(path, (None, None))
        raise OvopError(Diagnostic(file, line, col, dotted(path), t("yaml_tags"), t("yaml_tags_ok"),
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


def load(path: str | Path, display: str | None = None, salvage: bool = False) -> Located:
    """Load one YAML file safely; every problem becomes a Diagnostic naming file:line:col.

    salvage: a problem whose meaning is plain (a decimal comma, `0,4` in a flow mapping) is kept in
    `problems` with the value read as meant, so that a checker can go on; otherwise it is raised."""
    file = display or str(path)
    located = loads(limits.read_text(path, file), file)
    if located.problems and not salvage:
        raise OvopError(located.problems)
    return located


_DIRECTIVE = re.compile(r"^%YAML[ \t]+([^\s#]*)", re.MULTILINE)
CAREFUL_BYTES = 4 << 20  # syntax errors are worded by ruamel (pure Python) up to this size, by libyaml beyond


def loads(text: str, file: str) -> Located:
    """Parse with libyaml's composer; ruamel words the syntax errors it finds."""
    for m in _DIRECTIVE.finditer(text):
        if m.group(1) != "1.2":
            line = text.count("\n", 0, m.start()) + 1
            raise OvopError(Diagnostic(file, line, 1, "", t("yaml_version", version=m.group(1)[:20]),
                                       t("yaml_version_ok"), source_line(file, line)))
    if _pyyaml is None:  # pragma: no cover
        return _careful(text, file)
    try:
        return _fast(text, file)
    except _pyyaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
        if "nesting depth" in str(getattr(exc, "problem", "")):
            raise limits.too_deep(file, mark.line + 1 if mark else None, mark.column + 1 if mark else None) from None
        if len(text) <= CAREFUL_BYTES:
            _careful(text, file)  # raises with ruamel's words when it sees the problem too
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = " ".join(str(p) for p in (getattr(exc, "context", None), getattr(exc, "problem", None)) if p)
        raise OvopError(Diagnostic(file, line, col, "", t("yaml_syntax", what=plain_syntax(what or str(exc))), t("yaml_syntax_ok"),
                                   source_line(file, line))) from None
    except RecursionError:
        raise limits.too_deep(file) from None


_FLOW = re.compile(r"flow (mapping|sequence) expected ',' or '([}\]])', but got '([^']*)'")
_ALIAS = re.compile(r"undefined alias '([^']*)'")


def plain_syntax(what: str):
    """The parser's words for a syntax error, in the words of someone writing the file."""
    flow = _FLOW.search(what)
    if flow:
        close, got = flow.group(2), flow.group(3)
        opening = "{" if close == "}" else "["
        if got == "<stream end>":
            return t("syntax_flow_open", bracket=opening)
        if got == ":" and close == "}":
            return t("syntax_flow_colon")
        return t("syntax_flow_other", open=opening, close=close, got=f"'{got}'")
    alias = _ALIAS.search(what)
    if alias:
        return t("syntax_alias", name=alias.group(1))
    for words, key in (("mapping values are not allowed", "syntax_colon"), ("'\\t'", "syntax_tab"),
                       ("\t", "syntax_tab"), ("quoted scalar", "syntax_quote"), ("<block end>", "syntax_indent"),
                       ("could not find expected ':'", "syntax_indent"), ("did not find expected", "syntax_indent")):
        if words in what:
            return t(key)
    return t("syntax_other", what=what)


def _careful(text: str, file: str) -> Located:
    from ruamel.yaml import YAML
    from ruamel.yaml.constructor import DuplicateKeyError
    from ruamel.yaml.error import MarkedYAMLError
    yaml = YAML(typ="rt", pure=True)
    try:
        root = yaml.load(text)
    except RecursionError:
        raise limits.too_deep(file) from None
    except DuplicateKeyError as exc:
        mark = exc.problem_mark
        key = str(exc.problem).split('"')[1] if '"' in str(exc.problem) else "?"
        first = exc.context_mark.line + 1 if exc.context_mark else None
        raise OvopError(Diagnostic(file, mark.line + 1, mark.column + 1, "", t("duplicate_key", key=key, first=first),
                                   t("duplicate_key_ok"), source_line(file, mark.line + 1)))
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (None, None)
        what = " ".join(str(p) for p in (exc.context, exc.problem) if p)
        raise OvopError(Diagnostic(file, line, col, "", t("yaml_syntax", what=plain_syntax(what)), t("yaml_syntax_ok"),
                                   source_line(file, line)))
    if root is None:
        raise OvopError(Diagnostic(file, 1, 1, "", t("yaml_empty"), t("yaml_mapping")))
    locs: Locs = {(): (1, 1)}
    try:
        data = _plain(root, (), locs, file)
    except RecursionError:
        raise limits.too_deep(file) from None
    return Located(file, data, locs)


# ---- the reader: libyaml composes nodes with positions; scalars resolved by the YAML 1.2 core schema
_NULL = re.compile(r"^(?:~|null|Null|NULL|)$")
_BOOL = {"true": True, "false": False}
_INT = re.compile(r"^[-+]?[0-9]+$")
_FLOAT = re.compile(r"^[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)(?:[eE][-+]?[0-9]+)?$")
_OCT, _HEX = re.compile(r"^0o[0-7]+$"), re.compile(r"^0x[0-9a-fA-F]+$")
_INF, _NAN = re.compile(r"^[-+]?\.(?:inf|Inf|INF)$"), re.compile(r"^\.(?:nan|NaN|NAN)$")
MAP_TAG, SEQ_TAG, STR_TAG = (f"tag:yaml.org,2002:{n}" for n in ("map", "seq", "str"))
TAGS_ALLOWED = t("yaml_tags_ok")
TAGS_REFUSED = t("yaml_tags")


def _fast(text: str, file: str) -> Located:
    root = _pyyaml.compose(text, Loader=_Loader)
    if root is None:
        raise OvopError(Diagnostic(file, 1, 1, "", t("yaml_empty"), t("yaml_mapping")))
    _sizes(root, file)
    reader = _Reader(file, text)
    data = reader.node(root, ())
    located = Located(file, data, reader.locs)
    located.texts = reader.texts
    located.problems = reader.problems
    return located


def _sizes(root, file: str) -> None:
    """Refuse nesting past MAX_DEPTH and more values than allowed once aliases are expanded, counting
    each distinct node once (an alias bomb of a few hundred bytes is refused at once)."""
    memo: dict[int, int] = {}

    def size(node, depth: int) -> int:
        if depth > limits.MAX_DEPTH:
            raise limits.too_deep(file, node.start_mark.line + 1, node.start_mark.column + 1)
        known = memo.get(id(node))
        if known is not None:
            return known
        n = 1
        if isinstance(node, _pyyaml.MappingNode):
            n += sum(size(k, depth + 1) + size(v, depth + 1) for k, v in node.value)
        elif isinstance(node, _pyyaml.SequenceNode):
            n += sum(size(v, depth + 1) for v in node.value)
        memo[id(node)] = n
        return n

    total = size(root, 0)
    allowed = max(len(memo), min(limits.MAX_NODES, max(100_000, 10 * len(memo))))  # aliases bound, not size
    if total > allowed:
        raise limits.too_many_nodes(file, allowed)


class _Reader:
    def __init__(self, file: str, text: str | None = None):
        self.file, self.text, self.locs, self.texts = file, text, {(): (1, 1)}, {}
        self.problems: list[Diagnostic] = []

    def refuse(self, node, path: Path_, message: str, allowed: str) -> OvopError:
        line, col = self.locs.get(path) or (node.start_mark.line + 1, node.start_mark.column + 1)
        return OvopError(Diagnostic(self.file, line, col, dotted(path), message, allowed, source_line(self.file, line)))

    def node(self, node, path: Path_):
        if isinstance(node, _pyyaml.MappingNode):
            if node.tag != MAP_TAG:
                raise self.refuse(node, path, TAGS_REFUSED, TAGS_ALLOWED)
            return self.mapping(node, path)
        if isinstance(node, _pyyaml.SequenceNode):
            if node.tag != SEQ_TAG:
                raise self.refuse(node, path, TAGS_REFUSED, TAGS_ALLOWED)
            items = []
            for i, value in enumerate(node.value):
                self.locs[path + (i,)] = (value.start_mark.line + 1, value.start_mark.column + 1)
                items.append(self.node(value, path + (i,)))
            return items
        if node.tag != STR_TAG:
            raise self.refuse(node, path, TAGS_REFUSED, TAGS_ALLOWED)
        return self.scalar(node, path)

    def mapping(self, node, path: Path_) -> dict:
        out, first, before = {}, {}, None
        for key, value in node.value:
            if not isinstance(key, _pyyaml.ScalarNode) or key.tag != STR_TAG:
                raise self.refuse(key, path, t("yaml_key_text"), t("yaml_key_text_ok"))
            if before is not None and self._decimal_comma(before, key, value, path, out):
                continue
            name, line = key.value, key.start_mark.line + 1
            before = (name, value)
            if name in out:
                if self.text is not None and len(self.text) <= CAREFUL_BYTES:
                    _careful(self.text, self.file)  # ruamel's words, as before
                raise OvopError(Diagnostic(self.file, line, key.start_mark.column + 1, "",
                                           t("duplicate_key", key=name, first=first[name]), t("duplicate_key_ok"),
                                           source_line(self.file, line)))
            first[name] = line
            self.locs[path + (name,)] = (line, key.start_mark.column + 1)
            out[name] = self.node(value, path + (name,))
        return out

    def _decimal_comma(self, before, key, value, path: Path_, out: dict) -> bool:
        """`{A: 0,4, B: 0,6}`: a flow mapping reads `0,4` as `A: 0` and a key `4` with no value. Seen as the
        decimal comma it is: reported, and read as the number meant (0.4) so that checking goes on."""
        name, number = before
        plain = lambda n: isinstance(n, _pyyaml.ScalarNode) and not n.style  # noqa: E731
        if not (plain(key) and plain(number) and plain(value) and key.value.isdigit() and value.value == ""
                and _INT.match(number.value) and number.end_mark.index + 1 == key.start_mark.index
                and self.text is not None and self.text[number.end_mark.index] == ","):
            return False
        written, meant = f"{number.value},{key.value}", f"{number.value}.{key.value}"
        where = path + (name,)
        line, col = self.locs[where]
        self.problems.append(Diagnostic(self.file, number.start_mark.line + 1, number.start_mark.column + 1,
                                        dotted(where), t("decimal_comma", written=written, number=meant),
                                        t("decimal_point_ok", number=meant), source_line(self.file, line)))
        out[name], self.texts[where] = float(meant), meant
        return True

    def scalar(self, node, path: Path_):
        value = node.value
        if node.style in ('"', "'", "|", ">"):
            return value
        if _NULL.match(value):
            return None
        if value in _BOOL:
            return _BOOL[value]
        numeric = _INT.match(value) or _FLOAT.match(value) or _OCT.match(value) or _HEX.match(value)
        if numeric and limits.number_problem(value):
            line, col = self.locs.get(path) or (node.start_mark.line + 1, node.start_mark.column + 1)
            raise limits.number_error(value, self.file, line, col, dotted(path), source_line(self.file, line))
        if _INT.match(value):
            return int(value)
        if _FLOAT.match(value):
            self.texts[path] = value
            return float(value)
        if _OCT.match(value):
            return int(value[2:], 8)
        if _HEX.match(value):
            return int(value[2:], 16)
        if _INF.match(value) or _NAN.match(value):
            self.texts[path] = value
        if _INF.match(value):
            return float("-inf") if value.startswith("-") else float("inf")
        if _NAN.match(value):
            return float("nan")
        return value
