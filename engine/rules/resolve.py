"""Rule files -> resolved editions: validate each file, follow `extends`, merge, hash.

`load_rules(dir)` returns a RuleSet: every edition resolved, with the file position of every item,
or raises OvopError with every diagnostic found.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Diagnostic, OvopError, did_you_mean
from . import yamlsrc
from .frozen import LOCK_FILE, enforce
from .model import Edition, EditionFile, ListEdit

KEYED = {"commodities": "code", "gates": "fact", "groups": "id", "criteria": "id", "caps": "id"}
MERGED = {"sources", "consequences"}
NOT_CONTENT = {"status", "extends"}
EDITION_FILE = "edition.yaml"
TESTS_FILE = "tests.yaml"


@dataclass
class Resolved:
    """A resolved edition, the files it came from, and where each of its items is written."""
    model: Edition
    files: list[str]
    origins: dict[tuple, tuple[yamlsrc.Located, tuple]] = field(default_factory=dict)
    hash: str = ""

    @property
    def id(self) -> str:
        return self.model.edition

    def diagnostic(self, key: tuple, sub: tuple, message: str, allowed: str | None = None) -> Diagnostic:
        """A diagnostic at the file position of item `key` (e.g. ("criteria", "A1")) plus `sub`."""
        located, path = self.origins.get(key) or self.origins[("edition",)]
        return located.diagnostic(path + tuple(sub), f"edition {self.id}: {message}", allowed)


@dataclass
class RuleSet:
    directory: Path
    editions: dict[str, Resolved]

    def get(self, edition: str) -> Resolved:
        if edition not in self.editions:
            raise OvopError(Diagnostic(str(self.directory), message=f'unknown edition "{edition}"'
                                       + did_you_mean(edition, self.editions), allowed=", ".join(self.editions)))
        return self.editions[edition]


def pydantic_diagnostics(located: yamlsrc.Located, exc: ValidationError, model: type) -> list[Diagnostic]:
    """Translate pydantic errors into file:line:col diagnostics with what is allowed."""
    out: dict[tuple, Diagnostic] = {}
    for err in exc.errors():
        path = _data_path(located.data, err["loc"])
        key = path if err["type"] != "missing" else path + ("<missing>",)
        if key in out and err["type"] not in ("extra_forbidden", "missing"):
            continue  # one message per place: unions report each branch
        out[key] = located.diagnostic(path, *_explain(err, path, model))
    return sorted(out.values(), key=lambda d: (d.line or 0, d.col or 0))


def _data_path(data: Any, loc: tuple) -> tuple:
    """The part of a pydantic location that exists in the data (drops union tags like 'list')."""
    path, node = (), data
    for part in loc:
        if isinstance(node, dict) and part in node:
            path, node = path + (part,), node[part]
        elif isinstance(node, list) and isinstance(part, int) and part < len(node):
            path, node = path + (part,), node[part]
        elif isinstance(node, dict) and isinstance(part, str) and part not in ("list", "edit", "bool", "str", "int", "float") \
                and not part.startswith(("ListEdit", "function", "literal", "constrained")):
            path = path + (part,)
            break
    return path


def _explain(err: dict, path: tuple, model: type) -> tuple[str, str | None]:
    kind, ctx = err["type"], err.get("ctx") or {}
    field_name = path[-1] if path else ""
    if kind == "extra_forbidden":
        allowed = _fields_at(model, path[:-1])
        return f'unknown key "{field_name}"{did_you_mean(str(field_name), allowed)}', ", ".join(sorted(allowed)) or None
    if kind == "missing":
        return f'missing required key "{err["loc"][-1]}"', None
    if kind == "literal_error":
        return f'"{err.get("input")}" is not allowed', ctx.get("expected")
    if kind == "string_pattern_mismatch":
        return f'"{err.get("input")}" has the wrong form', _pattern_help(str(field_name))
    if kind.endswith("_type") or kind in ("union_tag_invalid", "model_type", "list_type", "dict_type"):
        return f"wrong type: {type(err.get('input')).__name__} {json.dumps(err.get('input'), default=str)[:60]}", \
            err["msg"].replace("Input should be ", "")
    return err["msg"].replace("Value error, ", ""), None


def _pattern_help(field_name: str) -> str:
    if field_name in ("when", "requires"):
        return 'a condition on x: "x < 80", "x <= 1", "80 <= x < 100", "x = 100", "x >= 5"'
    if field_name in ("edition", "extends"):
        return 'an edition id: four digits, optionally followed by lower-case letters/digits ("2024", "2026draft")'
    return "lower-case letters, digits and _ (codes); see the schema"


def _fields_at(model: type, path: tuple) -> set[str]:
    """The keys allowed at `path` inside `model` (for did-you-mean)."""
    from pydantic import BaseModel
    current: Any = model
    for n, part in enumerate(path):
        if isinstance(part, int):
            continue
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(part) or next(
                (f for f in current.model_fields.values() if f.alias == part), None)
            if info is None:
                return set()
            listed = n + 1 < len(path) and isinstance(path[n + 1], int)
            current = _model_in(info.annotation, listed)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return {f.alias or n for n, f in current.model_fields.items()}
    return set()


def _model_in(annotation: Any, listed: bool):
    """The model inside a field's type; `listed`: the one inside its list (not a ListEdit beside it)."""
    from typing import get_args, get_origin

    from pydantic import BaseModel
    stack = [annotation]
    while stack:
        a = stack.pop(0)
        if listed and get_origin(a) is list:
            stack, listed = list(get_args(a)), False
            continue
        if not listed and isinstance(a, type) and issubclass(a, BaseModel):
            return a
        stack.extend(get_args(a))
    return None


def read_file(path: Path, display: str) -> tuple[EditionFile, yamlsrc.Located]:
    located = yamlsrc.load(path, display)
    if not isinstance(located.data, dict):
        raise OvopError(located.diagnostic((), "a rule file is a mapping (key: value)", "edition, extends, status, title, ..."))
    try:
        return EditionFile.model_validate(located.data), located
    except ValidationError as exc:
        raise OvopError(pydantic_diagnostics(located, exc, EditionFile))


def _merge(parent: dict, child: EditionFile, located: yamlsrc.Located, origins: dict) -> tuple[dict, list[Diagnostic]]:
    merged, errors = dict(parent), []
    for key in child.model_fields_set - {"edition", "extends"}:
        value = getattr(child, key)
        if key in KEYED and isinstance(value, ListEdit):
            items, errs = _edit(parent.get(key) or [], value, KEYED[key], key, located, origins)
            merged[key], errors = items, errors + errs
            continue
        dumped = child.model_dump(by_alias=True, exclude_unset=True)[key]
        if key in MERGED and isinstance(dumped, dict):
            merged[key] = {**(parent.get(key) or {}), **dumped}
        else:
            merged[key] = dumped
        _record(origins, key, dumped, located, (key,))
    return merged, errors


def _edit(items: list[dict], edit: ListEdit, idkey: str, section: str, located, origins) -> tuple[list[dict], list]:
    items, errors = [dict(i) for i in items], []
    ids = [i[idkey] for i in items]
    for n, new in enumerate(edit.remove):
        if new not in ids:
            errors.append(located.diagnostic((section, "remove", n), f'cannot remove "{new}": the parent has no such item'
                                             + did_you_mean(new, ids), ", ".join(ids)))
    items = [i for i in items if i[idkey] not in edit.remove]
    ids = [i[idkey] for i in items]
    for verb in ("replace", "add"):
        for n, item in enumerate(getattr(edit, verb)):
            data = item.model_dump(by_alias=True, exclude_unset=True)
            ident, where = data[idkey], (section, verb, n)
            if verb == "replace" and ident not in ids:
                errors.append(located.diagnostic(where, f'cannot replace "{ident}": the parent has no such item'
                                                 + did_you_mean(ident, ids), ", ".join(ids)))
            elif verb == "add" and ident in ids:
                errors.append(located.diagnostic(where, f'cannot add "{ident}": the parent has it already (use replace)'))
            elif verb == "replace":
                items[ids.index(ident)] = data
            else:
                items.append(data)
                ids.append(ident)
            origins[(section, ident)] = (located, where)
    return items, errors


def _record(origins: dict, key: str, dumped: Any, located, path: tuple) -> None:
    origins[(key,)] = (located, path)
    if key in KEYED and isinstance(dumped, list):
        for n, item in enumerate(dumped):
            origins[(key, item[KEYED[key]])] = (located, path + (n,))
    if key in MERGED and isinstance(dumped, dict):
        for name in dumped:
            origins[(key, name)] = (located, path + (name,))


def content_hash(model: Edition) -> str:
    """sha256 of the resolved content: independent of file layout, key order and keyed-list order."""
    data = model.model_dump(mode="json", by_alias=True, exclude=NOT_CONTENT)
    for key, idkey in KEYED.items():
        data[key] = sorted(data[key], key=lambda i: i[idkey])
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return "sha256:" + hashlib.sha256(text.encode("utf-8")).hexdigest()


def discover(directory: Path) -> dict[str, Path]:
    """Edition id (its folder name) -> rule file."""
    if not directory.is_dir():
        raise OvopError(Diagnostic(str(directory), message="no such rules folder",
                                   allowed="a folder with <edition>/edition.yaml: --rules FOLDER, or OVOP_RULES_DIR, "
                                           "or run inside a checkout (a folder above holds rules/editions.lock)"))
    return {p.parent.name: p for p in sorted(directory.glob(f"*/{EDITION_FILE}"))}


def load_rules(directory: str | Path = "rules", display_root: str | None = None, *, frozen: bool = True) -> RuleSet:
    """Load, validate and resolve every edition under `directory`; all problems at once.

    frozen=True (every command that decides): a published edition whose content is not the one
    rules/editions.lock froze, or that the lock lacks, is refused (engine.rules.lock.enforce).
    frozen=False only for `rules check` and `rules freeze`, which report and record the lock themselves."""
    directory = Path(directory)
    files = discover(directory)
    raw, errors = {}, []
    for folder, path in files.items():
        display = str(Path(display_root) / path.relative_to(directory)) if display_root else str(path)
        try:
            model, located = read_file(path, display)
        except OvopError as exc:
            errors += exc.diagnostics
            continue
        if model.edition != folder:
            errors.append(located.diagnostic(("edition",), f'edition "{model.edition}" is in folder "{folder}"',
                                             f'the folder name: "{folder}"'))
            continue
        raw[folder] = (model, located)
    resolved: dict[str, Resolved] = {}
    for edition in raw:
        _resolve(edition, raw, resolved, errors, chain=())
    if errors:
        raise OvopError(_unique(errors))
    ordered = {e: resolved[e] for e in sorted(resolved)}
    rules = RuleSet(directory, ordered)
    if frozen:
        enforce(rules)
    return rules


def _unique(errors: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in errors:
        if (d.file, d.line, d.col, d.message) not in seen:
            seen.add((d.file, d.line, d.col, d.message))
            out.append(d)
    return out


def _resolve(edition: str, raw: dict, resolved: dict, errors: list, chain: tuple) -> Resolved | None:
    if edition in resolved:
        return resolved[edition]
    model, located = raw[edition]
    if edition in chain:
        cycle = " -> ".join(chain[chain.index(edition):] + (edition,))
        errors.append(located.diagnostic(("extends",), f"extends forms a cycle: {cycle}", "an edition that does not extend this one"))
        return None
    parent_data, files, origins = {}, [], {}
    if model.extends:
        if model.extends not in raw:
            others = sorted(e for e in raw if e != edition)
            errors.append(located.diagnostic(("extends",), f'extends "{model.extends}", which does not exist'
                                             + did_you_mean(model.extends, others), ", ".join(others)))
            return None
        parent = _resolve(model.extends, raw, resolved, errors, chain + (edition,))
        if parent is None:
            return None
        parent_data = parent.model.model_dump(by_alias=True)
        files, origins = list(parent.files), dict(parent.origins)
    origins[("edition",)] = (located, ())
    merged, errs = _merge(parent_data, model, located, origins)
    merged.update(edition=model.edition, extends=model.extends, status=model.status, title=model.title.model_dump())
    if errs:
        errors += errs
        return None
    try:
        full = Edition.model_validate(merged)
    except ValidationError as exc:
        for err in exc.errors():
            where = err["loc"][0] if err["loc"] else ""
            if err["type"] == "missing":
                errors.append(located.diagnostic((), f'edition {edition} states no "{where}" and extends nothing that does',
                                                 f'a "{where}" section, or `extends:` an edition that has one'))
            else:
                errors.append(located.diagnostic((), f"edition {edition}: {where}: {err['msg']}"))
        return None
    res = Resolved(full, files + [located.file], origins)
    res.hash = content_hash(full)
    resolved[edition] = res
    return res
