"""Rule files -> resolved editions: validate each file, follow `extends`, merge, hash.

`load_rules(dir)` returns a RuleSet: every edition resolved, with the file position of every item,
or raises OvopError with every diagnostic found.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..errors import Diagnostic, OvopError, did_you_mean
from . import yamlsrc
from .messages import t
from .frozen import LOCK_FILE, enforce
from .model import Edition, EditionFile, ListEdit
from .schema_errors import explain, pydantic_diagnostics

KEYED = {"commodities": "code", "gates": "fact", "groups": "id", "criteria": "id", "caps": "id"}
MERGED = {"sources", "consequences"}
NOT_CONTENT = {"status", "extends"}
EDITION_FILE = "edition.yaml"
TESTS_FILE = "tests.yaml"
IDENTITY = {"edition", "extends", "status", "title"}  # without these a file cannot be placed: nothing else is checked
NO_VALUE = object()


@dataclass
class Resolved:
    """A resolved edition, the files it came from, and where each of its items is written."""
    model: Edition
    files: list[str]
    origins: dict[tuple, tuple[yamlsrc.Located, tuple]] = field(default_factory=dict)
    hash: str = ""
    broken: set[str] = field(default_factory=set)  # sections not read whole (schema errors), here or inherited
    parent: "Resolved | None" = None

    @property
    def id(self) -> str:
        return self.model.edition

    @property
    def own_file(self) -> str:
        return self.origins[("edition",)][0].file

    def diagnostic(self, key: tuple, sub: tuple, message: str, allowed: str | None = None,
                   correct: Any = NO_VALUE, fix: str | None = None) -> Diagnostic:
        """A diagnostic at the file position of item `key` (e.g. ("criteria", "A1")) plus `sub`.

        `correct`: the value the field should have, where known (for a ready fix); `fix`: a ready fix."""
        located, path = self.origins.get(key) or self.origins[("edition",)]
        d = located.diagnostic(path + tuple(sub), t("in_edition", edition=self.id, message=message), allowed)
        return replace(d, fix=fix, origin=(self.id, key, tuple(sub), correct, message))


@dataclass
class RuleSet:
    directory: Path
    editions: dict[str, Resolved]

    def get(self, edition: str) -> Resolved:
        if edition not in self.editions:
            raise OvopError(Diagnostic(str(self.directory), message=t("unknown_edition", edition=edition,
                                                                      hint=did_you_mean(edition, self.editions)),
                                       allowed=", ".join(self.editions)))
        return self.editions[edition]


def read_file(path: Path, display: str) -> tuple[EditionFile, yamlsrc.Located]:
    """One rule file, validated; OvopError on any problem."""
    model, located, errors, _ = read_partial(path, display)
    if errors:
        raise OvopError(errors)
    return model, located


def read_partial(path: Path, display: str) -> tuple[EditionFile | None, yamlsrc.Located | None, list, set[str]]:
    """(model, located, diagnostics, broken sections): a section with schema errors is left out of the model,
    so that the other sections can still be resolved and checked. No model when the file cannot be read
    or its identity (edition, extends, status, title) is broken."""
    try:
        located = yamlsrc.load(path, display, salvage=True)
    except OvopError as exc:
        return None, None, exc.diagnostics, set()
    errors = list(located.problems)
    if not isinstance(located.data, dict):
        return None, located, errors + [located.diagnostic((), t("rule_file_mapping"), t("rule_file_keys"))], set()
    data, broken = located.data, set(located.broken)
    for _ in range(3):
        try:
            model = EditionFile.model_validate({k: v for k, v in data.items() if k not in broken})
            return model, located, _unique(errors), broken
        except ValidationError as exc:
            errors += pydantic_diagnostics(located, exc, EditionFile)
            found = {err["loc"][0] if err["loc"] else "" for err in exc.errors()}
            if found & IDENTITY or "" in found or found <= broken:
                return None, located, _unique(errors), broken
            broken |= found
    return None, located, _unique(errors), broken


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
            errors.append(located.diagnostic((section, "remove", n), t("cannot_remove", ident=new,
                                                                                hint=did_you_mean(new, ids)), ", ".join(ids)))
    items = [i for i in items if i[idkey] not in edit.remove]
    ids = [i[idkey] for i in items]
    for verb in ("replace", "add"):
        for n, item in enumerate(getattr(edit, verb)):
            data = item.model_dump(by_alias=True, exclude_unset=True)
            ident, where = data[idkey], (section, verb, n)
            if verb == "replace" and ident not in ids:
                errors.append(located.diagnostic(where, t("cannot_replace", ident=ident, hint=did_you_mean(ident, ids)),
                                                 ", ".join(ids)))
            elif verb == "add" and ident in ids:
                errors.append(located.diagnostic(where, t("cannot_add", ident=ident), t("cannot_add_ok")))
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
        raise OvopError(Diagnostic(str(directory), message=t("no_rules_folder"), allowed=t("no_rules_folder_ok")))
    return {p.parent.name: p for p in sorted(directory.glob(f"*/{EDITION_FILE}"))}


def load_rules(directory: str | Path = "rules", display_root: str | None = None, *, frozen: bool = True) -> RuleSet:
    """Load, validate and resolve every edition under `directory`; all problems at once.

    frozen=True (every command that decides): a published edition whose content is not the one
    rules/editions.lock froze, or that the lock lacks, is refused (engine.rules.frozen.enforce).
    frozen=False only for `rules check` and `rules freeze`, which report and record the lock themselves."""
    rules, errors = load_partial(directory, display_root)
    if errors:
        raise OvopError(errors)
    if frozen:
        enforce(rules)
        from .enginelimits import refuse_past_engine_limits
        refuse_past_engine_limits(rules)  # what the rules engine would refuse later, with no line
    return rules


def load_partial(directory: str | Path = "rules", display_root: str | None = None) -> tuple[RuleSet, list[Diagnostic]]:
    """Every edition that can be resolved, and every problem found on the way. A section with schema errors
    is left out (marked `broken`), so that the rest of its edition is resolved and can be checked."""
    directory = Path(directory)
    files = discover(directory)
    raw, errors = {}, []
    for folder, path in files.items():
        display = str(Path(display_root) / path.relative_to(directory)) if display_root else str(path)
        model, located, problems, broken = read_partial(path, display)
        errors += problems
        if model is None:
            continue
        if model.edition != folder:
            errors.append(located.diagnostic(("edition",), t("edition_in_folder", edition=model.edition, folder=folder),
                                             t("edition_in_folder_ok", folder=folder)))
            continue
        raw[folder] = (model, located, broken)
    resolved: dict[str, Resolved] = {}
    for edition in raw:
        _resolve(edition, raw, resolved, errors, chain=())
    ordered = {e: resolved[e] for e in sorted(resolved)}
    return RuleSet(directory, ordered), _unique(errors)


def _unique(errors: list[Diagnostic]) -> list[Diagnostic]:
    seen, out = set(), []
    for d in errors:
        if (d.file, d.line, d.col, d.message) not in seen:
            seen.add((d.file, d.line, d.col, d.message))
            out.append(d)
    return out


def _section(d: Diagnostic) -> str:
    return d.path.split(".")[0].split("[")[0]


def _resolve(edition: str, raw: dict, resolved: dict, errors: list, chain: tuple) -> Resolved | None:
    if edition in resolved:
        return resolved[edition]
    model, located, broken = raw[edition]
    if edition in chain:
        cycle = " -> ".join(chain[chain.index(edition):] + (edition,))
        errors.append(located.diagnostic(("extends",), t("extends_cycle", cycle=cycle), t("extends_cycle_ok")))
        return None
    parent, parent_data, files, origins = None, {}, [], {}
    if model.extends:
        if model.extends not in raw:
            others = sorted(e for e in raw if e != edition)
            errors.append(located.diagnostic(("extends",), t("extends_missing", parent=model.extends,
                                                             hint=did_you_mean(model.extends, others)), ", ".join(others)))
            return None
        parent = _resolve(model.extends, raw, resolved, errors, chain + (edition,))
        if parent is None:
            return None
        parent_data = parent.model.model_dump(by_alias=True)
        files, origins = list(parent.files), dict(parent.origins)
        broken = broken | parent.broken
    origins[("edition",)] = (located, ())
    merged, errs = _merge(parent_data, model, located, origins)
    merged.update(edition=model.edition, extends=model.extends, status=model.status, title=model.title.model_dump())
    errors += errs
    broken = broken | {_section(d) for d in errs}  # an edit that could not be made: its section is not checked
    try:
        full = Edition.model_validate(merged)
    except ValidationError as exc:
        for err in exc.errors():
            where = err["loc"][0] if err["loc"] else ""
            if where in broken:
                continue  # left out for its schema errors, reported already
            if err["type"] == "missing":
                errors.append(located.diagnostic((), t("states_no", edition=edition, section=where),
                                                 t("states_no_ok", section=where)))
            else:
                message, allowed = explain(err, (where,), Edition, {err["type"]})
                errors.append(located.diagnostic((), t("resolved_invalid", edition=edition, section=where, what=message),
                                                 allowed or t("states_no_ok", section=where)))
        return None
    res = Resolved(full, files + [located.file], origins, broken=set(broken), parent=parent)
    res.hash = content_hash(full)
    resolved[edition] = res
    return res

