"""`ovop rules check` again and again on one folder (the workbench checks every save): the same diagnostics,
in the same order, as engine.rules.ops.check_rules, but what has not changed since the last call is kept.

Kept, per file and keyed by the sha256 of its bytes: the read (schema) of each rule file and each tests.yaml.
Kept per edition, keyed by the content keys of its file and of every file it extends: its resolution (and
the problems found resolving it) and its static checks. A save of a draft then re-reads, re-resolves and
re-checks only the draft (and whatever extends it); the cross-edition checks (shared names, the lock,
commodity_map.yaml) are cheap and always run.

    checker = Checker("rules")
    rules, problems, loaded = checker.check()   # loaded: no reading/resolution problem (load_rules would pass)
"""
from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from ..errors import Diagnostic
from . import checks, fixes, folder, lock
from .messages import t
from .resolve import TESTS_FILE, RuleSet, _resolve, _unique, discover, read_partial


def _digest(path: Path) -> str | None:
    try:
        return hashlib.sha256(path.read_bytes()).hexdigest()
    except OSError:
        return None


class Checker:
    """One rules folder's checks, kept between calls (thread-safe: one check at a time)."""

    def __init__(self, directory: str | Path):
        self.directory = Path(directory)
        self._lock = threading.Lock()
        self._reads: dict[str, tuple] = {}     # file -> (sha256, read_partial's answer)
        self._editions: dict[str, tuple] = {}  # edition -> (chain key, Resolved, its own problems, its checks)
        self._tests: dict[str, tuple] = {}     # tests.yaml -> (key, problems)

    def check(self) -> tuple[RuleSet, list[Diagnostic], bool]:
        """(rule set, every problem `ovop rules check` reports, whether the folder loads without problems)."""
        with self._lock:
            rules, errors, keys = self._load()
            loaded = not errors
            errors += self._static(rules, keys) + lock.check_lock(rules)
            errors += folder.check_commodity_map(rules) + self._check_tests(rules, keys)
            return rules, errors, loaded

    # ---- load_partial, with each file's read and each edition's resolution kept ---------------

    def _read(self, path: Path) -> tuple[str | None, tuple]:
        key = str(path)
        digest = _digest(path)
        hit = self._reads.get(key)
        if digest is not None and hit is not None and hit[0] == digest:
            return digest, hit[1]
        found = read_partial(path, key)
        if digest is not None and _digest(path) == digest:  # unchanged while it was read
            self._reads[key] = (digest, found)
        else:
            digest = None
        return digest, found

    def _load(self) -> tuple[RuleSet, list[Diagnostic], dict]:
        files = discover(self.directory)
        raw, errors, digests = {}, [], {}
        for folder_name, path in files.items():
            digest, (model, located, problems, broken) = self._read(path)
            errors += problems
            if model is None:
                continue
            if model.edition != folder_name:
                errors.append(located.diagnostic(("edition",), t("edition_in_folder", edition=model.edition,
                                                                 folder=folder_name),
                                                 t("edition_in_folder_ok", folder=folder_name)))
                continue
            raw[folder_name], digests[folder_name] = (model, located, broken), digest
        keys = {e: _chain_key(e, raw, digests) for e in raw}
        resolved: dict = {}
        for edition in raw:
            self._visit(edition, raw, resolved, errors, keys)
        self._editions = {e: v for e, v in self._editions.items() if e in raw}
        ordered = {e: resolved[e] for e in sorted(resolved)}
        return RuleSet(self.directory, ordered), _unique(errors), keys

    def _visit(self, edition: str, raw: dict, resolved: dict, errors: list, keys: dict):
        """engine.rules.resolve._resolve's order (a parent's problems before its child's), kept results reused."""
        if edition in resolved:
            return resolved[edition]
        key = keys[edition]
        parent = raw[edition][0].extends
        if key is not None and parent:
            self._visit(parent, raw, resolved, errors, keys)
        hit = self._editions.get(edition)
        if key is not None and hit is not None and hit[0] == key and (not parent or resolved.get(parent) is hit[1].parent):
            errors += hit[2]
            resolved[edition] = hit[1]
            return hit[1]
        start = len(errors)
        res = _resolve(edition, raw, resolved, errors, chain=())
        if res is not None and key is not None:
            self._editions[edition] = (key, res, errors[start:], None)
        else:
            self._editions.pop(edition, None)
        return res

    # ---- static checks, each edition's kept with its resolution -------------------------------

    def _static(self, rules: RuleSet, keys: dict) -> list[Diagnostic]:
        found: list[Diagnostic] = []
        for edition, res in rules.editions.items():
            hit = self._editions.get(edition)
            if hit is not None and hit[1] is res and hit[3] is not None:
                found += hit[3]
                continue
            mine = checks.check_edition(res)
            if hit is not None and hit[1] is res:
                self._editions[edition] = hit[:3] + (mine,)
            found += mine
        found += checks.check_shared_names(rules)
        return checks._once(fixes.point_at_authors(rules, found))

    def _check_tests(self, rules: RuleSet, keys: dict) -> list[Diagnostic]:
        out = []
        known = tuple(discover(self.directory))
        for edition, rule_file in discover(self.directory).items():
            path = rule_file.parent / TESTS_FILE
            if not path.is_file():
                continue
            res = rules.editions.get(edition)
            model = None if res is None else (tuple(res.model.evidence_names()), tuple(g.fact for g in res.model.gates))
            key = (_digest(path), known, model)
            hit = self._tests.get(str(path))
            if key[0] is not None and hit is not None and hit[0] == key:
                out += hit[1]
                continue
            found = folder._check_test_file(rules, edition, path)
            if key[0] is not None and _digest(path) == key[0]:
                self._tests[str(path)] = (key, found)
            out += found
        return out


def _chain_key(edition: str, raw: dict, digests: dict) -> tuple | None:
    """The content keys of the edition's file and its parents' (None: a file changed while read, a parent
    missing or a cycle: then it is resolved afresh every time)."""
    out, seen, e = [], set(), edition
    while e is not None:
        if e in seen or e not in raw or digests.get(e) is None:
            return None
        seen.add(e)
        out.append((e, digests[e]))
        e = raw[e][0].extends
    return tuple(out)
