"""Accounts, roles and sessions of the site, in the writable workspace database beside the published one.

The workspace (e.g. build/workspace.db) is never attached to Datasette: its tables (password hashes,
sessions, history) cannot be read through the site's SQL. Passwords are hashed with argon2id
(argon2-cffi); a session is a random token whose sha256 is stored with its expiry.

    ws = workspace_for("build/ovop.db")         # build/workspace.db
    add_user(ws, "siti", "editor", "s3cret-pass")
    user = check_password(ws, "siti", "s3cret-pass")   # {"name": "siti", "role": "editor"} or None
    token = start_session(ws, "siti")           # put it in a signed cookie
    session_user(ws, token)                     # the user while the session lasts, else None
    end_session(ws, token)
"""
from __future__ import annotations

import hashlib
import re
import secrets
import sqlite3
import time
from pathlib import Path

from ..errors import Diagnostic, OvopError

ROLES = ("editor", "assessor")
SESSION_SECONDS = 8 * 3600
NAME = re.compile(r"^[a-z][a-z0-9_.-]{1,31}$")
MIN_PASSWORD = 10
WORKSPACE = "workspace.db"

SCHEMA = """
create table if not exists users (name text primary key, role text not null, password_hash text not null,
  created real not null);
create table if not exists sessions (token_sha256 text primary key, user text not null references users(name),
  created real not null, expires real not null);
"""


def workspace_for(published_db: str | Path) -> Path:
    """The workspace database beside a published database."""
    return Path(published_db).resolve().parent / WORKSPACE


def connect(ws: str | Path) -> sqlite3.Connection:
    path = Path(ws)
    path.parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=10, isolation_level=None)
    conn.row_factory = sqlite3.Row
    conn.execute("pragma journal_mode=wal")
    conn.executescript(SCHEMA)
    return conn


def _hasher():
    from argon2 import PasswordHasher
    return PasswordHasher()


def add_user(ws: str | Path, name: str, role: str, password: str) -> None:
    """A new account; refuses a bad name, role or short password, and a name that exists."""
    problems = []
    if not NAME.match(name or ""):
        problems.append(Diagnostic("ovop users add", path="NAME", message=f'"{name}" is not a valid user name',
                                   allowed="2-32 lower-case letters, digits, _ . -, starting with a letter"))
    if role not in ROLES:
        problems.append(Diagnostic("ovop users add", path="--role", message=f'unknown role "{role}"',
                                   allowed=", ".join(ROLES)))
    if len(password or "") < MIN_PASSWORD:
        problems.append(Diagnostic("ovop users add", path="password", message="password too short",
                                   allowed=f"at least {MIN_PASSWORD} characters"))
    if problems:
        raise OvopError(problems)
    with connect(ws) as conn:
        if conn.execute("select 1 from users where name = ?", [name]).fetchone():
            raise OvopError(Diagnostic(str(ws), path="users", message=f'user "{name}" exists already',
                                       allowed="a new name, or `ovop users passwd NAME`"))
        conn.execute("insert into users values (?, ?, ?, ?)", [name, role, _hasher().hash(password), time.time()])


def set_password(ws: str | Path, name: str, password: str) -> None:
    if len(password or "") < MIN_PASSWORD:
        raise OvopError(Diagnostic("ovop users passwd", path="password", message="password too short",
                                   allowed=f"at least {MIN_PASSWORD} characters"))
    with connect(ws) as conn:
        if not conn.execute("update users set password_hash = ? where name = ?",
                            [_hasher().hash(password), name]).rowcount:
            raise OvopError(Diagnostic(str(ws), path="users", message=f'no user "{name}"'))
        conn.execute("delete from sessions where user = ?", [name])


def list_users(ws: str | Path) -> list[dict]:
    if not Path(ws).exists():
        return []
    with connect(ws) as conn:
        return [dict(r) for r in conn.execute("select name, role, created from users order by name")]


def has_users(ws: str | Path) -> bool:
    return bool(list_users(ws))


def check_password(ws: str | Path, name: str, password: str) -> dict | None:
    """The user ({"name", "role"}) when the password is right, else None (same time either way)."""
    from argon2.exceptions import VerificationError
    if not Path(ws).exists():
        return None
    with connect(ws) as conn:
        row = conn.execute("select name, role, password_hash from users where name = ?", [name]).fetchone()
    hasher = _hasher()
    try:
        hasher.verify(row["password_hash"] if row else _DUMMY.get() or "", password or "")
    except (VerificationError, ValueError, Exception):
        return None
    return {"name": row["name"], "role": row["role"]} if row else None


class _Dummy:
    """A hash to verify against for unknown names, so both answers take as long."""
    value = None

    def get(self):
        if self.value is None:
            self.value = _hasher().hash(secrets.token_hex(8))
        return self.value


_DUMMY = _Dummy()


def _sha(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(ws: str | Path, name: str, seconds: int = SESSION_SECONDS) -> str:
    token, now = secrets.token_urlsafe(32), time.time()
    with connect(ws) as conn:
        conn.execute("delete from sessions where expires < ?", [now])
        conn.execute("insert into sessions values (?, ?, ?, ?)", [_sha(token), name, now, now + seconds])
    return token


def session_user(ws: str | Path, token: str | None) -> dict | None:
    """The signed-in user of a live session, else None (expired sessions are gone)."""
    if not token or not Path(ws).exists():
        return None
    with connect(ws) as conn:
        row = conn.execute("select u.name, u.role from sessions s join users u on u.name = s.user "
                           "where s.token_sha256 = ? and s.expires > ?", [_sha(token), time.time()]).fetchone()
    return dict(row) if row else None


def end_session(ws: str | Path, token: str | None) -> None:
    if token and Path(ws).exists():
        with connect(ws) as conn:
            conn.execute("delete from sessions where token_sha256 = ?", [_sha(token)])


def may(user: dict | None, role: str) -> bool:
    """Whether a user holds a role."""
    return bool(user) and user.get("role") == role
