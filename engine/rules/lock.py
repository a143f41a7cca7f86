"""Frozen editions: rules/editions.lock records the content hash of every published edition.

A published edition's resolved content never changes; a change is a new edition. Drafts are never
frozen. The lock is JSON, keys sorted: {"2013": "sha256:...", ...}.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import Diagnostic, OvopError, did_you_mean
from . import yamlsrc
from .resolve import LOCK_FILE, Resolved, RuleSet

HASH = re.compile(r"^sha256:[0-9a-f]{64}$")


def lock_path(directory: str | Path) -> Path:
    return Path(directory) / LOCK_FILE


def read_lock(directory: str | Path) -> tuple[dict[str, str], yamlsrc.Located | None]:
    """The lock's entries and their positions; an absent lock is empty (then nothing is frozen)."""
    path = lock_path(directory)
    if not path.exists():
        return {}, None
    try:
        text = path.read_text(encoding="utf-8")
        data = json.loads(text)
    except (OSError, UnicodeDecodeError) as exc:
        raise OvopError(Diagnostic(str(path), message=f"cannot read the lock: {exc}"))
    except json.JSONDecodeError as exc:
        raise OvopError(Diagnostic(str(path), exc.lineno, exc.colno, "", f"not valid JSON: {exc.msg}",
                                   '{"2013": "sha256:<64 hex digits>", ...}'))
    located = yamlsrc.loads(text, str(path)) if text.strip() else None
    if not isinstance(data, dict):
        raise OvopError(Diagnostic(str(path), 1, 1, "", "the lock is a JSON object", '{"2013": "sha256:...", ...}'))
    bad = [located.diagnostic((k,), f"not a content hash: {json.dumps(v)}", '"sha256:<64 hex digits>"')
           for k, v in data.items() if not (isinstance(v, str) and HASH.match(v))]
    if bad:
        raise OvopError(bad)
    return data, located


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
    for edition, res in rules.editions.items():
        locked = entries.get(edition)
        if res.model.status == "draft":
            if locked:
                out.append(_at(res, ("status",), f"edition {edition} is frozen in {LOCK_FILE} but says status: draft; "
                               "a published edition cannot become a draft", "status: published"))
        elif locked is None:
            out.append(_at(res, ("status",), f"edition {edition} is published but not frozen in {LOCK_FILE}",
                           f"run `ovop rules freeze {edition}`"))
        elif locked != res.hash:
            out.append(_at(res, ("edition",), f"edition {edition} is frozen (published) but its resolved content "
                           f"changed: hash {res.hash}, lock says {locked}",
                           "restore the published content, or make the change a new edition that extends it"))
    for edition in entries:
        if edition not in rules.editions:
            out.append(located.diagnostic((edition,), f'the lock freezes edition "{edition}", which does not exist'
                                          + did_you_mean(edition, rules.editions), ", ".join(rules.editions)))
    return out


def _at(res: Resolved, path: tuple, message: str, allowed: str) -> Diagnostic:
    """At the edition's own file (not an item it inherits)."""
    located, _ = res.origins[("edition",)]
    return located.diagnostic(path, message, allowed)


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
