"""Datasette plugin: the site's SQL bounded, whatever a visitor sends.

  * SQLite limits on every connection (length of a value, of the SQL, columns, depth, ...): a single
    function call (zeroblob, replace) cannot fill memory; it fails at once;
  * `printf`/`format` replaced by a bounded version: a width or precision above PRINTF_MAX is refused
    (SQLite's own printf cannot be interrupted by the time limit: `printf('%.*c', 1e9, 'x')` ran 11 s);
    within the bound the real printf of a private connection formats it, so results are SQLite's;
  * `fts3_tokenizer` denied (it returns a memory address, and with two arguments registers code);
  * an abandoned `?_stream=on` download stops: when the client disconnects the request is cancelled,
    so no further page of the query runs;
  * `_sort` / `_sort_desc` naming no column of the table: a 400 with the allowed columns, not a 500;
  * a request body past `engine.rules.limits.max_body_bytes()` (OVOP_MAX_BODY_BYTES, 1 MiB) is a 413, read no
    further (declared or sent); the assessment desk and the evaluate API bound their own (5 MB, OWN_BODY_LIMIT).
"""
from __future__ import annotations

import asyncio
import re
import sqlite3
import threading

from datasette import hookimpl
from datasette.utils.asgi import Response

LIMITS = {
    sqlite3.SQLITE_LIMIT_LENGTH: 10_000_000,
    sqlite3.SQLITE_LIMIT_SQL_LENGTH: 100_000,
    sqlite3.SQLITE_LIMIT_COLUMN: 200,
    sqlite3.SQLITE_LIMIT_EXPR_DEPTH: 100,
    sqlite3.SQLITE_LIMIT_COMPOUND_SELECT: 50,
    sqlite3.SQLITE_LIMIT_FUNCTION_ARG: 16,
    sqlite3.SQLITE_LIMIT_LIKE_PATTERN_LENGTH: 1_000,
    sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER: 1_000,
    sqlite3.SQLITE_LIMIT_TRIGGER_DEPTH: 10,
}
OWN_BODY_LIMIT = ("/-/ovop/evaluate", "/-/ovop/assess/")  # routes that bound their body themselves
PRINTF_MAX = 10_000  # largest width or precision in printf/format
DENIED = ("fts3_tokenizer",)
_SPEC = re.compile(r"%([-+ 0#!,]*)(\*|[0-9]*)(?:\.(\*|[0-9]*))?(l{0,2})(.?)")
_local = threading.local()


class Refused(Exception):
    pass


def _real() -> sqlite3.Connection:
    """A private in-memory connection of this thread whose printf is SQLite's own."""
    conn = getattr(_local, "conn", None)
    if conn is None:
        conn = _local.conn = sqlite3.connect(":memory:", check_same_thread=False)
        for limit, value in LIMITS.items():
            conn.setlimit(limit, value)
    return conn


def _number(value) -> int:
    try:
        return int(float(value))
    except (TypeError, ValueError, OverflowError):
        return 0


def check_format(fmt, args: tuple) -> None:
    """Refuse widths and precisions past PRINTF_MAX, written or given by `*`."""
    if not isinstance(fmt, str):
        return
    i = 0
    for m in _SPEC.finditer(fmt):
        if m.group(5) == "%":
            continue
        for part in (m.group(2), m.group(3)):
            if part == "*":
                n = abs(_number(args[i])) if i < len(args) else 0
                i += 1
            else:
                n = int(part) if part and len(part) <= 9 else (10**9 if part else 0)
            if n > PRINTF_MAX:
                raise Refused(f"printf: width or precision {n} refused (at most {PRINTF_MAX})")
        i += 1


def bounded_printf(fmt=None, *args):
    if fmt is None:
        return None
    check_format(fmt, args)
    marks = ", ".join("?" for _ in range(len(args) + 1))
    return _real().execute(f"select printf({marks})", (fmt, *args)).fetchone()[0]


def denied(*args):
    raise Refused("fungsi ini tidak tersedia / this function is not available")


@hookimpl
def prepare_connection(conn):
    for limit, value in LIMITS.items():
        conn.setlimit(limit, value)
    for name in ("printf", "format"):
        conn.create_function(name, -1, bounded_printf, deterministic=True)
    for name in DENIED:
        for n in (1, 2, -1):
            conn.create_function(name, n, denied)
    conn.set_authorizer(_authorizer)


def _authorizer(action, arg1, arg2, db, trigger):
    """fts3_tokenizer denied even if a connection lacks the override above."""
    if action == getattr(sqlite3, "SQLITE_FUNCTION", 31) and (arg2 or "").lower() in DENIED:
        return sqlite3.SQLITE_DENY
    return sqlite3.SQLITE_OK


@hookimpl
def asgi_wrapper(datasette):
    def wrap(app):
        async def guarded(scope, receive, send):
            if scope.get("type") != "http":
                return await app(scope, receive, send)
            if not _sort_ok(datasette, scope):
                return await _bad_sort(datasette, scope, send)
            limit = _body_limit(scope)
            if limit and _declared(scope) > limit:
                return await _too_large(send, limit)
            return await _cancel_on_disconnect(app, scope, receive, send, limit)
        return guarded
    return wrap


def _body_limit(scope) -> int | None:
    from engine.rules import limits
    path = scope.get("path", "")
    return None if path.startswith(OWN_BODY_LIMIT) else limits.max_body_bytes()


def _declared(scope) -> int:
    for name, value in scope.get("headers") or []:
        if name.lower() == b"content-length":
            return int(value) if value.isdigit() else 0
    return 0


async def _too_large(send, limit: int) -> None:
    text = (f"isi permintaan terlalu besar / request body too large: more than {limit:,} bytes; allowed: at most "
            f"{limit:,} bytes (OVOP_MAX_BODY_BYTES)")
    await Response.text(text, status=413).asgi_send(send)


async def _cancel_on_disconnect(app, scope, receive, send, limit: int | None = None):
    """Run the request; when the client goes away, cancel it (no further page of a stream is queried).
    A body growing past `limit` cancels it too, answered with a 413 if nothing was sent yet."""
    queue: asyncio.Queue = asyncio.Queue()
    state = {"body": 0, "started": False, "too_large": False}

    async def sending(message):
        state["started"] = True
        await send(message)

    async def pump():
        while True:
            message = await receive()
            state["body"] += len(message.get("body", b""))
            if limit and state["body"] > limit:
                state["too_large"] = True
                task.cancel()
                return
            await queue.put(message)
            if message.get("type") == "http.disconnect":
                task.cancel()
                return

    task = asyncio.ensure_future(app(scope, queue.get, sending))
    pumping = asyncio.ensure_future(pump())
    try:
        await task
    except asyncio.CancelledError:
        if not pumping.done():
            raise
    finally:
        pumping.cancel()
    if state["too_large"] and not state["started"]:
        await _too_large(send, limit)


def _sort_ok(datasette, scope) -> bool:
    from urllib.parse import parse_qs
    qs = parse_qs(scope.get("query_string", b"").decode("latin-1"))
    wanted = [v for k in ("_sort", "_sort_desc") for v in qs.get(k, [])]
    if not wanted:
        return True
    columns = _columns(datasette, scope)
    return columns is None or all(w in columns or w == "rowid" for w in wanted)


def _columns(datasette, scope) -> set[str] | None:
    """The columns of the table or view a path names (None: not a table path, or unknown)."""
    from urllib.parse import unquote
    from datasette.utils import tilde_decode
    parts = [p for p in scope.get("path", "").split("/") if p]
    if len(parts) != 2:
        return None
    db_name, table = parts[0], tilde_decode(unquote(parts[1]))
    for suffix in (".json", ".csv"):
        if table.endswith(suffix):
            table = table[: -len(suffix)]
    db = datasette.databases.get(db_name)
    if db is None:
        return None
    conn = getattr(_local, "meta", {}).get(db_name)
    if conn is None:
        path = getattr(db, "path", None)
        if not path:
            return None
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)
        from datasette.plugins import pm
        pm.hook.prepare_connection(conn=conn, database=db_name, datasette=datasette)  # the views' functions
        _local.meta = {**getattr(_local, "meta", {}), db_name: conn}
    try:
        names = {r[0] for r in conn.execute("select name from sqlite_master where type in ('table', 'view')")}
        if table not in names:
            return None
        return {r[1] for r in conn.execute(f"pragma table_info([{table.replace(']', ']]')}])")}
    except sqlite3.Error:
        return None


async def _bad_sort(datasette, scope, send):
    columns = sorted(_columns(datasette, scope) or [])
    text = ("Kolom pengurutan tidak dikenal / cannot sort by that column; allowed: "
            + ", ".join(columns))
    response = Response.text(text, status=400)
    await response.asgi_send(send)
