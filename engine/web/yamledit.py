"""Round-trip edits of a rule file: the YAML stays the source of truth and what was not touched stays
byte-identical.

`effective(file_data, parent)` reads a rule file the way the resolver does (extends, add/replace/remove,
key-by-key merges) on plain data, without validating it, so that a draft with problems can still be shown
in a form; it also says where in the effective edition each part of the file lands (`origins`).
`rewrite(text, new, parent)` writes a new effective edition back into the file's text: only the top-level
sections whose effective value changed are rewritten (as the edit against the parent where the file states
one), each through ruamel.yaml's round-trip nodes updated in place (comments, order, quoting kept), and
every other section is copied from the old text as it was.
"""
from __future__ import annotations

import hashlib
import io
import os
import re
import tempfile
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap, CommentedSeq
from ruamel.yaml.scalarstring import DoubleQuotedScalarString

from ..errors import Diagnostic, OvopError

KEYED = {"commodities": "code", "gates": "fact", "groups": "id", "criteria": "id", "caps": "id"}
MERGED = {"sources", "consequences"}
HEAD = ("edition", "extends", "status", "title")
ORDER = ["edition", "extends", "status", "title", "legal_basis", "sources", "star_scale", "commodities", "gates",
         "groups", "criteria", "score", "bands", "caps", "consequences"]
MATCH = {"commodities": "code", "gates": "fact", "groups": "id", "criteria": "id", "caps": "id", "codes": "code",
         "aspects": "id", "bands": "stars"}
TOP_KEY = re.compile(r"^([A-Za-z_][\w-]*|\"[^\"]*\"|'[^']*'):")


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _yaml() -> YAML:
    y = YAML()
    y.preserve_quotes = True
    y.width = 4096
    y.indent(mapping=2, sequence=4, offset=2)
    return y


def load(text: str, file: str = "edition.yaml") -> CommentedMap:
    try:
        doc = _yaml().load(text)
    except Exception as exc:  # ruamel's errors carry a position in their text
        raise OvopError(Diagnostic(file, message=f"not valid YAML: {exc}".splitlines()[0],
                                   allowed="fix the file in a text editor first"))
    if not isinstance(doc, CommentedMap):
        raise OvopError(Diagnostic(file, 1, 1, message="a rule file is a mapping (key: value)",
                                   allowed="edition, extends, status, title, ..."))
    return doc


def plain(node: Any) -> Any:
    if isinstance(node, dict):
        return {str(k): plain(v) for k, v in node.items()}
    if isinstance(node, list):
        return [plain(v) for v in node]
    if isinstance(node, str):
        return str(node)
    if isinstance(node, bool) or node is None:
        return node
    if isinstance(node, int):
        return int(node)
    if isinstance(node, float):
        return float(node)
    return node


# ---- reading: the effective edition of a file --------------------------------------------------

def effective(data: dict, parent: dict | None) -> tuple[dict, dict]:
    """(effective edition, origins: file path prefix -> effective path prefix) of a rule file's data."""
    out = dict(parent or {})
    origins: dict[tuple, tuple] = {}
    for key, value in data.items():
        if key in KEYED and isinstance(value, dict) and isinstance((parent or {}).get(key), list):
            out[key] = _edited(parent[key], value, KEYED[key], key, origins)
        elif key in MERGED and isinstance(value, dict):
            out[key] = {**(out.get(key) or {}), **value}
            origins.update({(key, name): (key, name) for name in value})
        else:
            out[key] = value
            origins[(key,)] = (key,)
    return out, origins


def _edited(items: list, edit: dict, idkey: str, section: str, origins: dict) -> list:
    items = [i for i in items if not (isinstance(i, dict) and i.get(idkey) in (edit.get("remove") or []))]
    ids = [i.get(idkey) if isinstance(i, dict) else None for i in items]
    for verb in ("replace", "add"):
        for n, item in enumerate(edit.get(verb) or []):
            ident = item.get(idkey) if isinstance(item, dict) else None
            if verb == "replace" and ident in ids:
                items[ids.index(ident)] = item
            else:
                items.append(item)
                ids.append(ident)
            origins[(section, verb, n)] = (section, ids.index(ident) if ident in ids else len(items) - 1)
    for n, ident in enumerate(edit.get("remove") or []):
        origins[(section, "remove", n)] = (section,)
    return items


def to_effective_path(origins: dict, path: tuple) -> tuple | None:
    """The effective path of a path in the file (longest known prefix), or None."""
    for cut in range(len(path), 0, -1):
        if path[:cut] in origins:
            return tuple(origins[path[:cut]]) + tuple(path[cut:])
    return None


# ---- writing: what the file states for a section ------------------------------------------------

def stated(section: str, new: Any, parent: dict | None, current: Any) -> Any:
    """What the file should state for `section` so that it resolves to `new` (None: state nothing)."""
    if parent is None or section in HEAD or section not in parent:
        return new
    before = parent.get(section)
    if section in KEYED and isinstance(new, list) and not isinstance(current, list):
        edit = _edit_of(before or [], new, KEYED[section])
        if _ids(_edited(before or [], edit or {}, KEYED[section], section, {}), KEYED[section]) != _ids(new, KEYED[section]):
            return new  # an order an edit cannot state (it replaces in place, adds at the end): the whole list
        return edit
    if section in MERGED and isinstance(new, dict):
        keep = set(current) if isinstance(current, dict) else set()
        picked = {k: v for k, v in new.items() if (before or {}).get(k) != v or k in keep}
        return picked or None
    return None if _norm(new) == _norm(before) and current is None else new


def _ids(items: list, idkey: str) -> list:
    return [i.get(idkey) if isinstance(i, dict) else None for i in items]


def _edit_of(before: list, after: list, idkey: str) -> dict | None:
    old = {i.get(idkey): i for i in before if isinstance(i, dict)}
    new_ids = [i.get(idkey) for i in after if isinstance(i, dict)]
    edit = {"add": [i for i in after if i.get(idkey) not in old],
            "replace": [i for i in after if i.get(idkey) in old and _norm(old[i.get(idkey)]) != _norm(i)],
            "remove": [k for k in old if k not in new_ids]}
    edit = {k: v for k, v in edit.items() if v}
    return edit or None


def rewrite(text: str, new: dict, parent: dict | None, file: str = "edition.yaml") -> str:
    """The file's text with its effective edition changed to `new`; untouched sections byte-identical."""
    doc = load(text, file)
    starts = [(str(k), doc.lc.key(k)[0]) for k in doc]
    before = plain(doc)
    current, _ = effective(before, parent)
    changed = []
    for section in ORDER:
        if section in new and _norm(new.get(section)) == _norm(current.get(section)):
            continue
        if section not in new and section not in before:
            continue
        value = stated(section, new.get(section), parent, before.get(section)) if section in new else None
        if _norm(value) == _norm(before.get(section)):
            continue
        changed.append(section)
        if value is None:
            del doc[section]
        elif section in doc:
            doc[section] = update(doc[section], value, section)
        else:
            doc.insert(_position(doc, section), section, node(value, section))
    if not changed:
        return text
    return splice(text, doc, changed, starts)


def _norm(value: Any) -> Any:
    """Plain data without what the models fill in by default (empty lists and maps, applies_to: all)."""
    value = plain(value)
    if isinstance(value, dict):
        return {k: _norm(v) for k, v in value.items()
                if v not in ([], {}, None) and not (k == "applies_to" and v == "all")}
    if isinstance(value, list):
        return [_norm(v) for v in value]
    return value


def _position(doc: CommentedMap, section: str) -> int:
    rank = ORDER.index(section)
    keys = list(doc)
    return sum(1 for k in keys if k in ORDER and ORDER.index(k) < rank) if all(k in ORDER for k in keys) else len(keys)


def update(old: Any, new: Any, name: str = "") -> Any:
    """`old` (a round-trip node) changed in place to hold `new` (plain data)."""
    if isinstance(old, CommentedMap) and isinstance(new, dict):
        for key in [k for k in old if k not in new]:
            del old[key]
        for i, (key, value) in enumerate(new.items()):
            if key in old:
                if _norm(old[key]) != _norm(value):
                    old[key] = update(old[key], value, key)
            else:
                old.insert(min(i, len(old)), key, node(value, key))
        return old
    if isinstance(old, CommentedSeq) and isinstance(new, list):
        return _update_seq(old, new, name)
    if _norm(old) == _norm(new) and type(_norm(old)) is type(new):
        return old
    return node(new, name)


def _update_seq(old: CommentedSeq, new: list, name: str) -> CommentedSeq:
    key = MATCH.get(name)
    if key and all(isinstance(x, dict) and key in x for x in list(old) + new):
        old_ids, new_ids = [x[key] for x in old], [x[key] for x in new]
        kept = [i for i in old_ids if i in new_ids]
        order = [i for i in new_ids if i in old_ids]
        if kept != order and len(set(old_ids)) == len(old_ids):
            _reorder(old, old_ids, order + [i for i in old_ids if i not in new_ids])
            old_ids = [x[key] for x in old]
            kept = order
        if kept == order:
            for i in reversed(range(len(old))):
                if old_ids[i] not in new_ids:
                    del old[i]
            for n, item in enumerate(new):
                ids = [x[key] for x in old]
                if item[key] in ids:
                    j = ids.index(item[key])
                    if _norm(old[j]) != _norm(item):
                        old[j] = update(old[j], item, name)
                else:
                    old.insert(n, node(item, name))
            return old
        return node(new, name)
    for i in range(min(len(old), len(new))):
        if _norm(old[i]) != _norm(new[i]):
            old[i] = update(old[i], new[i], name)
    while len(old) > len(new):
        del old[len(old) - 1]
    for item in new[len(old):]:
        old.append(node(item, name))
    return old


def _reorder(seq: CommentedSeq, ids: list, order: list) -> None:
    """The items of `seq` moved into `order` (of their ids), each with its own comments."""
    items = {i: (seq[n], seq.ca.items.get(n)) for n, i in enumerate(ids)}
    last = len(ids) - 1
    tail = _tail(seq.ca.items.get(last))  # the blank lines after the list stay after it
    seq.ca.items.clear()
    for n, ident in enumerate(order):
        item, comment = items[ident]
        seq[n] = item
        if comment is not None:
            seq.ca.items[n] = comment
        _set_tail(seq.ca.items.get(n), tail if n == last else "\n")


def _tail(comment) -> str:
    token = comment[0] if comment and comment[0] is not None and hasattr(comment[0], "value") else None
    return "\n" + "\n" * (len(token.value) - len(token.value.rstrip("\n")) - 1) if token else "\n"


def _set_tail(comment, tail: str) -> None:
    token = comment[0] if comment and comment[0] is not None and hasattr(comment[0], "value") else None
    if token is not None and token.value.rstrip("\n").lstrip().startswith("#"):
        token.value = token.value.rstrip("\n") + tail


QUOTED = {"when", "requires", "note", "edition", "extends"}
FLOW_ITEMS = {"levels", "bands", "codes", "requires", "pembina", "aspects"}


def node(value: Any, name: str = "", inside: bool = False) -> Any:
    """A new node in the files' house style: small mappings and lists of scalars in flow style."""
    if isinstance(value, dict):
        m = CommentedMap()
        for k, v in value.items():
            m[k] = node(v, k)
        if inside or name in ("label", "provenance"):
            m.fa.set_flow_style()
        return m
    if isinstance(value, list):
        s = CommentedSeq()
        for v in value:
            s.append(node(v, name, inside=name in FLOW_ITEMS))
        if all(not isinstance(v, (dict, list)) for v in value):
            s.fa.set_flow_style()
        return s
    if isinstance(value, str) and name in QUOTED:
        return DoubleQuotedScalarString(value)
    return value


def dump(doc: Any) -> str:
    out = io.StringIO()
    _yaml().dump(doc, out)
    return out.getvalue()


def _blocks(lines: list[str], starts: list[tuple[str, int]]) -> tuple[str, dict[str, str]]:
    """The text before the first key, and each top-level key's text up to the next key."""
    starts = sorted(starts, key=lambda s: s[1])
    head = "".join(lines[:starts[0][1]]) if starts else "".join(lines)
    out = {}
    for n, (key, line) in enumerate(starts):
        end = starts[n + 1][1] if n + 1 < len(starts) else len(lines)
        out[key] = "".join(lines[line:end])
    return head, out


def splice(text: str, doc: CommentedMap, changed: list[str], starts: list[tuple[str, int]]) -> str:
    old_lines = text.splitlines(keepends=True)
    if old_lines and not old_lines[-1].endswith("\n"):
        old_lines[-1] += "\n"
    head, old = _blocks(old_lines, starts)
    new_lines = dump(doc).splitlines(keepends=True)
    found = [(m.group(1).strip("\"'"), i) for i, line in enumerate(new_lines) if (m := TOP_KEY.match(line))]
    _, fresh = _blocks(new_lines, found)
    out, keys = [head], [str(k) for k in doc]
    for n, key in enumerate(keys):
        new_block = key in changed or key not in old
        block = fresh[key] if new_block else old[key]
        if new_block and n + 1 < len(keys) and not block.endswith("\n\n") and key not in HEAD:
            block += "\n"
        ends_in_comment = out[-1].rstrip("\n").rsplit("\n", 1)[-1].lstrip().startswith("#")  # it heads this key
        if new_block and len(out) > 1 and not out[-1].endswith("\n\n") and key not in HEAD and not ends_in_comment:
            out[-1] += "\n"
        out.append(block)
    return "".join(out)


def write_atomic(path: str | Path, text: str) -> None:
    """Write a temporary file beside `path`, fsync it, rename it over `path`, fsync the folder: a crash at
    any moment leaves either the old file or the new one, never a part."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix="." + path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)
