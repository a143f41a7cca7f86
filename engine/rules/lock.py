"""Frozen editions: rules/editions.lock records the content hash of every published edition.

A published edition's resolved content never changes; a change is a new edition. Drafts are never
frozen. The lock is JSON, keys sorted: {"2013": "sha256:...", ...}. Reading it, and refusing a rule set
whose published editions it does not freeze (every command that decides): engine.rules.frozen.
"""
from __future__ import annotations

import json
from pathlib import Path

from ..errors import Diagnostic, OvopError, did_you_mean
from .frozen import HASH, LOCK_FILE, _at, enforce, lock_path, read_lock, unfrozen
from .resolve import RuleSet

__all__ = ["HASH", "LOCK_FILE", "enforce", "lock_path", "read_lock", "unfrozen", "render_lock", "write_lock",
           "check_lock", "freeze"]


def render_lock(entries: dict[str, str]) -> str:
    return json.dumps(dict(sorted(entries.items())), indent=2) + "\n"


def write_lock(directory: str | Path, entries: dict[str, str]) -> Path:
    path = lock_path(directory)
    path.write_text(render_lock(entries), encoding="utf-8")
    return path


def check_lock(rules: RuleSet) -> list[Diagnostic]:
    """Frozen editions unchanged, every published edition frozen, no entry for a missing edition."""
    entries, located = read_lock(rules.directory)
    out = []
    for res, kind, locked in unfrozen(rules, entries):
        edition = res.id
        if kind == "draft":
            out.append(_at(res, ("status",), f"edition {edition} is frozen in {LOCK_FILE} but says status: draft; "
                           "a published edition cannot become a draft", "status: published"))
        elif kind == "missing":
            out.append(_at(res, ("status",), f"edition {edition} is published but not frozen in {LOCK_FILE}",
                           f"run `ovop rules freeze {edition}`"))
        else:
            out.append(_at(res, ("edition",), f"edition {edition} is frozen (published) but its resolved content "
                           f"changed: hash {res.hash}, lock says {locked}",
                           "restore the published content, or make the change a new edition that extends it"))
    for edition in entries:
        if edition not in rules.editions:
            out.append(located.diagnostic((edition,), f'the lock freezes edition "{edition}", which does not exist'
                                          + did_you_mean(edition, rules.editions), ", ".join(rules.editions)))
    return out


def freeze(rules: RuleSet, edition: str) -> tuple[str, bool]:
    """Record a published edition's hash; (hash, whether the lock changed). Refuses drafts and changes."""
    res = rules.get(edition)
    if res.model.status == "draft":
        raise OvopError(_at(res, ("status",), f"edition {edition} is a draft; drafts are never frozen",
                            "set status: published first"))
    entries, _ = read_lock(rules.directory)
    if entries.get(edition) == res.hash:
        return res.hash, False
    if edition in entries:
        raise OvopError(_at(res, ("edition",), f"edition {edition} is frozen already with hash {entries[edition]}; "
                            f"its content now hashes to {res.hash}", "a new edition for the change"))
    write_lock(rules.directory, {**entries, edition: res.hash})
    return res.hash, True
