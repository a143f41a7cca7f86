"""Frozen editions enforced where rules are loaded: rules/editions.lock records the content hash of every
published edition, and a rule set whose published editions are not exactly what the lock froze is refused
(`load_rules`, frozen=True). The lock is JSON, keys sorted: {"2013": "sha256:...", ...}.

This module imports nothing of engine.rules but yamlsrc, so that engine.rules.resolve can use it; writing
the lock and the checks of `ovop rules check` are in engine.rules.lock.
"""
from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from ..errors import Diagnostic, OvopError
from . import yamlsrc
from .messages import t

LOCK_FILE = "editions.lock"
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
        raise OvopError(Diagnostic(str(path), message=t("lock_unreadable", what=str(exc)), allowed=t("lock_form_ok")))
    except json.JSONDecodeError as exc:
        raise OvopError(Diagnostic(str(path), exc.lineno, exc.colno, "", t("lock_json", what=exc.msg), t("lock_form_ok")))
    located = yamlsrc.loads(text, str(path)) if text.strip() else None
    if not isinstance(data, dict):
        raise OvopError(Diagnostic(str(path), 1, 1, "", t("lock_object"), t("lock_form_ok")))
    bad = [located.diagnostic((k,), t("lock_hash", value=json.dumps(v)), t("lock_hash_ok"))
           for k, v in data.items() if not (isinstance(v, str) and HASH.match(v))]
    if bad:
        raise OvopError(bad)
    return data, located


def unfrozen(rules: Any, entries: dict[str, str]) -> list[tuple[Any, str, str | None]]:
    """(edition, what is wrong, the lock's hash) for every edition whose freezing does not hold:
    "draft" (frozen in the lock but says status: draft), "missing" (published, not in the lock),
    "changed" (published, content hash differs from the lock's)."""
    out = []
    for edition, res in rules.editions.items():
        locked = entries.get(edition)
        if res.model.status == "draft":
            if locked:
                out.append((res, "draft", locked))
        elif locked is None:
            out.append((res, "missing", None))
        elif locked != res.hash:
            out.append((res, "changed", locked))
    return out


def enforce(rules: Any) -> None:
    """Refuse a rule set in which a published edition is not exactly what the lock froze (every command that
    decides anything loads rules through this: evaluate, explain, publish, impact, verify, the site).
    Problems are said in Indonesian first, English beside, naming the edition and both hashes."""
    entries, _ = read_lock(rules.directory)
    problems = []
    for res, kind, locked in unfrozen(rules, entries):
        e, lock = res.id, LOCK_FILE
        if kind == "changed":
            problems.append(_at(res, ("edition",), (
                f"edisi {e} sudah diterbitkan (dibekukan), tetapi isinya berubah: hash isinya {res.hash}, {lock} "
                f"mencatat {locked}; edisi ini tidak dipakai / edition {e} is published (frozen) but its content "
                f"changed: its content hashes to {res.hash}, {lock} says {locked}; it is not used"),
                "kembalikan isi yang diterbitkan, atau buat perubahan sebagai edisi baru (`ovop rules new`) / "
                "restore the published content, or make the change a new edition (`ovop rules new`)"))
        elif kind == "missing":
            problems.append(_at(res, ("status",), (
                f"edisi {e} berstatus published tetapi tidak tercatat di {lock} (hash isinya {res.hash}); "
                f"edisi terbit yang tidak dibekukan tidak dipakai / edition {e} is published but not frozen in "
                f"{lock} (its content hashes to {res.hash}); an unfrozen published edition is not used"),
                f"kembalikan barisnya di {lock}, atau setelah ditinjau: `ovop rules freeze {e}` / restore its line "
                f"in {lock}, or after review: `ovop rules freeze {e}`"))
        else:
            problems.append(_at(res, ("status",), (
                f"edisi {e} dibekukan di {lock} ({locked}) tetapi kini berstatus draft (hash isinya {res.hash}) / "
                f"edition {e} is frozen in {lock} ({locked}) but now says status: draft (content {res.hash})"),
                "status: published, dengan isi yang diterbitkan / status: published, with the published content"))
    if problems:
        raise OvopError(problems)


def _at(res: Any, path: tuple, message: str, allowed: str) -> Diagnostic:
    """At the edition's own file (not an item it inherits)."""
    located, _ = res.origins[("edition",)]
    return located.diagnostic(path, message, allowed)
