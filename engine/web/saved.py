"""Assessments saved from the assessor desk, append-only, in the workspace database (never attached to the
site, so not readable through its SQL): who saved which assessment when, each version in full (as the YAML
the desk downloads), its outcome, and what changed against the version before.

Triggers refuse UPDATE and DELETE: a later save of the same assessment adds a version, it never overwrites one.

    entry = save(ws, "rina", "2024-JB-9001", "2024", yaml_text, flat_fields, outcome)
    entries(ws)                  # newest first
"""
from __future__ import annotations

import hashlib
import json
import time
from pathlib import Path

from .accounts import connect

SCHEMA = """
create table if not exists saved_assessments (n integer primary key autoincrement, at real not null,
  user text not null, assessment text not null, edition text not null, version integer not null,
  body text not null, body_sha256 text not null, fields text not null, stars integer, status text not null,
  score text, changes text not null, unique (assessment, edition, version));
create trigger if not exists saved_assessments_no_update before update on saved_assessments
  begin select raise(abort, 'saved assessments are append-only'); end;
create trigger if not exists saved_assessments_no_delete before delete on saved_assessments
  begin select raise(abort, 'saved assessments are append-only'); end;
"""


def flat(data, prefix: str = "") -> dict[str, str]:
    """{"evidence.merek": "terdaftar", ...}: every leaf of an assessment as text, for the change list."""
    out: dict[str, str] = {}
    for key, value in (data or {}).items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out.update(flat(value, path + "."))
        else:
            out[path] = "true" if value is True else "false" if value is False else str(value)
    return out


def changes(before: dict[str, str] | None, after: dict[str, str]) -> list[str]:
    """The fields that differ, "path: old → new" (– for absent); ["baru / new"] for a first version."""
    if before is None:
        return ["baru / new"]
    out = []
    for path in sorted(set(before) | set(after)):
        if before.get(path) != after.get(path):
            out.append(f"{path}: {before.get(path, '–')} → {after.get(path, '–')}")
    return out


def save(ws: str | Path, user: str, assessment: str, edition: str, body: str, fields: dict[str, str],
         outcome: dict) -> dict:
    """Keep one version (a new row), unless it is the same as the latest version of that assessment."""
    digest = hashlib.sha256(body.encode("utf-8")).hexdigest()
    with connect(ws) as conn:
        conn.executescript(SCHEMA)
        conn.execute("begin immediate")
        try:
            last = conn.execute("select * from saved_assessments where assessment = ? and edition = ? "
                                "order by version desc limit 1", [assessment, edition]).fetchone()
            if last is not None and last["body_sha256"] == digest:
                conn.execute("commit")
                return {**_entry(dict(last)), "unchanged": True}
            changed = changes(json.loads(last["fields"]) if last else None, fields)
            row = [time.time(), user, assessment, edition, (last["version"] + 1) if last else 1, body, digest,
                   json.dumps(fields, ensure_ascii=False, sort_keys=True), outcome.get("stars"), outcome["status"],
                   None if outcome.get("score") is None else str(outcome["score"]), "\n".join(changed)]
            cur = conn.execute("insert into saved_assessments (at, user, assessment, edition, version, body, "
                               "body_sha256, fields, stars, status, score, changes) values "
                               "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", row)
            conn.execute("commit")
        except BaseException:
            conn.execute("rollback")
            raise
        saved = conn.execute("select * from saved_assessments where n = ?", [cur.lastrowid]).fetchone()
    return {**_entry(dict(saved)), "unchanged": False}


def _entry(row: dict) -> dict:
    row["when"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(row["at"]))
    row["changes"] = row["changes"].split("\n") if row["changes"] else []
    row.pop("fields", None)
    return row


def entries(ws: str | Path, limit: int = 200) -> list[dict]:
    """The saved versions, newest first (at most `limit`)."""
    if not Path(ws).exists():
        return []
    with connect(ws) as conn:
        conn.executescript(SCHEMA)
        rows = conn.execute("select * from saved_assessments order by n desc limit ?", [limit]).fetchall()
    return [_entry(dict(r)) for r in rows]
