"""Every change made in the workbench, append-only, in the workspace database: who, when, which edition,
what was done, the file's hash before and after, and the diff (semantic and of the file's lines).

Triggers refuse UPDATE and DELETE on the table: the history is only ever added to."""
from __future__ import annotations

import time
from pathlib import Path

from .accounts import connect

SCHEMA = """
create table if not exists history (n integer primary key autoincrement, at real not null, user text not null,
  edition text not null, action text not null, before_sha256 text, after_sha256 text, changes text not null,
  file_diff text not null);
create trigger if not exists history_no_update before update on history
  begin select raise(abort, 'history is append-only'); end;
create trigger if not exists history_no_delete before delete on history
  begin select raise(abort, 'history is append-only'); end;
"""


def record(ws: str | Path, user: str, edition: str, action: str, before: str | None, after: str | None,
           changes: str, file_diff: str) -> int:
    with connect(ws) as conn:
        conn.executescript(SCHEMA)
        cur = conn.execute("insert into history (at, user, edition, action, before_sha256, after_sha256, changes, "
                           "file_diff) values (?, ?, ?, ?, ?, ?, ?, ?)",
                           [time.time(), user, edition, action, before, after, changes, file_diff])
        return cur.lastrowid


def entries(ws: str | Path, edition: str | None = None) -> list[dict]:
    if not Path(ws).exists():
        return []
    with connect(ws) as conn:
        conn.executescript(SCHEMA)
        sql = "select * from history" + (" where edition = ?" if edition else "") + " order by n desc"
        rows = [dict(r) for r in conn.execute(sql, [edition] if edition else [])]
    for r in rows:
        r["when"] = time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime(r["at"]))
        r["said"] = said(r["action"])
    return rows


def said(action: str) -> str:
    """What was done, Indonesian / English (the table keeps the English words it was recorded with)."""
    if action.startswith("new draft from "):
        parent = action[len("new draft from "):]
        return f"draf baru dari {parent} / new draft from {parent}"
    return {"save": "simpan / save", "freeze": "bekukan / freeze"}.get(action, action)
