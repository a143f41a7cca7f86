"""Frozen editions: rules/editions.lock records the content hash of every published edition.

A published edition's resolved content never changes; a change is a new edition. Drafts are never
frozen. The lock is JSON, keys sorted: {"2013": "sha256:...", ...}. Reading it, and refusing a rule set
whose published editions it does not freeze (every command that decides): engine.rules.frozen.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from ..errors import Diagnostic, OvopError, did_you_mean
from .frozen import HASH, LOCK_FILE, _at, enforce, lock_path, read_lock, unfrozen
from .messages import t
from .resolve import RuleSet, discover

__all__ = ["HASH", "LOCK_FILE", "enforce", "lock_path", "read_lock", "unfrozen", "render_lock", "write_lock",
           "check_lock", "freeze", "freeze_warnings"]


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
                out.append(_at(res, ("status",), t("frozen_draft", edition=edition, lock=LOCK_FILE), "status: published"))
        elif locked is None:
            out.append(_at(res, ("status",), t("not_frozen", edition=edition, lock=LOCK_FILE),
                           t("not_frozen_ok", edition=edition)))
        elif locked != res.hash and not res.broken:  # a section not read whole: its hash means nothing yet
            out.append(_at(res, ("edition",), t("frozen_changed", edition=edition, now=res.hash, locked=locked),
                           t("frozen_changed_ok")))
    folders = discover(Path(rules.directory))  # an edition that did not resolve is reported with its problems
    for edition in entries:
        if edition not in rules.editions and edition not in folders:
            out.append(located.diagnostic((edition,), t("lock_missing_edition", edition=edition,
                                                        hint=did_you_mean(edition, rules.editions)),
                                          ", ".join(rules.editions)))
    return out


DRAFT_WORD = re.compile(r"\bdraft?\b", re.IGNORECASE)  # "draf" (Indonesian), "draft"


def freeze_warnings(rules: RuleSet, edition: str) -> list[Diagnostic]:
    """What freezing would carry into a published edition that the author probably did not mean."""
    res = rules.get(edition)
    title = res.model.title
    said = [text for text in (title.id, title.en) if DRAFT_WORD.search(text)]
    if not said:
        return []
    located, _ = res.origins[("edition",)]
    message = t("title_says_draft", edition=edition, title=" / ".join(said))
    return [located.diagnostic(("title",), message, t("title_says_draft_ok", edition=edition))]


def freeze(rules: RuleSet, edition: str) -> tuple[str, bool]:
    """Record a published edition's hash; (hash, whether the lock changed). Refuses drafts and changes."""
    res = rules.get(edition)
    if res.model.status == "draft":
        raise OvopError(_at(res, ("status",), t("freeze_draft", edition=edition), t("freeze_draft_ok")))
    entries, _ = read_lock(rules.directory)
    if entries.get(edition) == res.hash:
        return res.hash, False
    if edition in entries:
        raise OvopError(_at(res, ("edition",), t("freeze_again", edition=edition, locked=entries[edition], now=res.hash),
                            t("freeze_again_ok")))
    write_lock(rules.directory, {**entries, edition: res.hash})
    return res.hash, True
